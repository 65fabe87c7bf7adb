// An informer against a real apiserver and etcd: every change is seen exactly once and in
// order, and after an apiserver restart it reconnects without missing a change.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiserver, startEtcd, waitFor } from '@minik8s/shared/testing';
import type { ApiserverHandle, EtcdHandle } from '@minik8s/shared/testing';
import { RestClient } from '../../src/client/rest-client.ts';
import { SharedInformerFactory } from '../../src/informer/shared-informer-factory.ts';
import type { KubeObject } from '../../src/api/types.ts';

let etcd: EtcdHandle;
let api: ApiserverHandle;
let client: RestClient;
const NS = 'informer-itest';

before(async () => {
  etcd = await startEtcd();
  api = await startApiserver({ etcdServers: etcd.endpoints });
  client = new RestClient({ config: { server: api.url }, component: 'informer-itest' });
  await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});

after(async () => {
  await client?.close();
  await api?.stop();
  await etcd?.stop();
});

interface Change {
  type: 'add' | 'update' | 'delete';
  name: string;
  rv: string;
}

const cm = (name: string, v: number): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data: { v: String(v) } });

/** Creates, updates and deletes configmaps; returns the changes in the order the server made them. */
async function churn(prefix: string): Promise<Change[]> {
  const made: Change[] = [];
  const objs: KubeObject[] = [];
  for (let i = 0; i < 4; i++) {
    const o = await client.create<KubeObject>('configmaps', cm(`${prefix}-${i}`, 0));
    objs.push(o);
    made.push({ type: 'add', name: o.metadata.name!, rv: o.metadata.resourceVersion! });
  }
  for (let round = 1; round <= 3; round++) {
    for (let i = 0; i < objs.length; i++) {
      const o = await client.update<KubeObject>('configmaps', { ...objs[i], data: { v: String(round) } });
      objs[i] = o;
      made.push({ type: 'update', name: o.metadata.name!, rv: o.metadata.resourceVersion! });
    }
  }
  for (const i of [1, 3]) {
    const gone = await client.delete<KubeObject>('configmaps', objs[i].metadata.name!, { namespace: NS });
    const rv = 'kind' in gone && gone.kind === 'Status' ? undefined : (gone as KubeObject).metadata.resourceVersion;
    made.push({ type: 'delete', name: objs[i].metadata.name!, rv: rv ?? '' });
  }
  return made;
}

test('every change exactly once and in order, across an apiserver restart', { timeout: 120_000 }, async () => {
  const stop = new AbortController();
  const factory = new SharedInformerFactory(client, { reflector: { initialBackoffMs: 100, maxBackoffMs: 1_000 } });
  const informer = factory.informerFor('configmaps', { namespace: NS });
  const seen: Change[] = [];
  const noops: string[] = [];
  informer.addEventHandler({
    onAdd: (o) => seen.push({ type: 'add', name: o.metadata.name!, rv: o.metadata.resourceVersion! }),
    onUpdate: (old, o) => {
      // A relist re-delivers unchanged objects with their same resourceVersion: not a change.
      if (old.metadata.resourceVersion === o.metadata.resourceVersion) noops.push(o.metadata.name!);
      else seen.push({ type: 'update', name: o.metadata.name!, rv: o.metadata.resourceVersion! });
    },
    onDelete: (o) => seen.push({ type: 'delete', name: o.metadata.name!, rv: o.metadata.resourceVersion! }),
  });
  factory.start(stop.signal);
  assert.equal(await factory.waitForCacheSync(stop.signal), true);

  try {
    // Phase 1: a steady connection.
    const first = await churn('before');
    await waitFor(() => seen.length >= first.length, { timeoutMs: 20_000, message: `${first.length} changes (saw ${seen.length})` });
    assertSame(seen, first);

    // The apiserver restarts (its watch cache starts empty): the informer must reconnect.
    await api.restart();
    // A canary proves the informer is connected again (by re-watch or relist + watch).
    const canary = await client.create<KubeObject>('configmaps', cm('canary', 0));
    await waitFor(() => seen.some((c) => c.name === 'canary'), { timeoutMs: 30_000, message: 'the canary after the restart' });
    const phase2Start = seen.length;

    // Phase 2: every change after the reconnect, exactly once, in order.
    const second = await churn('after');
    await waitFor(() => seen.length >= phase2Start + second.length, { timeoutMs: 20_000, message: `${second.length} changes after the restart` });
    assertSame(seen.slice(phase2Start), second);

    // Nothing delivered twice over the whole run; the cache equals the server.
    const keys = seen.map((c) => `${c.type} ${c.name} ${c.rv}`);
    assert.equal(new Set(keys).size, keys.length, 'no change delivered twice');
    assert.deepEqual(seen.filter((c) => c.name === 'canary'), [{ type: 'add', name: 'canary', rv: canary.metadata.resourceVersion }]);
    const list = await client.list('configmaps', { namespace: NS });
    assert.deepEqual(
      informer.list().map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort(),
      list.items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort(),
    );
    // No-op updates may only come from a relist, and carry unchanged objects.
    for (const n of noops) assert.ok(n.startsWith('before-') || n === 'kube-root-ca.crt', `unexpected no-op update of ${n}`);
  } finally {
    stop.abort();
    await factory.shutdown();
  }
});

function assertSame(seen: Change[], made: Change[]): void {
  const fmt = (c: Change) => `${c.type} ${c.name}${c.rv ? ` @${c.rv}` : ''}`;
  // A delete answered by a Status has no RV to compare: compare type and name then.
  assert.deepEqual(
    seen.map((c, i) => fmt(made[i]?.rv ? c : { ...c, rv: '' })),
    made.map(fmt),
  );
}
