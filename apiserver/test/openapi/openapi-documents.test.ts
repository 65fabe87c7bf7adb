import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '@minik8s/shared';
import { openapiV2, openapiV3GroupVersion, openapiV3Index } from '../../src/openapi/index.ts';

function refsIn(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refsIn(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' ? out.push(x as string) : refsIn(x, out);
  return out;
}

test('the v3 index lists every served group-version with a content hash', () => {
  const index = openapiV3Index();
  const expected = [...new Set(RESOURCES.map((r) => (r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`)))].sort();
  assert.deepEqual(Object.keys(index.paths).sort(), expected);
  assert.ok(expected.includes('api/v1') && expected.includes('apis/apps/v1'));
  for (const [path, { serverRelativeURL }] of Object.entries(index.paths)) {
    assert.match(serverRelativeURL, new RegExp(`^/openapi/v3/${path.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
  }
});

test('a group-version document holds its paths and the real schemas they reference', () => {
  const doc = openapiV3GroupVersion('api/v1')!;
  assert.equal(doc.openapi, '3.0.0');
  const podSchema = doc.components.schemas['io.k8s.api.core.v1.Pod'];
  assert.deepEqual(podSchema['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  const containers = doc.components.schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);

  const patch = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Pod' });
  assert.equal(patch['x-kubernetes-action'], 'patch');
  assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.ok(Object.keys(patch.requestBody.content).includes('application/strategic-merge-patch+json'));
  assert.equal(doc.paths['/api/v1/pods'].get['x-kubernetes-action'], 'list');
  assert.equal(doc.paths['/api/v1/nodes/{name}'].get.operationId, 'readCoreV1Node');
  assert.equal(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/binding'].post['x-kubernetes-group-version-kind'].kind, 'Binding');
  assert.equal(doc.paths['/api/v1/componentstatuses/{name}'].patch, undefined, 'componentstatuses are read-only');

  // Self-contained: every reference resolves inside the document.
  for (const ref of refsIn(doc)) assert.ok(doc.components.schemas[ref.replace('#/components/schemas/', '')], ref);
  // Only what the group-version needs: no apps kinds in the core document.
  assert.equal(doc.components.schemas['io.k8s.api.apps.v1.Deployment'], undefined);
});

test('apps/v1 carries the scale subresource as autoscaling/v1 Scale, and the core kinds it embeds', () => {
  const doc = openapiV3GroupVersion('/apis/apps/v1/')!;
  const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  assert.ok(doc.components.schemas['io.k8s.api.core.v1.PodTemplateSpec']);
  assert.equal(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].post.operationId, 'createAppsV1NamespacedDeployment');
  assert.equal(openapiV3GroupVersion('apis/apps/v2'), undefined);
  assert.equal(openapiV3GroupVersion('apis/example.com/v1'), undefined);
});

test('the v2 document has every definition with #/definitions references and v2 scalar forms', () => {
  const doc = openapiV2();
  assert.equal(doc.swagger, '2.0');
  assert.ok(doc.definitions['io.k8s.api.apps.v1.Deployment']);
  for (const ref of refsIn(doc)) {
    assert.ok(ref.startsWith('#/definitions/'), ref);
    assert.ok(doc.definitions[ref.slice('#/definitions/'.length)], ref);
  }
  assert.deepEqual(
    { type: doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type, format: doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format },
    { type: 'string', format: 'int-or-string' },
  );
  const containers = doc.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers;
  assert.equal(containers.items.$ref, '#/definitions/io.k8s.api.core.v1.Container');
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  const post = doc.paths['/api/v1/namespaces/{namespace}/pods'].post;
  assert.deepEqual(post.parameters[0], { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.core.v1.Pod' } });
});
