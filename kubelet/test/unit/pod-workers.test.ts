import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { waitFor } from '@minik8s/shared/testing';
import type { Pod } from '../../src/api/pod.ts';
import { PodWorkers, podGracePeriodSeconds, type PodSyncer, type SyncResult } from '../../src/pod-workers/pod-workers.ts';
import { c, pod } from '../support/fixtures.ts';

/** A syncer that records calls and lets the test decide when each syncPod finishes. */
class RecordingSyncer implements PodSyncer {
  calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  gates: (() => void)[] = [];
  result: SyncResult = { terminal: false };
  gate = false;

  async syncPod(p: Pod): Promise<SyncResult> {
    this.calls.push(`sync ${p.metadata.name} ${p.metadata.resourceVersion ?? ''}`.trim());
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (this.gate) await new Promise<void>((r) => this.gates.push(r));
    this.inFlight--;
    return this.result;
  }
  async syncTerminatingPod(p: Pod, grace: number): Promise<void> {
    this.calls.push(`terminating ${p.metadata.name} ${grace}`);
  }
  async syncTerminatedPod(p: Pod): Promise<void> {
    this.calls.push(`terminated ${p.metadata.name}`);
  }
  async cleanupPod(p: Pod): Promise<void> {
    this.calls.push(`cleanup ${p.metadata.name}`);
  }
  release(): void {
    const g = this.gates.shift();
    g?.();
  }
}

function version(p: Pod, rv: string, extra: Partial<Pod['metadata']> = {}): Pod {
  return { ...p, metadata: { ...p.metadata, resourceVersion: rv, ...extra } };
}

describe('PodWorkers', () => {
  test('updates of one pod are serialized and only the latest pending one is handled', async () => {
    const s = new RecordingSyncer();
    s.gate = true;
    const w = new PodWorkers({ syncer: s });
    const p = pod({ containers: [c('a')] });
    w.update({ pod: version(p, '1'), type: 'create' });
    await waitFor(() => s.gates.length === 1);
    w.update({ pod: version(p, '2'), type: 'update' });
    w.update({ pod: version(p, '3'), type: 'update' });
    w.update({ pod: version(p, '4'), type: 'update' });
    s.release();
    await waitFor(() => s.gates.length === 1);
    s.release();
    await w.shutdown();
    assert.deepEqual(s.calls, ['sync p 1', 'sync p 4']);
    assert.equal(s.maxInFlight, 1);
  });

  test('different pods sync concurrently', async () => {
    const s = new RecordingSyncer();
    s.gate = true;
    const w = new PodWorkers({ syncer: s });
    w.update({ pod: pod({ containers: [c('a')] }, { name: 'x', uid: 'x' }), type: 'create' });
    w.update({ pod: pod({ containers: [c('a')] }, { name: 'y', uid: 'y' }), type: 'create' });
    await waitFor(() => s.gates.length === 2);
    assert.equal(s.maxInFlight, 2);
    s.release();
    s.release();
    await w.shutdown();
  });

  test('a deleted pod is terminated once with its grace period, then cleaned up when it is gone', async () => {
    const s = new RecordingSyncer();
    const w = new PodWorkers({ syncer: s });
    const p = pod({ terminationGracePeriodSeconds: 30, containers: [c('a')] });
    w.update({ pod: p, type: 'create' });
    await waitFor(() => s.calls.length === 1);
    w.update({ pod: version(p, '2', { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 7 }), type: 'update' });
    await waitFor(() => s.calls.includes('terminated p'));
    assert.equal(w.state('uid-1'), 'terminated');
    w.update({ pod: p, type: 'kill' });
    await waitFor(() => !w.has('uid-1'));
    assert.deepEqual(s.calls, ['sync p', 'terminating p 7', 'terminated p', 'cleanup p']);
  });

  test('a pod that reached a terminal phase stops without being removed; a failed sync is retried', async () => {
    const s = new RecordingSyncer();
    s.result = { terminal: true };
    const w = new PodWorkers({ syncer: s, retryDelayMs: 10 });
    w.update({ pod: pod({ containers: [c('a')] }), type: 'create' });
    await waitFor(() => s.calls.includes('terminated p'));
    assert.equal(w.has('uid-1'), true);

    let failures = 1;
    const flaky = new RecordingSyncer();
    flaky.syncPod = async (p: Pod) => {
      flaky.calls.push(`sync ${p.metadata.name}`);
      if (failures-- > 0) throw new Error('runtime hiccup');
      return { terminal: false };
    };
    const w2 = new PodWorkers({ syncer: flaky, retryDelayMs: 10 });
    w2.update({ pod: pod({ containers: [c('a')] }), type: 'create' });
    await waitFor(() => flaky.calls.length === 2, { message: 'the failed sync was not retried' });
    await w.shutdown();
    await w2.shutdown();
  });

  test('grace period: deletionGracePeriodSeconds, else the spec, else 30 s; an override only shortens it', () => {
    assert.equal(podGracePeriodSeconds(pod({ containers: [] })), 30);
    assert.equal(podGracePeriodSeconds(pod({ terminationGracePeriodSeconds: 5, containers: [] })), 5);
    assert.equal(podGracePeriodSeconds(pod({ terminationGracePeriodSeconds: 5, containers: [] }, { deletionGracePeriodSeconds: 1 })), 1);
    assert.equal(podGracePeriodSeconds(pod({ terminationGracePeriodSeconds: 5, containers: [] }), 60), 5);
  });
});
