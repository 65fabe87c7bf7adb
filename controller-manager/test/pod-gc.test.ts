// The pod garbage collector, in-process (its period and quarantine have no flags) against a
// real apiserver + etcd.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { isNotFound } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';
import { startCluster, type TestCluster } from './support/cluster.ts';
import { inProcessContext } from './support/in-process.ts';
import { PodGCController } from '../src/controllers/podgc/pod-gc-controller.ts';

describe('pod garbage collector', { timeout: 90_000 }, () => {
  let cluster: TestCluster;
  let ctx: ReturnType<typeof inProcessContext>;
  const stop = new AbortController();
  let running: Promise<void>;

  before(async () => {
    cluster = await startCluster();
    ctx = inProcessContext(cluster.url, { terminatedPodGCThreshold: 2 });
    const gc = new PodGCController(ctx, { periodMs: 100, quarantineMs: 500 });
    ctx.informerFactory.start(stop.signal);
    running = gc.run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    await ctx?.informerFactory.shutdown();
    await ctx?.close();
    await cluster?.stop();
  });

  const pod = (name: string, ns: string, nodeName?: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'app', image: 'img:1' }] },
  });
  const exists = async (name: string, ns: string) => {
    try {
      await cluster.client.get('pods', name, { namespace: ns });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  };

  it('force-deletes the pods of a node that no longer exists, after the quarantine', async () => {
    const ns = 'orphans';
    await cluster.createNamespace(ns);
    await cluster.client.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'doomed' } } as KubeObject);
    await cluster.client.create('pods', pod('p1', ns, 'doomed'));
    await cluster.client.create('pods', pod('p2', ns, 'doomed'));
    await cluster.client.create('pods', pod('elsewhere', ns, 'still-here'));
    await cluster.client.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'still-here' } } as KubeObject);
    const deletedAt = Date.now();
    await cluster.client.delete('nodes', 'doomed');
    await waitFor(async () => !(await exists('p1', ns)) && !(await exists('p2', ns)), { timeoutMs: 10_000, message: 'orphaned pods deleted' });
    assert.ok(Date.now() - deletedAt >= 500, 'not before the quarantine');
    assert.equal(await exists('elsewhere', ns), true);
  });

  it('keeps at most --terminated-pod-gc-threshold terminated pods, deleting the oldest', async () => {
    const ns = 'terminated';
    await cluster.createNamespace(ns);
    // Creation times are whole seconds: space the pods so "oldest" is well defined.
    for (const name of ['t1', 't2', 't3', 't4']) {
      const created = await cluster.client.create<KubeObject>('pods', pod(name, ns));
      await cluster.client.updateStatus('pods', { ...created, status: { ...created.status, phase: 'Succeeded' } });
      // The next pod's second must differ: wait for the wall clock to leave this one's.
      const second = created.metadata.creationTimestamp;
      if (name !== 't4') await waitFor(() => new Date().toISOString().replace(/\.\d+Z$/, 'Z') !== second, { timeoutMs: 3_000, intervalMs: 20, message: 'the next second' });
    }
    await waitFor(async () => !(await exists('t1', ns)) && !(await exists('t2', ns)), { timeoutMs: 10_000, message: 'the two oldest deleted' });
    assert.equal(await exists('t3', ns), true);
    assert.equal(await exists('t4', ns), true);
  });
});
