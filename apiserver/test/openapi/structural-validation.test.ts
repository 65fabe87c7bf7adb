import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateStructure } from '../../src/openapi/index.ts';

function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { a: 'b' }, creationTimestamp: null },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'api',
              image: 'nginx:1.27',
              ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }],
              env: [{ name: 'A', value: '1' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.1, memory: 64000000 } },
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
              livenessProbe: { tcpSocket: { port: 80 } },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }],
          tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
        },
      },
    },
    status: { replicas: 3, conditions: [{ type: 'Available', status: 'True', lastTransitionTime: '2026-01-02T03:04:05Z' }] },
  };
}

test('a valid Deployment has no unknown fields and no type errors', () => {
  assert.deepEqual(validateStructure('apps', 'v1', 'Deployment', deployment()), { unknownFields: [], errors: [] });
});

test('unknown fields are reported with their paths, metadata included, in document order', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labelz: { a: 'b' } },
    spec: { containers: [{ name: 'a', image: 'x' }, { name: 'c', image: 'busybox', imagePullPolicyy: 'Always' }], Hostname: 'h' },
    extra: true,
  };
  assert.deepEqual(validateStructure('', 'v1', 'Pod', pod), {
    unknownFields: ['metadata.labelz', 'spec.containers[1].imagePullPolicyy', 'spec.Hostname', 'extra'],
    errors: [],
  });
});

test('a wrong JSON type is a FieldValueTypeInvalid error worded as kube-openapi words it', () => {
  const d = deployment();
  d.spec.replicas = 'x';
  d.spec.template.spec.containers[0].ports[0].containerPort = 80.5;
  d.metadata.labels = ['web'];
  assert.deepEqual(validateStructure('apps', 'v1', 'Deployment', d).errors, [
    { type: 'FieldValueTypeInvalid', field: 'metadata.labels', detail: 'Invalid value: "array": metadata.labels in body must be of type object: "array"' },
    { type: 'FieldValueTypeInvalid', field: 'spec.replicas', detail: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"' },
    {
      type: 'FieldValueTypeInvalid',
      field: 'spec.template.spec.containers[0].ports[0].containerPort',
      detail: 'Invalid value: "number": spec.template.spec.containers[0].ports[0].containerPort in body must be of type integer: "number"',
    },
  ]);
});

test('null, quantities, int-or-string, bytes and timestamps follow the Go decoder', () => {
  const ok = (kind: string, obj: unknown) => assert.deepEqual(validateStructure('', 'v1', kind, obj), { unknownFields: [], errors: [] }, JSON.stringify(obj));
  ok('Pod', { metadata: { name: null, labels: null }, spec: { containers: null, nodeName: null } });
  ok('Pod', { spec: { containers: [{ name: 'a', resources: { limits: { cpu: 2, memory: '1Gi' } } }] } });
  ok('Secret', { metadata: { name: 's' }, data: { a: 'aGVsbG8=', b: 'aGVs\nbG8=' }, stringData: { c: 'plain' } });
  ok('Event', { metadata: { name: 'e' }, eventTime: '2026-01-02T03:04:05.123456Z', firstTimestamp: '2026-01-02T03:04:05+02:00' });
  // FieldsV1 is free-form: managedFields entries carry any field set.
  ok('ConfigMap', { metadata: { managedFields: [{ manager: 'kubectl', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }] } });

  const bad = validateStructure('', 'v1', 'Secret', { metadata: { creationTimestamp: 'yesterday' }, data: { a: 'not base64!' } });
  assert.deepEqual(bad.errors, [
    { type: 'FieldValueTypeInvalid', field: 'metadata.creationTimestamp', detail: 'Invalid value: "yesterday": metadata.creationTimestamp in body must be of type date-time: "yesterday"' },
    { type: 'FieldValueTypeInvalid', field: 'data.a', detail: 'Invalid value: "not base64!": data.a in body must be of type byte: "not base64!"' },
  ]);
  const probe = validateStructure('', 'v1', 'Pod', { spec: { containers: [{ name: 'a', livenessProbe: { httpGet: { port: true } }, resources: { limits: { cpu: [] } } }] } });
  assert.deepEqual(
    probe.errors.map((e) => e.field),
    ['spec.containers[0].livenessProbe.httpGet.port', 'spec.containers[0].resources.limits.cpu'],
  );
  assert.match(probe.errors[0].detail, /must be of type integer,string: "boolean"$/);
});

test('subresource and meta kinds validate too; a kind without a schema reports nothing', () => {
  assert.deepEqual(validateStructure('autoscaling', 'v1', 'Scale', { spec: { replicas: 2, replicaz: 1 } }).unknownFields, ['spec.replicaz']);
  assert.deepEqual(validateStructure('', 'v1', 'Binding', { target: { kind: 'Node', name: 'n1' } }), { unknownFields: [], errors: [] });
  assert.deepEqual(validateStructure('apps', 'v1', 'DeleteOptions', { propagationPolicy: 'Background', gracePeriod: 1 }).unknownFields, ['gracePeriod']);
  assert.deepEqual(validateStructure('example.com', 'v1', 'Widget', { anything: 1 }), { unknownFields: [], errors: [] });
});
