import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { observeNodeHealth, silencedConditions } from '../../src/controllers/nodelifecycle/node-health.ts';

const node = (heartbeat?: string, transition = '2026-01-01T00:00:00Z'): KubeObject => ({
  metadata: { name: 'n', creationTimestamp: '2026-01-01T00:00:00Z' },
  status: heartbeat ? { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: heartbeat, lastTransitionTime: transition }] } : {},
});
const lease = (renew: string): KubeObject => ({ metadata: { name: 'n' }, spec: { renewTime: renew } });

describe('node health bookkeeping', () => {
  it('a new heartbeat or a renewed lease moves the probe time to our now', () => {
    let h = observeNodeHealth(undefined, node('2026-01-01T00:00:10Z'), undefined, 1_000);
    assert.equal(h.probeTimestamp, 1_000);
    h = observeNodeHealth(h, node('2026-01-01T00:00:10Z'), undefined, 5_000);
    assert.equal(h.probeTimestamp, 1_000, 'nothing new heard');
    h = observeNodeHealth(h, node('2026-01-01T00:00:10Z'), lease('2026-01-01T00:00:20.000000Z'), 6_000);
    assert.equal(h.probeTimestamp, 6_000, 'lease renewed');
    h = observeNodeHealth(h, node('2026-01-01T00:00:10Z'), lease('2026-01-01T00:00:20.000000Z'), 9_000);
    assert.equal(h.probeTimestamp, 6_000, 'same renewTime is not a renewal');
    h = observeNodeHealth(h, node('2026-01-01T00:00:30Z'), lease('2026-01-01T00:00:20.000000Z'), 10_000);
    assert.equal(h.probeTimestamp, 10_000, 'status heartbeat');
    assert.equal(h.readyTransitionTimestamp, 1_000, 'no transition');
  });

  it('a node that never posted counts from its creation', () => {
    const h = observeNodeHealth(undefined, node(), undefined, Date.parse('2026-01-01T00:05:00Z'));
    assert.equal(h.probeTimestamp, Date.parse('2026-01-01T00:00:00Z'));
  });

  it('silence makes Ready and the pressure conditions Unknown, once', () => {
    const conds = silencedConditions(node('2026-01-01T00:00:10Z'), '2026-01-01T00:01:00Z')!;
    const ready = conds.find((c) => c.type === 'Ready')!;
    assert.equal(ready.status, 'Unknown');
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    assert.equal(ready.lastHeartbeatTime, '2026-01-01T00:00:10Z', 'the heartbeat is the kubelet\'s, kept');
    const mem = conds.find((c) => c.type === 'MemoryPressure')!;
    assert.equal(mem.reason, 'NodeStatusNeverUpdated');
    assert.equal(silencedConditions({ ...node(), status: { conditions: conds } }, '2026-01-01T00:02:00Z'), undefined);
  });
});
