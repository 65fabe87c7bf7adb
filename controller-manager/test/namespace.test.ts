// The namespace and service account controllers against a real apiserver + etcd: deleting a
// namespace empties it and then the namespace goes; every namespace gets a default account.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { isNotFound } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';
import { FAST_FLAGS, startCluster, type TestCluster } from './support/cluster.ts';
import { FakeKubelets } from './support/fake-kubelets.ts';
import { deployment, waitForReadyPods } from './support/objects.ts';

describe('namespace and serviceaccount controllers', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let kubelets: FakeKubelets;

  before(async () => {
    cluster = await startCluster();
    kubelets = new FakeKubelets(cluster.client, { nodes: ['node-a'] });
    await kubelets.start();
    await cluster.startControllerManager([...FAST_FLAGS, '--controllers=*,-nodelifecycle,-tainteviction']);
  });

  after(async () => {
    await kubelets?.stop();
    await cluster?.stop();
  });

  const exists = async (resource: string, name: string, namespace?: string) => {
    try {
      return await cluster.client.get(resource, name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };

  it('gives every namespace a default service account, and gives it back when deleted', async () => {
    await cluster.createNamespace('accounts');
    const sa = await waitFor(() => exists('serviceaccounts', 'default', 'accounts'), { message: 'default service account' });
    await cluster.client.delete('serviceaccounts', 'default', { namespace: 'accounts' });
    const again = await waitFor(async () => {
      const cur = await exists('serviceaccounts', 'default', 'accounts');
      return cur && cur.metadata.uid !== sa.metadata.uid ? cur : undefined;
    }, { message: 'default service account recreated' });
    assert.equal(again.metadata.name, 'default');
    // The system namespaces have theirs too.
    for (const ns of ['default', 'kube-system']) await waitFor(() => exists('serviceaccounts', 'default', ns), { message: `default account in ${ns}` });
  });

  it('deleting a namespace deletes everything in it, then the namespace', async () => {
    const ns = 'doomed';
    await cluster.createNamespace(ns);
    await cluster.client.create('deployments.apps', deployment('web', ns, 2, { app: 'web' }, 'img:1'));
    await cluster.client.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    } as KubeObject);
    await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: ns }, data: { a: 'b' } } as KubeObject);
    await cluster.client.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: ns }, stringData: { a: 'b' } } as KubeObject);
    await waitForReadyPods(cluster.client, ns, { app: 'web' }, 2);
    await waitFor(() => exists('endpoints', 'web', ns), { message: 'endpoints of the service' });

    // kubectl waits until the namespace is gone.
    const del = await cluster.kubectl(['delete', 'namespace', ns, '--timeout=60s'], { timeoutMs: 90_000 });
    assert.equal(del.code, 0, del.stderr);
    assert.equal(await exists('namespaces', ns), undefined);
    for (const r of ['pods', 'services', 'endpoints', 'configmaps', 'secrets', 'serviceaccounts', 'replicasets.apps', 'deployments.apps', 'endpointslices.discovery.k8s.io']) {
      const left = await cluster.client.list(r, { namespace: ns });
      assert.equal(left.items.length, 0, `${r} left in ${ns}`);
    }
  });

  it('waits for content with finalizers and reports it in the namespace conditions', async () => {
    const ns = 'held';
    await cluster.createNamespace(ns);
    await cluster.client.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'pinned', namespace: ns, finalizers: ['example.com/hold'] },
    } as KubeObject);
    await cluster.client.delete('namespaces', ns);
    const terminating = await waitFor(async () => {
      const cur = await exists('namespaces', ns);
      const cond = cur?.status?.conditions?.find((c: { type: string; status: string }) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True');
      return cond ? cur : undefined;
    }, { timeoutMs: 20_000, message: 'NamespaceFinalizersRemaining' });
    assert.equal(terminating!.status.phase, 'Terminating');
    const remaining = terminating!.status.conditions.find((c: { type: string }) => c.type === 'NamespaceContentRemaining');
    assert.equal(remaining.status, 'True');
    assert.match(remaining.message, /configmaps has 1 resource instances/);
    const finalizers = terminating!.status.conditions.find((c: { type: string }) => c.type === 'NamespaceFinalizersRemaining');
    assert.match(finalizers.message, /example\.com\/hold in 1 resource instances/);

    await cluster.client.patch('configmaps', 'pinned', { metadata: { finalizers: null } }, { namespace: ns, type: 'merge' });
    await waitFor(async () => (await exists('namespaces', ns)) === undefined, { timeoutMs: 20_000, message: 'the namespace goes once its content is gone' });
  });
});
