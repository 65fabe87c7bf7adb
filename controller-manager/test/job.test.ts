// The Job and TTL-after-finished controllers against a real apiserver + etcd (and the garbage
// collector for Foreground deletion), with kubelets replaced by WorkloadKubelets: the test
// decides when each pod succeeds or fails.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { isNotFound } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';
import { FAST_FLAGS, startCluster, type TestCluster } from './support/cluster.ts';
import { WorkloadKubelets } from './support/workload-kubelets.ts';
import { events } from './support/objects.ts';

const FINALIZER = 'batch.kubernetes.io/job-tracking';

function job(name: string, namespace: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace },
    spec: {
      template: { metadata: { labels: { app: name } }, spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox:v1', command: ['true'] }], terminationGracePeriodSeconds: 1 } },
      ...spec,
    },
  };
}

/** The Job's pods, oldest first. */
async function jobPods(cluster: TestCluster, namespace: string, name: string): Promise<KubeObject[]> {
  const list = await cluster.client.list('pods', { namespace, labelSelector: `batch.kubernetes.io/job-name=${name}` });
  return list.items.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
}

const isActive = (p: KubeObject) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

/** Waits until the Job has exactly `n` active pods, all Running; resolves them. */
async function waitForRunning(cluster: TestCluster, namespace: string, name: string, n: number): Promise<KubeObject[]> {
  return waitFor(
    async () => {
      const active = (await jobPods(cluster, namespace, name)).filter(isActive);
      return active.length === n && active.every((p) => p.status?.phase === 'Running') ? active : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, message: `${n} running pods of ${namespace}/${name}` },
  );
}

async function waitForJob(cluster: TestCluster, namespace: string, name: string, pred: (j: KubeObject) => boolean, message: string, timeoutMs = 30_000): Promise<KubeObject> {
  return waitFor(
    async () => {
      const j = await cluster.client.get('jobs.batch', name, { namespace });
      return pred(j) ? j : undefined;
    },
    { timeoutMs, intervalMs: 100, message },
  );
}

const condition = (j: KubeObject, type: string) => (j.status?.conditions ?? []).find((c: { type: string }) => c.type === type);

describe('job controller', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let kubelets: WorkloadKubelets;

  before(async () => {
    cluster = await startCluster();
    kubelets = new WorkloadKubelets(cluster.client, { nodes: ['node-a', 'node-b'], bind: true });
    await kubelets.start();
    await cluster.startControllerManager([...FAST_FLAGS, '--controllers=job,ttl-after-finished,garbagecollector']);
  });

  after(async () => {
    await kubelets?.stop();
    await cluster?.stop();
  });

  it('runs completions 3 with parallelism 2 to Complete, counting each pod once', async () => {
    const ns = 'parallel';
    await cluster.createNamespace(ns);
    // Replay every pod change: never more than 2 active pods at once.
    const list = await cluster.client.list('pods', { namespace: ns });
    const seen = new Map<string, KubeObject>();
    let maxActive = 0;
    const abort = new AbortController();
    const watching = (async () => {
      for await (const ev of cluster.client.watch('pods', { namespace: ns, resourceVersion: list.metadata.resourceVersion, signal: abort.signal })) {
        if (ev.type === 'DELETED') seen.delete(ev.object.metadata.uid!);
        else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') seen.set(ev.object.metadata.uid!, ev.object);
        maxActive = Math.max(maxActive, [...seen.values()].filter(isActive).length);
      }
    })().catch((err) => {
      if (!abort.signal.aborted) throw err;
    });

    await cluster.client.create('jobs.batch', job('batch', ns, { completions: 3, parallelism: 2 }));
    const firstTwo = await waitForRunning(cluster, ns, 'batch', 2);
    for (const p of firstTwo) {
      assert.ok(p.metadata.finalizers?.includes(FINALIZER), 'pods carry the tracking finalizer');
      assert.equal(p.metadata.ownerReferences?.[0]?.kind, 'Job');
      assert.match(p.metadata.name!, /^batch-[a-z0-9]{5}$/);
    }
    await waitForJob(cluster, ns, 'batch', (j) => j.status?.active === 2 && j.status?.ready === 2 && !!j.status?.startTime, 'active 2, ready 2');

    await kubelets.finish(ns, firstTwo[0]!.metadata.name!, 'Succeeded');
    await waitForJob(cluster, ns, 'batch', (j) => j.status?.succeeded === 1, 'succeeded 1');
    const nextTwo = await waitForRunning(cluster, ns, 'batch', 2);
    assert.ok(!nextTwo.some((p) => p.metadata.uid === firstTwo[0]!.metadata.uid));
    for (const p of nextTwo) await kubelets.finish(ns, p.metadata.name!, 'Succeeded');

    const done = await waitForJob(cluster, ns, 'batch', (j) => condition(j, 'Complete')?.status === 'True', 'Complete');
    abort.abort();
    await watching;
    assert.equal(maxActive, 2, 'parallelism bounds the active pods');
    assert.equal(done.status.succeeded, 3);
    assert.equal(done.status.failed ?? 0, 0);
    assert.equal(done.status.active ?? 0, 0);
    assert.deepEqual(done.status.uncountedTerminatedPods, {});
    assert.ok(done.status.completionTime);
    assert.equal(condition(done, 'SuccessCriteriaMet')?.status, 'True');
    assert.equal(condition(done, 'Complete')?.reason, 'CompletionsReached');
    const pods = await jobPods(cluster, ns, 'batch');
    assert.equal(pods.length, 3, 'exactly three pods ran');
    for (const p of pods) assert.ok(!p.metadata.finalizers?.includes(FINALIZER), `${p.metadata.name} was counted and released`);
    const evs = await events(cluster.client, ns, 'batch');
    assert.ok(evs.some((e) => e.reason === 'Completed' && e.message === 'Job completed'));
    assert.equal(evs.filter((e) => e.reason === 'SuccessfulCreate').reduce((n, e) => n + (e.count as number), 0), 3);
  });

  it('stops at backoffLimit with the Failed condition, after the pod failure backoff', async () => {
    const ns = 'failing';
    await cluster.createNamespace(ns);
    await cluster.client.create('jobs.batch', job('flaky', ns, { backoffLimit: 1 }));
    const [first] = await waitForRunning(cluster, ns, 'flaky', 1);
    await kubelets.finish(ns, first!.metadata.name!, 'Failed');
    const failedAt = Date.parse((await cluster.client.get('pods', first!.metadata.name!, { namespace: ns })).status.containerStatuses[0].state.terminated.finishedAt);
    await waitForJob(cluster, ns, 'flaky', (j) => j.status?.failed === 1, 'failed 1');
    // The replacement waits out the 10 s backoff after the first failure.
    const [second] = await waitForRunning(cluster, ns, 'flaky', 1);
    assert.notEqual(second!.metadata.uid, first!.metadata.uid);
    const createdAt = Date.parse(second!.metadata.creationTimestamp!);
    assert.ok(createdAt - failedAt >= 9_000, `replacement created ${createdAt - failedAt} ms after the failure`);

    await kubelets.finish(ns, second!.metadata.name!, 'Failed');
    const failed = await waitForJob(cluster, ns, 'flaky', (j) => condition(j, 'Failed')?.status === 'True', 'Failed');
    assert.equal(condition(failed, 'Failed').reason, 'BackoffLimitExceeded');
    assert.equal(condition(failed, 'Failed').message, 'Job has reached the specified backoff limit');
    assert.equal(condition(failed, 'FailureTarget')?.status, 'True');
    assert.equal(failed.status.failed, 2);
    assert.equal(failed.status.active ?? 0, 0);
    assert.equal(failed.status.completionTime, undefined);
    assert.equal((await jobPods(cluster, ns, 'flaky')).length, 2, 'no pod after the limit');
    const evs = await events(cluster.client, ns, 'flaky');
    assert.ok(evs.some((e) => e.type === 'Warning' && e.reason === 'BackoffLimitExceeded'));
  });

  it('runs an Indexed Job: one pod per index, completedIndexes as intervals', async () => {
    const ns = 'indexed';
    await cluster.createNamespace(ns);
    await cluster.client.create('jobs.batch', job('idx', ns, { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    const pods = await waitForRunning(cluster, ns, 'idx', 3);
    const byIndex = new Map(pods.map((p) => [p.metadata.annotations!['batch.kubernetes.io/job-completion-index'], p]));
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
    for (const [ix, p] of byIndex) {
      assert.equal(p.metadata.labels!['batch.kubernetes.io/job-completion-index'], ix);
      assert.equal(p.spec.hostname, `idx-${ix}`);
      assert.match(p.metadata.name!, new RegExp(`^idx-${ix}-[a-z0-9]{5}$`));
      assert.deepEqual(p.spec.containers[0].env, [
        { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
      ]);
    }
    await kubelets.finish(ns, byIndex.get('1')!.metadata.name!, 'Succeeded');
    await waitForJob(cluster, ns, 'idx', (j) => j.status?.completedIndexes === '1' && j.status?.succeeded === 1, 'index 1 completed');
    await kubelets.finish(ns, byIndex.get('0')!.metadata.name!, 'Succeeded');
    await kubelets.finish(ns, byIndex.get('2')!.metadata.name!, 'Succeeded');
    const done = await waitForJob(cluster, ns, 'idx', (j) => condition(j, 'Complete')?.status === 'True', 'Complete');
    assert.equal(done.status.completedIndexes, '0-2');
    assert.equal(done.status.succeeded, 3);
  });

  it('fails a Job past activeDeadlineSeconds and stops its pods', async () => {
    const ns = 'deadline';
    await cluster.createNamespace(ns);
    await cluster.client.create('jobs.batch', job('slow', ns, { activeDeadlineSeconds: 2, backoffLimit: 5 }));
    const [pod] = await waitForRunning(cluster, ns, 'slow', 1);
    const failed = await waitForJob(cluster, ns, 'slow', (j) => condition(j, 'Failed')?.status === 'True', 'Failed by the deadline');
    assert.equal(condition(failed, 'Failed').reason, 'DeadlineExceeded');
    assert.equal(condition(failed, 'Failed').message, 'Job was active longer than specified deadline');
    assert.ok(Date.parse(condition(failed, 'FailureTarget').lastTransitionTime) - Date.parse(failed.status.startTime) >= 2_000);
    // Every pod the Job ran counts as failed (one, unless a slow machine let the kubelet stand-in
    // finish the first before the deadline and a replacement start).
    assert.ok(failed.status.failed >= 1, 'the stopped pod counts as failed');
    assert.equal(failed.status.succeeded ?? 0, 0);
    assert.equal(failed.status.active ?? 0, 0);
    // The pod was stopped and, counted, left to go.
    await waitFor(async () => {
      try {
        await cluster.client.get('pods', pod!.metadata.name!, { namespace: ns });
        return false;
      } catch (err) {
        return isNotFound(err);
      }
    }, { message: 'the pod is gone' });
  });

  it('suspends a Job (its pods go, Suspended condition) and resumes it', async () => {
    const ns = 'suspend';
    await cluster.createNamespace(ns);
    await cluster.client.create('jobs.batch', job('pausable', ns, { parallelism: 2, completions: 4 }));
    const running = await waitForRunning(cluster, ns, 'pausable', 2);
    await cluster.client.patch('jobs.batch', 'pausable', { spec: { suspend: true } }, { namespace: ns, type: 'merge' });
    const suspended = await waitForJob(cluster, ns, 'pausable', (j) => condition(j, 'Suspended')?.status === 'True' && (j.status?.active ?? 0) === 0, 'Suspended');
    assert.equal(condition(suspended, 'Suspended').reason, 'JobSuspended');
    await waitFor(async () => (await jobPods(cluster, ns, 'pausable')).filter(isActive).length === 0, { message: 'no active pod' });
    // Pods removed for a suspension are not failures.
    assert.equal(suspended.status.failed ?? 0, 0);
    await cluster.client.patch('jobs.batch', 'pausable', { spec: { suspend: false } }, { namespace: ns, type: 'merge' });
    const again = await waitForRunning(cluster, ns, 'pausable', 2);
    assert.ok(again.every((p) => !running.some((r) => r.metadata.uid === p.metadata.uid)), 'new pods');
    const resumed = await waitForJob(cluster, ns, 'pausable', (j) => condition(j, 'Suspended')?.status === 'False', 'Resumed');
    assert.equal(condition(resumed, 'Suspended').reason, 'JobResumed');
  });

  it('deletes a finished Job and its pods ttlSecondsAfterFinished later', async () => {
    const ns = 'ttl';
    await cluster.createNamespace(ns);
    await cluster.client.create('jobs.batch', job('short', ns, { ttlSecondsAfterFinished: 1 }));
    const [pod] = await waitForRunning(cluster, ns, 'short', 1);
    await kubelets.finish(ns, pod!.metadata.name!, 'Succeeded');
    const done = await waitForJob(cluster, ns, 'short', (j) => condition(j, 'Complete')?.status === 'True', 'Complete');
    const finishedAt = Date.parse(condition(done, 'Complete').lastTransitionTime);
    await waitFor(
      async () => {
        try {
          await cluster.client.get('jobs.batch', 'short', { namespace: ns });
          return false;
        } catch (err) {
          return isNotFound(err);
        }
      },
      { timeoutMs: 30_000, message: 'the Job is deleted' },
    );
    assert.ok(Date.now() - finishedAt >= 1_000, 'not before its TTL');
    assert.equal((await jobPods(cluster, ns, 'short')).length, 0, 'its pods went with it');
  });
});
