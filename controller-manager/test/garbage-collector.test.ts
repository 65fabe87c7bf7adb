// The garbage collector against a real apiserver + etcd: Background, Foreground and Orphan
// deletion of a ReplicaSet, a Deployment's two levels, and dangling owner references.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { isNotFound } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';
import { FAST_FLAGS, startCluster, type TestCluster } from './support/cluster.ts';
import { FakeKubelets } from './support/fake-kubelets.ts';
import { activePods, deployment, replicaSet, waitForReadyPods } from './support/objects.ts';

describe('garbage collector', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let kubelets: FakeKubelets;

  before(async () => {
    cluster = await startCluster();
    // Pods take a moment to terminate, so Foreground has something to wait for.
    kubelets = new FakeKubelets(cluster.client, { nodes: ['node-a'] });
    await kubelets.start();
    await cluster.startControllerManager([...FAST_FLAGS, '--controllers=replicaset,deployment,garbagecollector']);
  });

  after(async () => {
    await kubelets?.stop();
    await cluster?.stop();
  });

  const gone = async (resource: string, name: string, namespace?: string) => {
    try {
      await cluster.client.get(resource, name, { namespace });
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  };
  const allPods = async (ns: string, app: string) => (await cluster.client.list('pods', { namespace: ns, labelSelector: `app=${app}` })).items;

  it('Background: the ReplicaSet goes at once, its pods after', async () => {
    const ns = 'background';
    await cluster.createNamespace(ns);
    await cluster.client.create('replicasets.apps', replicaSet('bg', ns, 3, { app: 'bg' }));
    await waitForReadyPods(cluster.client, ns, { app: 'bg' }, 3);
    await cluster.client.delete('replicasets.apps', 'bg', { namespace: ns, propagationPolicy: 'Background' });
    assert.ok(await gone('replicasets.apps', 'bg', ns), 'the owner is deleted at once');
    await waitFor(async () => (await allPods(ns, 'bg')).length === 0, { timeoutMs: 20_000, message: 'the pods are collected' });
  });

  it('Foreground: the ReplicaSet waits for its pods, then goes', async () => {
    const ns = 'foreground';
    await cluster.createNamespace(ns);
    await cluster.client.create('replicasets.apps', replicaSet('fg', ns, 3, { app: 'fg' }));
    await waitForReadyPods(cluster.client, ns, { app: 'fg' }, 3);
    const res = (await cluster.client.delete('replicasets.apps', 'fg', { namespace: ns, propagationPolicy: 'Foreground' })) as KubeObject;
    assert.ok(res.metadata.deletionTimestamp);
    assert.ok(res.metadata.finalizers?.includes('foregroundDeletion'));
    // While it exists, it is being deleted; once it is gone, so are the pods.
    let sawOwnerWithPods = false;
    await waitFor(
      async () => {
        const ownerGone = await gone('replicasets.apps', 'fg', ns);
        const pods = await allPods(ns, 'fg');
        if (!ownerGone && pods.length > 0) sawOwnerWithPods = true;
        if (ownerGone) assert.equal(pods.length, 0, 'the owner went before its pods');
        return ownerGone;
      },
      { timeoutMs: 20_000, intervalMs: 20, message: 'the owner is deleted after its pods' },
    );
    assert.ok(sawOwnerWithPods, 'the owner waited for its pods');
  });

  it('Orphan: the ReplicaSet goes, its pods stay without owner references', async () => {
    const ns = 'orphan';
    await cluster.createNamespace(ns);
    await cluster.client.create('replicasets.apps', replicaSet('or', ns, 2, { app: 'or' }));
    const pods = await waitForReadyPods(cluster.client, ns, { app: 'or' }, 2);
    await cluster.client.delete('replicasets.apps', 'or', { namespace: ns, propagationPolicy: 'Orphan' });
    await waitFor(() => gone('replicasets.apps', 'or', ns), { timeoutMs: 20_000, message: 'the owner is deleted' });
    const left = await activePods(cluster.client, ns, { app: 'or' });
    assert.deepEqual(left.map((p) => p.metadata.uid).sort(), pods.map((p) => p.metadata.uid).sort());
    for (const p of left) assert.deepEqual(p.metadata.ownerReferences ?? [], []);
  });

  it('deleting a Deployment collects its ReplicaSets and their pods', async () => {
    const ns = 'cascade';
    await cluster.createNamespace(ns);
    await cluster.client.create('deployments.apps', deployment('dep', ns, 2, { app: 'dep' }, 'img:1'));
    await waitForReadyPods(cluster.client, ns, { app: 'dep' }, 2);
    const del = await cluster.kubectl(['delete', 'deployment/dep', '-n', ns]);
    assert.equal(del.code, 0, del.stderr);
    await waitFor(async () => (await cluster.client.list('replicasets.apps', { namespace: ns })).items.length === 0 && (await allPods(ns, 'dep')).length === 0, {
      timeoutMs: 20_000,
      message: 'sets and pods collected',
    });
  });

  it('deletes objects whose owner does not exist and keeps those whose owner does', async () => {
    const ns = 'dangling';
    await cluster.createNamespace(ns);
    const owner = await cluster.client.create<KubeObject>('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace: ns } });
    const cm = (name: string, uid: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ns, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }] },
    });
    await cluster.client.create('configmaps', cm('kept', owner.metadata.uid!));
    await cluster.client.create('configmaps', cm('dangling', '00000000-0000-0000-0000-000000000000'));
    await waitFor(() => gone('configmaps', 'dangling', ns), { timeoutMs: 20_000, message: 'the dangling dependent is deleted' });
    assert.equal(await gone('configmaps', 'kept', ns), false);
    // Deleting the owner takes its dependent along.
    await cluster.client.delete('configmaps', 'owner', { namespace: ns });
    await waitFor(() => gone('configmaps', 'kept', ns), { timeoutMs: 20_000, message: 'the dependent follows its owner' });
  });
});
