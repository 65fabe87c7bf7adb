import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { getPodsToDelete } from '../../src/controllers/replicaset/pods-to-delete.ts';

let seq = 0;
function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: string; restarts?: number; created?: string; cost?: number } = {}): KubeObject {
  seq++;
  return {
    metadata: {
      name,
      uid: `uid-${seq}`,
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } } : {}),
    },
    spec: { nodeName: o.node },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2026-01-01T00:00:00Z' }],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  };
}

const names = (pods: KubeObject[]) => pods.map((p) => p.metadata.name);

describe('which pods a ReplicaSet deletes first', () => {
  it('unscheduled, then pending, then not ready', () => {
    const running = pod('running', { node: 'n1' });
    const notReady = pod('not-ready', { node: 'n1', ready: false });
    const pending = pod('pending', { node: 'n1', phase: 'Pending', ready: false });
    const unscheduled = pod('unscheduled', { phase: 'Pending', ready: false });
    const all = [running, notReady, pending, unscheduled];
    assert.deepEqual(names(getPodsToDelete(all, all, 3)), ['unscheduled', 'pending', 'not-ready']);
  });

  it('lower deletion cost first, then pods sharing a node with more of the workload', () => {
    const cheap = pod('cheap', { node: 'n1', cost: -10 });
    const crowded = pod('crowded', { node: 'n2' });
    const alone = pod('alone', { node: 'n3' });
    const neighbour = pod('neighbour', { node: 'n2' });
    const all = [alone, crowded, cheap];
    assert.deepEqual(names(getPodsToDelete(all, [...all, neighbour], 2)), ['cheap', 'crowded']);
  });

  it('ready for less time, restarted more, newer', () => {
    const old = pod('old', { node: 'a', readySince: '2026-01-01T00:00:00Z' });
    const fresh = pod('fresh', { node: 'b', readySince: '2026-01-02T00:00:00Z' });
    assert.deepEqual(names(getPodsToDelete([old, fresh], [], 1)), ['fresh']);
    const flaky = pod('flaky', { node: 'c', restarts: 5 });
    const steady = pod('steady', { node: 'd' });
    assert.deepEqual(names(getPodsToDelete([steady, flaky], [], 1)), ['flaky']);
    const older = pod('older', { node: 'e', created: '2026-01-01T00:00:00Z' });
    const newer = pod('newer', { node: 'f', created: '2026-01-03T00:00:00Z' });
    assert.deepEqual(names(getPodsToDelete([older, newer], [], 1)), ['newer']);
  });

  it('all of them when asked for as many', () => {
    const all = [pod('a'), pod('b')];
    assert.equal(getPodsToDelete(all, all, 5).length, 2);
  });
});
