// The ReplicaSet controller against a real apiserver + etcd, with fake kubelets.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';
import { FAST_FLAGS, startCluster, type ControllerManagerProcess, type TestCluster } from './support/cluster.ts';
import { FakeKubelets } from './support/fake-kubelets.ts';
import { activePods, events, isReady, replicaSet, waitForReadyPods } from './support/objects.ts';

describe('replicaset controller', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let kubelets: FakeKubelets;
  let kcm: ControllerManagerProcess;

  before(async () => {
    cluster = await startCluster();
    kubelets = new FakeKubelets(cluster.client, { nodes: ['node-a', 'node-b'] });
    await kubelets.start();
    kcm = await cluster.startControllerManager([...FAST_FLAGS, '--controllers=replicaset']);
  });

  after(async () => {
    await kubelets?.stop();
    await cluster?.stop();
  });

  const scale = (ns: string, name: string, replicas: number) =>
    cluster.client.patch('replicasets.apps', name, { spec: { replicas } }, { namespace: ns, type: 'merge', subresource: 'scale' });

  it('scales 0 -> 5 -> 2 and reports status', async () => {
    const ns = 'scale';
    await cluster.createNamespace(ns);
    const labels = { app: 'web' };
    await cluster.client.create('replicasets.apps', replicaSet('web', ns, 0, labels));
    // With 0 replicas the controller still observes the generation.
    await waitFor(async () => (await cluster.client.get('replicasets.apps', 'web', { namespace: ns })).status?.observedGeneration === 1, {
      message: 'observedGeneration 1',
    });
    assert.equal((await activePods(cluster.client, ns, labels)).length, 0);

    await scale(ns, 'web', 5);
    const five = await waitForReadyPods(cluster.client, ns, labels, 5);
    for (const p of five) {
      const ref = p.metadata.ownerReferences?.[0];
      assert.equal(ref?.kind, 'ReplicaSet');
      assert.equal(ref?.name, 'web');
      assert.equal(ref?.controller, true);
      assert.equal(ref?.blockOwnerDeletion, true);
      assert.match(p.metadata.name!, /^web-[a-z0-9]{5}$/);
    }
    const rs5 = await waitFor(async () => {
      const rs = await cluster.client.get('replicasets.apps', 'web', { namespace: ns });
      const s = rs.status ?? {};
      return s.replicas === 5 && s.readyReplicas === 5 && s.availableReplicas === 5 && s.fullyLabeledReplicas === 5 && s.observedGeneration === rs.metadata.generation ? rs : undefined;
    }, { message: 'status of 5 ready replicas' });
    assert.equal(rs5.spec.replicas, 5);

    await scale(ns, 'web', 2);
    await waitForReadyPods(cluster.client, ns, labels, 2);
    await waitFor(async () => (await cluster.client.get('replicasets.apps', 'web', { namespace: ns })).status?.replicas === 2, { message: 'status.replicas 2' });
    // Never more than asked: the creation count is exactly 5 (no double creation from a stale cache).
    const evs = await waitFor(async () => {
      const e = await events(cluster.client, ns, 'web');
      const deleted = e.filter((x) => x.reason === 'SuccessfulDelete').reduce((n, x) => n + (x.count as number), 0);
      return deleted === 3 ? e : undefined;
    }, { message: '3 SuccessfulDelete events' });
    const created = evs.filter((x) => x.reason === 'SuccessfulCreate');
    assert.equal(created.reduce((n, x) => n + (x.count as number), 0), 5);
    const ev = created[0] as KubeObject;
    assert.match(ev.message as string, /^Created pod: web-/);
    assert.equal((ev.source as { component: string }).component, 'replicaset-controller');
    assert.equal((ev.involvedObject as { kind: string }).kind, 'ReplicaSet');
    assert.equal(ev.type, 'Normal');
    assert.ok(ev.firstTimestamp && ev.lastTimestamp);
  });

  it('replaces a deleted pod', async () => {
    const ns = 'replace';
    await cluster.createNamespace(ns);
    const labels = { app: 'api' };
    await cluster.client.create('replicasets.apps', replicaSet('api', ns, 3, labels));
    const pods = await waitForReadyPods(cluster.client, ns, labels, 3);
    const victim = pods[0].metadata.name!;
    await cluster.client.delete('pods', victim, { namespace: ns });
    const after = await waitFor(
      async () => {
        const now = await activePods(cluster.client, ns, labels);
        return now.length === 3 && now.every(isReady) && !now.some((p) => p.metadata.name === victim) ? now : undefined;
      },
      { timeoutMs: 20_000, message: 'a replacement pod' },
    );
    assert.equal(after.length, 3);
    // Still 3 after a while: the replacement was created once.
    const settled = await waitFor(async () => {
      const rs = await cluster.client.get('replicasets.apps', 'api', { namespace: ns });
      return rs.status?.readyReplicas === 3 ? rs : undefined;
    });
    assert.equal(settled.status.replicas, 3);
    assert.equal((await activePods(cluster.client, ns, labels)).length, 3);
  });

  it('adopts a matching orphan and releases a pod whose labels no longer match', async () => {
    const ns = 'adopt';
    await cluster.createNamespace(ns);
    const labels = { app: 'db' };
    // The orphan exists first: the ReplicaSet adopts it and creates only one more.
    const orphan = await cluster.client.create<KubeObject>('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphan', namespace: ns, labels },
      spec: { containers: [{ name: 'app', image: 'busybox' }] },
    });
    const rs = await cluster.client.create<KubeObject>('replicasets.apps', replicaSet('db', ns, 2, labels));
    const pods = await waitForReadyPods(cluster.client, ns, labels, 2);
    const adopted = pods.find((p) => p.metadata.name === 'orphan');
    assert.ok(adopted, 'the orphan is one of the two');
    assert.equal(adopted.metadata.uid, orphan.metadata.uid);
    assert.equal(adopted.metadata.ownerReferences?.[0]?.uid, rs.metadata.uid);

    // Relabel it: released (owner reference removed) and replaced.
    await cluster.client.patch('pods', 'orphan', { metadata: { labels: { app: 'other' } } }, { namespace: ns, type: 'merge' });
    const released = await waitFor(async () => {
      const p = await cluster.client.get('pods', 'orphan', { namespace: ns });
      return (p.metadata.ownerReferences ?? []).length === 0 ? p : undefined;
    }, { message: 'the relabelled pod is released' });
    assert.equal(released.metadata.labels?.app, 'other');
    await waitForReadyPods(cluster.client, ns, labels, 2);
  });

  it('counts available replicas only after minReadySeconds', async () => {
    const ns = 'minready';
    await cluster.createNamespace(ns);
    const labels = { app: 'slow' };
    await cluster.client.create('replicasets.apps', replicaSet('slow', ns, 2, labels, { minReadySeconds: 3 }));
    // Ready first, available later.
    const early = await waitFor(async () => {
      const rs = await cluster.client.get('replicasets.apps', 'slow', { namespace: ns });
      return rs.status?.readyReplicas === 2 ? rs : undefined;
    }, { message: 'two ready replicas' });
    assert.ok((early.status.availableReplicas ?? 0) < 2, `available ${early.status.availableReplicas} before minReadySeconds`);
    await waitFor(async () => (await cluster.client.get('replicasets.apps', 'slow', { namespace: ns })).status?.availableReplicas === 2, {
      timeoutMs: 15_000,
      message: 'two available replicas after minReadySeconds',
    });
  });

  it('reports refused pod creations in the ReplicaFailure condition and clears it once creations succeed', async () => {
    const ns = 'failure';
    await cluster.createNamespace(ns);
    const labels = { app: 'bad' };
    // A valid template whose pods the apiserver refuses: a pod's image may not carry surrounding
    // whitespace, a check made for pods only (upstream ValidateContainersOnlyForPod).
    const rs = replicaSet('bad', ns, 2, labels);
    (rs.spec.template as { spec: { containers: { image: string }[] } }).spec.containers[0].image = 'busybox:v1 ';
    await cluster.client.create('replicasets.apps', rs);
    const failure = await waitFor(async () => {
      const cur = await cluster.client.get('replicasets.apps', 'bad', { namespace: ns });
      return (cur.status?.conditions ?? []).find((c: { type: string }) => c.type === 'ReplicaFailure');
    }, { message: 'the ReplicaFailure condition' });
    assert.equal(failure.status, 'True');
    assert.equal(failure.reason, 'FailedCreate');
    assert.match(failure.message, /must not have leading or trailing whitespace/);
    assert.ok(failure.lastTransitionTime);
    const warning = await waitFor(async () => (await events(cluster.client, ns, 'bad')).find((e) => e.reason === 'FailedCreate'), { message: 'a FailedCreate event' });
    assert.equal(warning.type, 'Warning');
    assert.match(warning.message as string, /^Error creating: /);
    assert.equal((await activePods(cluster.client, ns, labels)).length, 0);

    // A fixed template: the pods come and the condition goes.
    await cluster.client.patch(
      'replicasets.apps',
      'bad',
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'busybox:v1', command: ['sleep', '3600'] }] } } } },
      { namespace: ns, type: 'merge' },
    );
    await waitForReadyPods(cluster.client, ns, labels, 2);
    await waitFor(async () => {
      const cur = await cluster.client.get('replicasets.apps', 'bad', { namespace: ns });
      const conds = (cur.status?.conditions ?? []) as { type: string }[];
      return cur.status?.readyReplicas === 2 && !conds.some((c) => c.type === 'ReplicaFailure');
    }, { message: 'ReplicaFailure removed after a clean sync' });
  });

  it('logs no failures of its own', () => {
    assert.doesNotMatch(kcm.logs(), /"level":50/);
  });
});
