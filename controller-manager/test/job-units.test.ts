// The pure pieces of the Job controllers: completed index intervals, the pod failure backoff,
// conditions and the TTL arithmetic.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { OrderedIntervals, calculateSucceededIndexes, duplicatedIndexPodsForRemoval, firstPendingIndexes, indexedPodTemplate } from '../src/controllers/job/indexed-job.ts';
import { PodBackoffStore, remainingBackoffMs } from '../src/controllers/job/pod-failure-backoff.ts';
import { ensureJobConditionStatus, isPodFailed, podFinishedTime } from '../src/controllers/job/job-util.ts';
import { ttlRemainingMs } from '../src/controllers/job/ttl-after-finished-controller.ts';

const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function indexedPod(ix: number | undefined, phase: string, opts: { finalizer?: boolean; ready?: boolean; created?: number } = {}): KubeObject {
  return {
    metadata: {
      name: `p${ix}-${phase}`,
      uid: `${ix}-${phase}-${opts.created ?? 0}`,
      creationTimestamp: iso(T0 + (opts.created ?? 0)),
      annotations: ix === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': String(ix) },
      finalizers: opts.finalizer === false ? [] : ['batch.kubernetes.io/job-tracking'],
    },
    spec: { nodeName: 'n' },
    status: { phase, conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False' }] },
  };
}

function finished(phase: 'Succeeded' | 'Failed', at: number): KubeObject {
  return { metadata: { name: `${phase}-${at}` }, status: { phase, containerStatuses: [{ state: { terminated: { finishedAt: iso(at) } } }] } };
}

describe('OrderedIntervals', () => {
  it('parses, merges and prints completed indexes', () => {
    assert.equal(OrderedIntervals.parse('1,3-5,7', 10).toString(), '1,3-5,7');
    assert.equal(OrderedIntervals.parse('1,3-5,7', 10).total(), 5);
    assert.equal(OrderedIntervals.parse('0-9', 5).toString(), '0-4', 'indexes past completions are dropped');
    assert.equal(OrderedIntervals.parse('', 5).toString(), '');
    assert.equal(OrderedIntervals.parse('1,x,2', 5).toString(), '1-2');
    const merged = OrderedIntervals.parse('1,5', 10).withOrderedIndexes([2, 3, 4, 8]);
    assert.equal(merged.toString(), '1-5,8');
    assert.ok(merged.has(3) && !merged.has(6));
  });

  it('counts succeeded pods still holding the finalizer and finds the pending indexes', () => {
    const job: KubeObject = { metadata: { name: 'j' }, spec: { completions: 5 }, status: { completedIndexes: '0' } };
    const pods = [indexedPod(2, 'Succeeded'), indexedPod(3, 'Succeeded', { finalizer: false }), indexedPod(9, 'Succeeded'), indexedPod(1, 'Running')];
    const { prev, succeeded } = calculateSucceededIndexes(job, pods);
    assert.equal(prev.toString(), '0');
    assert.equal(succeeded.toString(), '0,2', 'a pod without the finalizer was counted before; 9 is out of range');
    assert.deepEqual(firstPendingIndexes([indexedPod(1, 'Running')], succeeded, 2, 5), [3, 4]);
    assert.deepEqual(firstPendingIndexes([], succeeded, 5, 5), [1, 3, 4]);
  });

  it('removes duplicate and invalid indexes, keeping the most advanced pod of an index', () => {
    const a = indexedPod(0, 'Running', { ready: true, created: 0 });
    const b = indexedPod(0, 'Pending', { created: 1000 });
    const c = indexedPod(7, 'Running');
    const d = indexedPod(undefined, 'Running');
    const e = indexedPod(1, 'Running');
    const { rm, left } = duplicatedIndexPodsForRemoval([a, b, c, d, e], 3);
    assert.deepEqual(rm.map((p) => p.metadata.uid).sort(), [b, c, d].map((p) => p.metadata.uid).sort());
    assert.deepEqual(left.map((p) => p.metadata.uid).sort(), [a, e].map((p) => p.metadata.uid).sort());
  });

  it('gives each index its annotation, label, hostname and env var', () => {
    const t = indexedPodTemplate({ metadata: { name: 'job' } }, { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }, { name: 'd', env: [{ name: 'JOB_COMPLETION_INDEX', value: 'mine' }] }] } }, 4);
    assert.equal(t.metadata.annotations['batch.kubernetes.io/job-completion-index'], '4');
    assert.deepEqual(t.metadata.labels, { a: 'b', 'batch.kubernetes.io/job-completion-index': '4' });
    assert.equal(t.spec.hostname, 'job-4');
    assert.deepEqual(t.spec.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
    assert.deepEqual(t.spec.containers[1].env, [{ name: 'JOB_COMPLETION_INDEX', value: 'mine' }], 'a user value is kept');
  });
});

describe('pod failure backoff', () => {
  it('waits 10 s doubling per failure since the last success, capped', () => {
    const store = new PodBackoffStore();
    let rec = store.newBackoffRecord('k', [], [finished('Failed', T0)], T0);
    assert.deepEqual(rec, { key: 'k', failuresAfterLastSuccess: 1, lastFailureTime: T0 });
    assert.equal(remainingBackoffMs(rec, T0 + 4_000, 10_000, 360_000), 6_000);
    assert.equal(remainingBackoffMs(rec, T0 + 10_001, 10_000, 360_000), 0);
    store.updateBackoffRecord(rec);
    rec = store.newBackoffRecord('k', [], [finished('Failed', T0 + 20_000), finished('Failed', T0 + 21_000)], T0);
    assert.equal(rec.failuresAfterLastSuccess, 3);
    assert.equal(remainingBackoffMs(rec, T0 + 21_000, 10_000, 360_000), 40_000);
    assert.equal(remainingBackoffMs({ key: 'k', failuresAfterLastSuccess: 10, lastFailureTime: T0 }, T0, 10_000, 360_000), 360_000);
    // A success resets; only failures after it count.
    store.updateBackoffRecord(rec);
    rec = store.newBackoffRecord('k', [finished('Succeeded', T0 + 30_000)], [finished('Failed', T0 + 25_000), finished('Failed', T0 + 35_000)], T0);
    assert.deepEqual(rec, { key: 'k', failuresAfterLastSuccess: 1, lastFailureTime: T0 + 35_000 });
    // Records change only once stored.
    assert.equal(store.newBackoffRecord('k', [], [], T0).failuresAfterLastSuccess, 3);
  });

  it('reads a pod finish time from its containers, else readiness, else deletion', () => {
    assert.equal(podFinishedTime(finished('Failed', T0 + 5), 0), T0 + 5);
    assert.equal(podFinishedTime({ metadata: {}, status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: iso(T0 + 7000) }] } }, 0), T0 + 7000);
    assert.equal(podFinishedTime({ metadata: { deletionTimestamp: iso(T0 + 9000) }, status: {} }, 0), T0 + 9000);
    assert.equal(podFinishedTime({ metadata: {}, status: {} }, 42), 42);
  });
});

describe('job conditions and failures', () => {
  it('ensureJobConditionStatus appends True, updates changes, never appends False', () => {
    let r = ensureJobConditionStatus([], 'Suspended', 'False', 'JobResumed', 'Job resumed', T0);
    assert.deepEqual(r, { conditions: [], changed: false });
    r = ensureJobConditionStatus([], 'Suspended', 'True', 'JobSuspended', 'Job suspended', T0);
    assert.equal(r.changed, true);
    assert.deepEqual(r.conditions[0], { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended', lastProbeTime: iso(T0), lastTransitionTime: iso(T0) });
    assert.equal(ensureJobConditionStatus(r.conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', T0 + 1000).changed, false);
    assert.equal(ensureJobConditionStatus(r.conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', T0 + 1000).conditions[0]!.status, 'False');
  });

  it('counts a pod deleted before it succeeded as failed, unless only failed pods are replaced', () => {
    const deleting: KubeObject = { metadata: { deletionTimestamp: iso(T0) }, status: { phase: 'Running' } };
    assert.equal(isPodFailed(deleting, { metadata: {}, spec: {} }), true);
    assert.equal(isPodFailed(deleting, { metadata: {}, spec: { podReplacementPolicy: 'Failed' } }), false);
    assert.equal(isPodFailed({ metadata: { deletionTimestamp: iso(T0) }, status: { phase: 'Succeeded' } }, { metadata: {}, spec: {} }), false);
  });
});

describe('ttlRemainingMs', () => {
  const job = (ttl: number | undefined, cond?: string): KubeObject => ({
    metadata: {},
    spec: ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl },
    status: cond ? { conditions: [{ type: cond, status: 'True', lastTransitionTime: iso(T0) }] } : {},
  });
  it('counts from the Complete or Failed condition', () => {
    assert.equal(ttlRemainingMs(job(60, 'Complete'), T0 + 10_000), 50_000);
    assert.equal(ttlRemainingMs(job(0, 'Failed'), T0 + 1), -1);
    assert.equal(ttlRemainingMs(job(60, 'SuccessCriteriaMet'), T0), undefined, 'not finished yet');
    assert.equal(ttlRemainingMs(job(undefined, 'Complete'), T0), undefined, 'no TTL');
  });
});
