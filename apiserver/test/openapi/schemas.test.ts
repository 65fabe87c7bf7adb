import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '@minik8s/shared';
import { resolveRef, schemaForKind, type SchemaObject } from '../../src/openapi/index.ts';
import { schemaCatalog } from '../../src/openapi/schema-catalog.ts';
import { PATCH_METADATA, STRUCT } from '../../src/openapi/patch-metadata.ts';

function deref(s: SchemaObject | undefined): SchemaObject | undefined {
  let cur = s;
  while (cur && (cur.$ref || (cur.allOf && cur.allOf.length === 1))) cur = cur.$ref ? resolveRef(cur.$ref) : cur.allOf![0];
  return cur;
}

test('every served resource, its list and the meta kinds have an object schema tagged with their GVK', () => {
  const kinds: Array<[string, string, string]> = [];
  for (const r of RESOURCES) kinds.push([r.group, r.version, r.kind], [r.group, r.version, r.listKind]);
  kinds.push(['autoscaling', 'v1', 'Scale'], ['', 'v1', 'Binding'], ['policy', 'v1', 'Eviction'], ['', 'v1', 'Status'], ['apps', 'v1', 'DeleteOptions'], ['meta.k8s.io', 'v1', 'Table']);
  for (const [group, version, kind] of kinds) {
    const s = schemaForKind(group, version, kind);
    assert.ok(s, `${group}/${version} ${kind} has a schema`);
    assert.equal(s.type, 'object', kind);
    assert.ok(s.properties && Object.keys(s.properties).length > 0, `${kind} has properties`);
    assert.ok(s['x-kubernetes-group-version-kind']!.some((g) => g.group === group && g.version === version && g.kind === kind), `${kind} carries its GVK`);
  }
  assert.equal(schemaForKind('', 'v1', 'NoSuchKind'), undefined);
  assert.equal(schemaForKind('apps', 'v2', 'Deployment'), undefined);
});

test('schemas come from the upstream definitions: descriptions, required fields, nested kinds', () => {
  const pod = schemaForKind('', 'v1', 'Pod')!;
  assert.match(pod.description!, /collection of containers/);
  const spec = deref(pod.properties!.spec)!;
  assert.deepEqual(spec.required, ['containers']);
  const container = deref(spec.properties!.containers.items)!;
  assert.ok(container.required!.includes('name'));
  assert.deepEqual(container.properties!.imagePullPolicy.enum, ['Always', 'IfNotPresent', 'Never']);
  assert.match(pod.properties!.apiVersion.description!, /^APIVersion defines the versioned schema/);
  assert.equal(pod.properties!.apiVersion.type, 'string');
  const deploymentSpec = deref(schemaForKind('apps', 'v1', 'Deployment')!.properties!.spec)!;
  assert.equal(deploymentSpec.properties!.replicas.type, 'integer');
  const template = deref(deploymentSpec.properties!.template)!;
  assert.equal(deref(template.properties!.spec), spec, 'Deployment and Pod share io.k8s.api.core.v1.PodSpec');
  const sts = deref(schemaForKind('apps', 'v1', 'StatefulSet')!.properties!.spec)!;
  assert.equal(sts.properties!.volumeClaimTemplates.items!.$ref, '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeClaim');
});

test('strategic merge patch metadata sits beside the references, as kube-apiserver serves it', () => {
  const spec = resolveRef('#/components/schemas/io.k8s.api.core.v1.PodSpec');
  const containers = spec.properties!.containers;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
  assert.equal(spec.properties!.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  const c = resolveRef('io.k8s.api.core.v1.Container');
  assert.equal(c.properties!.ports['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.deepEqual(c.properties!.ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(c.properties!.args['x-kubernetes-list-type'], 'atomic');
  const meta = resolveRef('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.equal(meta.properties!.ownerReferences['x-kubernetes-patch-merge-key'], 'uid');
  assert.equal(meta.properties!.finalizers['x-kubernetes-list-type'], 'set');
  assert.equal(resolveRef('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector')['x-kubernetes-map-type'], 'atomic');
  assert.equal(deref(schemaForKind('apps', 'v1', 'Deployment')!.properties!.spec)!.properties!.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
});

test('every patch metadata entry names a served definition and property', () => {
  const { schemas } = schemaCatalog();
  for (const [name, fields] of Object.entries(PATCH_METADATA)) {
    const def = schemas[name];
    assert.ok(def, `${name} is served`);
    if (fields[STRUCT]) assert.equal(def['x-kubernetes-map-type'], fields[STRUCT]);
    for (const [field, meta] of Object.entries(fields)) {
      assert.ok(def.properties?.[field], `${name}.${field} exists`);
      if (meta.listType === 'map') assert.ok(meta.mapKeys?.length, `${name}.${field} has list map keys`);
    }
  }
});

test('scalar definitions take their kube-openapi v3 forms', () => {
  assert.deepEqual(resolveRef('io.k8s.apimachinery.pkg.api.resource.Quantity').oneOf, [{ type: 'string' }, { type: 'number' }]);
  const ios = resolveRef('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.equal(ios.format, 'int-or-string');
  assert.deepEqual(ios.oneOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.deepEqual({ type: resolveRef('io.k8s.apimachinery.pkg.apis.meta.v1.Time').type, format: resolveRef('io.k8s.apimachinery.pkg.apis.meta.v1.Time').format }, { type: 'string', format: 'date-time' });
  assert.equal(resolveRef('io.k8s.api.core.v1.Secret').properties!.data.additionalProperties && (resolveRef('io.k8s.api.core.v1.Secret').properties!.data.additionalProperties as SchemaObject).format, 'byte');
});

test('every reference resolves, unknown ones throw, and the shared schemas cannot be mutated', () => {
  const { schemas } = schemaCatalog();
  let refs = 0;
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref') {
          refs++;
          assert.ok(resolveRef(x as string));
        } else visit(x);
      }
    }
  };
  visit(schemas);
  assert.ok(refs > 100);
  assert.throws(() => resolveRef('#/components/schemas/io.k8s.api.core.v1.Nope'), /unable to resolve/);
  assert.throws(() => {
    (schemaForKind('', 'v1', 'Pod')!.properties as Record<string, unknown>).extra = {};
  }, TypeError);
});
