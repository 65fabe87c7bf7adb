// client-node's Watch and informer (makeInformer) against our apiserver: every event type,
// a relist after 410 Expired (the apiserver keeps only 20 events per resource here), and
// recovery after the apiserver restarts.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, Watch, makeInformer, type ListWatch, type V1Pod } from '@kubernetes/client-node';
import { waitFor } from '@minik8s/shared/testing';
import { startKubeEnv, type KubeEnv } from '../support/kube-env.ts';
import { requireNodeForClientNode } from '../support/node-version.ts';
import { pod } from '../support/manifests.ts';

const WATCH_CACHE_SIZE = 20;

let env: KubeEnv;
let kc: KubeConfig;
let core: CoreV1Api;

before(async () => {
  requireNodeForClientNode();
  env = await startKubeEnv({ apiserverArgs: [`--watch-cache-size=${WATCH_CACHE_SIZE}`] });
  kc = new KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  for (const name of ['cw-watch', 'cw-inf', 'cw-410', 'cw-restart']) await core.createNamespace({ body: { metadata: { name } } });
});

after(async () => {
  await env?.stop();
});

describe('Watch', () => {
  it('sees ADDED, MODIFIED and DELETED, each with a resourceVersion', async () => {
    const namespace = 'cw-watch';
    const events: { type: string; name: string; rv: string; labels: Record<string, string> }[] = [];
    let ended: unknown = 'not ended';
    const list = await core.listNamespacedPod({ namespace });
    const controller = await new Watch(kc).watch(
      `/api/v1/namespaces/${namespace}/pods`,
      { resourceVersion: list.metadata?.resourceVersion },
      (type, obj) => events.push({ type, name: obj.metadata?.name, rv: obj.metadata?.resourceVersion, labels: obj.metadata?.labels ?? {} }),
      (err) => {
        ended = err;
      },
    );
    try {
      await core.createNamespacedPod({ namespace, body: pod('a') as V1Pod });
      await core.patchNamespacedPod({ namespace, name: 'a', body: [{ op: 'add', path: '/metadata/labels', value: { step: 'two' } }] });
      await core.deleteNamespacedPod({ namespace, name: 'a' });
      await waitFor(() => events.length >= 3, { message: `three events (got ${JSON.stringify(events)})` });
      assert.deepEqual(
        events.map((e) => [e.type, e.name]),
        [
          ['ADDED', 'a'],
          ['MODIFIED', 'a'],
          ['DELETED', 'a'],
        ],
      );
      assert.deepEqual(events[1].labels, { step: 'two' });
      for (const e of events) assert.match(e.rv, /^\d+$/);
      assert.ok(Number(events[0].rv) < Number(events[1].rv) && Number(events[1].rv) < Number(events[2].rv), 'resourceVersions increase');
      assert.equal(ended, 'not ended', 'the server keeps the watch open');
    } finally {
      controller.abort();
    }
  });

  it('a watch from resourceVersion 0 starts with the current objects as ADDED', async () => {
    const namespace = 'cw-watch';
    await core.createNamespacedPod({ namespace, body: pod('existing') as V1Pod });
    const events: [string, string][] = [];
    const controller = await new Watch(kc).watch(`/api/v1/namespaces/${namespace}/pods`, { resourceVersion: '0' }, (type, obj) => events.push([type, obj.metadata?.name]), () => {});
    try {
      await waitFor(() => events.length >= 1, { message: 'the synthetic ADDED' });
      assert.deepEqual(events[0], ['ADDED', 'existing']);
    } finally {
      controller.abort();
    }
  });
});

/** An informer on the pods of one namespace, recording what its handlers saw and how often it listed. */
function podInformer(namespace: string): { informer: ListWatch<V1Pod>; seen: string[]; lists: () => number; errors: unknown[] } {
  let lists = 0;
  const seen: string[] = [];
  const errors: unknown[] = [];
  // makeInformer builds a ListWatch; its type says so only in part (latestResourceVersion).
  const informer = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${namespace}/pods`, () => {
    lists++;
    return core.listNamespacedPod({ namespace });
  }) as ListWatch<V1Pod>;
  informer.on('add', (p) => seen.push(`add ${p.metadata?.name}`));
  informer.on('update', (p) => seen.push(`update ${p.metadata?.name}`));
  informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
  informer.on('error', (err) => errors.push(err));
  return { informer, seen, lists: () => lists, errors };
}

function cachedNames(informer: ListWatch<V1Pod>): string[] {
  return informer
    .list()
    .map((p) => p.metadata!.name!)
    .sort();
}

describe('makeInformer', () => {
  it('lists, then delivers add, update and delete to its handlers and keeps its cache', async () => {
    const namespace = 'cw-inf';
    await core.createNamespacedPod({ namespace, body: pod('before') as V1Pod });
    const { informer, seen, lists } = podInformer(namespace);
    await informer.start();
    try {
      assert.equal(lists(), 1);
      assert.deepEqual(seen, ['add before']);
      await core.createNamespacedPod({ namespace, body: pod('x') as V1Pod });
      await waitFor(() => seen.includes('add x'), { message: 'add x' });
      await core.patchNamespacedPod({ namespace, name: 'x', body: [{ op: 'add', path: '/metadata/labels', value: { v: '2' } }] });
      await waitFor(() => informer.get('x', namespace)?.metadata?.labels?.v === '2', { message: 'the cache has the update' });
      assert.ok(seen.includes('update x'));
      await core.deleteNamespacedPod({ namespace, name: 'before' });
      await waitFor(() => seen.includes('delete before'), { message: 'delete before' });
      assert.deepEqual(cachedNames(informer), ['x']);
      assert.equal(lists(), 1, 'no relist while the watch is healthy');
    } finally {
      await informer.stop();
    }
  });

  it(`relists after 410 Expired when it resumes from a resourceVersion older than the ${WATCH_CACHE_SIZE} events the server keeps`, async () => {
    const namespace = 'cw-410';
    await core.createNamespacedPod({ namespace, body: pod('old-1') as V1Pod });
    await core.createNamespacedPod({ namespace, body: pod('old-2') as V1Pod });
    const { informer, seen, lists } = podInformer(namespace);
    await informer.start();
    try {
      assert.deepEqual(cachedNames(informer), ['old-1', 'old-2']);
      const staleRV = informer.latestResourceVersion();

      // While the informer is stopped, more pod events than the watch cache keeps.
      await informer.stop();
      for (let i = 0; i < WATCH_CACHE_SIZE + 5; i++) {
        await core.createNamespacedPod({ namespace, body: pod(`churn-${i}`) as V1Pod });
        await core.deleteNamespacedPod({ namespace, name: `churn-${i}` });
      }
      await core.deleteNamespacedPod({ namespace, name: 'old-1' });
      await core.createNamespacedPod({ namespace, body: pod('new-1') as V1Pod });

      // Resuming watches from staleRV: the server must answer 410 (as an HTTP status or an
      // ERROR event); the informer then lists again and reconciles its cache.
      seen.length = 0;
      await informer.start();
      await waitFor(() => lists() >= 2 && cachedNames(informer).join() === 'new-1,old-2', {
        timeoutMs: 20_000,
        message: `a relist after 410 (lists=${lists()}, cache=${cachedNames(informer)}, rv ${staleRV} -> ${informer.latestResourceVersion()})`,
      });
      assert.equal(lists(), 2);
      assert.ok(seen.includes('add new-1'), JSON.stringify(seen));
      assert.ok(seen.includes('delete old-1'), JSON.stringify(seen));
      assert.ok(Number(informer.latestResourceVersion()) > Number(staleRV));

      // And it watches again after the relist.
      await core.createNamespacedPod({ namespace, body: pod('after') as V1Pod });
      await waitFor(() => seen.includes('add after'), { message: 'add after, watched after the relist' });
    } finally {
      await informer.stop();
    }
  });

  it('recovers after the apiserver restarts (restarted from its error handler, as client-node documents)', async () => {
    const namespace = 'cw-restart';
    await core.createNamespacedPod({ namespace, body: pod('r-1') as V1Pod });
    const { informer, seen, errors } = podInformer(namespace);
    let stopped = false;
    // The documented pattern: an informer stops on a connection error; restart it after a pause.
    informer.on('error', () => {
      if (!stopped) setTimeout(() => void informer.start().catch(() => {}), 200);
    });
    await informer.start();
    try {
      assert.deepEqual(cachedNames(informer), ['r-1']);
      await env.apiserver.restart();
      await core.createNamespacedPod({ namespace, body: pod('r-2') as V1Pod });
      await core.deleteNamespacedPod({ namespace, name: 'r-1' });
      await waitFor(() => cachedNames(informer).join() === 'r-2', {
        timeoutMs: 30_000,
        message: `the informer catches up after the restart (cache=${cachedNames(informer)}, errors=${errors.length})`,
      });
      assert.ok(seen.includes('add r-2') && seen.includes('delete r-1'), JSON.stringify(seen));
    } finally {
      stopped = true;
      await informer.stop();
    }
  });
});
