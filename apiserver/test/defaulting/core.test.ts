import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { applyDefaults } from '../../src/defaulting/index.ts';

test('a new Namespace: name label, kubernetes finalizer, Active', () => {
  const ns: KubeObject = { kind: 'Namespace', metadata: { name: 'team-a' } };
  applyDefaults('', 'Namespace', ns);
  assert.deepEqual(ns, {
    kind: 'Namespace',
    metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
});

test('a stored Namespace whose finalizer was removed does not get it back', () => {
  const ns: KubeObject = { kind: 'Namespace', metadata: { name: 'team-a', resourceVersion: '42', deletionTimestamp: '2025-01-01T00:00:00Z' }, spec: { finalizers: [] }, status: { phase: 'Terminating' } };
  applyDefaults('', 'Namespace', ns);
  assert.deepEqual(ns.spec.finalizers, []);
  assert.equal(ns.status.phase, 'Terminating');
});

test('Secrets: Opaque by default; stringData folds into data', () => {
  const s: KubeObject = { kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { a: 'MQ==', b: 'Mg==' }, stringData: { b: 'two', c: 'three' } };
  applyDefaults('', 'Secret', s);
  assert.equal(s.type, 'Opaque');
  assert.deepEqual(s.data, { a: 'MQ==', b: Buffer.from('two').toString('base64'), c: Buffer.from('three').toString('base64') });
  assert.equal(s.stringData, undefined);
});

test("a Node's allocatable defaults to its capacity", () => {
  const n: KubeObject = { kind: 'Node', metadata: { name: 'n1' }, status: { capacity: { cpu: '4', memory: '8192Mi' } } };
  applyDefaults('', 'Node', n);
  assert.deepEqual(n.status.allocatable, { cpu: '4', memory: '8Gi' });
});

test('Endpoints and EndpointSlice ports default to TCP', () => {
  const ep: KubeObject = { kind: 'Endpoints', metadata: { name: 'e', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] };
  applyDefaults('', 'Endpoints', ep);
  assert.equal((ep.subsets as any)[0].ports[0].protocol, 'TCP');
  const slice: KubeObject = { kind: 'EndpointSlice', metadata: { name: 'e-1', namespace: 'default' }, addressType: 'IPv4', ports: [{ port: 80 }] };
  applyDefaults('discovery.k8s.io', 'EndpointSlice', slice);
  assert.deepEqual(slice.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
});

test('Leases, ConfigMaps and Events have no defaults', () => {
  for (const [group, kind] of [['coordination.k8s.io', 'Lease'], ['', 'ConfigMap'], ['', 'Event']] as const) {
    const o: KubeObject = { kind, metadata: { name: 'x', namespace: 'default' }, spec: { holderIdentity: 'a' } };
    const before = structuredClone(o);
    applyDefaults(group, kind, o);
    assert.deepEqual(o, before, kind);
  }
});
