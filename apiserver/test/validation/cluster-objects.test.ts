// Namespaces, nodes, endpoints, endpoint slices, leases, service accounts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { validateStatusUpdate } from '../../src/validation/index.ts';
import { createErrors, stored, updateErrors } from './helpers.ts';

test('namespaces: DNS-1123 label names, valid spec finalizers', () => {
  assert.deepEqual(createErrors('', 'Namespace', { metadata: { name: 'team-a' } }), []);
  assert.deepEqual(createErrors('', 'Namespace', { metadata: { name: 'team.a' } }), ['metadata.name: Invalid value: "team.a": must not contain dots']);
  assert.deepEqual(createErrors('', 'Namespace', { metadata: { name: 'x' }, spec: { finalizers: ['custom'] } }), [
    'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
  ]);
});

test('namespace status phase follows the deletion timestamp', () => {
  const old = stored('', 'Namespace', { metadata: { name: 'x' } });
  const next = structuredClone(old);
  next.status = { phase: 'Terminating' };
  assert.deepEqual(validateStatusUpdate('', 'Namespace', next, old).map((e) => `${e.field}: ${e.detail}`), [
    "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty",
  ]);
});

test('nodes: taints, pod CIDRs set once, capacity quantities', () => {
  const node: KubeObject = {
    metadata: { name: 'node-1' },
    spec: { taints: [{ key: 'k', effect: 'NoSchedule' }, { key: 'k', effect: 'NoSchedule', value: 'v' }, { key: 'z', effect: 'Sometimes' }], podCIDRs: ['10.244.1.0/24'] },
    status: { capacity: { cpu: '4', memory: 'lots' } },
  };
  assert.deepEqual(createErrors('', 'Node', node), [
    'metadata.taints[1]: Duplicate value: core.Taint{Key:"k", Value:"v", Effect:"NoSchedule", TimeAdded:<nil>}: taints must be unique by key and effect pair',
    'metadata.taints[2].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    "status.capacity.memory: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    // allocatable defaults to capacity, bad value included
    "status.allocatable.memory: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  ]);
  const old = stored('', 'Node', { metadata: { name: 'node-1' }, spec: { podCIDRs: ['10.244.1.0/24'] } });
  const next = structuredClone(old);
  next.spec.podCIDRs = ['10.244.2.0/24'];
  next.spec.unschedulable = true;
  assert.deepEqual(updateErrors('', 'Node', next, old), ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
});

test('endpoints: real, non-special addresses and named ports', () => {
  const ep: KubeObject = {
    metadata: { name: 'web', namespace: 'default' },
    subsets: [
      { addresses: [{ ip: '10.244.1.5' }, { ip: '127.0.0.1' }], ports: [{ port: 80 }, { port: 443, name: 'https' }] },
      { ports: [{ port: 80 }] },
    ],
  };
  assert.deepEqual(createErrors('', 'Endpoints', ep), [
    'subsets[0].addresses[1].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'subsets[0].ports[0].name: Required value',
    'subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`',
  ]);
});

test('endpoint slices: addressType required and supported, addresses of that type', () => {
  const slice = (fields: Record<string, unknown>): KubeObject => ({ metadata: { name: 'web-abc', namespace: 'default' }, ...fields });
  assert.deepEqual(createErrors('discovery.k8s.io', 'EndpointSlice', slice({ endpoints: [] })), ['addressType: Required value']);
  assert.deepEqual(createErrors('discovery.k8s.io', 'EndpointSlice', slice({ addressType: 'IPv5' })), [
    'addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"',
  ]);
  assert.deepEqual(
    createErrors('discovery.k8s.io', 'EndpointSlice', slice({ addressType: 'IPv4', endpoints: [{ addresses: ['10.1.2.3'] }, { addresses: ['fd00::1'] }, { addresses: [] }], ports: [{ name: 'http', port: 80 }] })),
    [
      'endpoints[1].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address',
      'endpoints[2].addresses: Required value: must contain at least 1 address',
    ],
  );
  const old = stored('discovery.k8s.io', 'EndpointSlice', slice({ addressType: 'IPv4' }));
  const next = structuredClone(old);
  next.addressType = 'IPv6';
  assert.deepEqual(updateErrors('discovery.k8s.io', 'EndpointSlice', next, old), ['addressType: Invalid value: "IPv6": field is immutable']);
});

test('leases: positive durations', () => {
  const lease: KubeObject = { metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 0, leaseTransitions: -1 } };
  assert.deepEqual(createErrors('coordination.k8s.io', 'Lease', lease), [
    'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
  ]);
});

test('service accounts and component statuses are checked by their metadata', () => {
  assert.deepEqual(createErrors('', 'ServiceAccount', { metadata: { name: 'builder', namespace: 'default' } }), []);
  assert.equal(createErrors('', 'ServiceAccount', { metadata: { name: 'Builder', namespace: 'default' } }).length, 1);
});

test('deployment status counters cannot exceed replicas', () => {
  const old = stored('apps', 'Deployment', {
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  });
  const next = structuredClone(old);
  next.status = { replicas: 1, readyReplicas: 2, availableReplicas: 2 };
  assert.deepEqual(validateStatusUpdate('apps', 'Deployment', next, old).map((e) => `${e.field}: ${e.detail}`), [
    'status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas',
    'status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas',
  ]);
});
