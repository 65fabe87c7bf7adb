// Two controller managers on one cluster: only the holder of the Lease
// kube-system/kube-controller-manager runs controllers; the standby takes over when it dies.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@minik8s/shared/testing';
import { startCluster, type ControllerManagerProcess, type TestCluster } from './support/cluster.ts';
import { FakeKubelets } from './support/fake-kubelets.ts';
import { events, replicaSet, waitForReadyPods } from './support/objects.ts';

const ELECTION_FLAGS = [
  '--leader-elect=true',
  '--leader-elect-lease-duration=3s',
  '--leader-elect-renew-deadline=2s',
  '--leader-elect-retry-period=500ms',
  '--controllers=replicaset',
];

describe('leader election', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let kubelets: FakeKubelets;

  before(async () => {
    cluster = await startCluster();
    kubelets = new FakeKubelets(cluster.client, { nodes: ['node-a'] });
    await kubelets.start();
  });

  after(async () => {
    await kubelets?.stop();
    await cluster?.stop();
  });

  it('only the leader acts, and the standby takes over when it dies', async () => {
    const first = await cluster.startControllerManager(ELECTION_FLAGS);
    const holder = () => cluster.client.get('leases.coordination.k8s.io', 'kube-controller-manager', { namespace: 'kube-system' }).then((l) => l.spec?.holderIdentity as string);
    const firstId = await waitFor(() => holder().catch(() => undefined), { message: 'a leader' });
    const second = await cluster.startControllerManager(ELECTION_FLAGS);
    const started = (p: ControllerManagerProcess) => /starting controllers/.test(p.logs());
    await waitFor(() => started(first), { message: 'the leader starts its controllers' });

    const ns = 'elect';
    await cluster.createNamespace(ns);
    await cluster.client.create('replicasets.apps', replicaSet('web', ns, 3, { app: 'web' }));
    await waitForReadyPods(cluster.client, ns, { app: 'web' }, 3);
    // Give the standby every chance to act (several retry periods), then check it did not.
    await waitFor(async () => (await events(cluster.client, ns, 'web')).filter((e) => e.reason === 'SuccessfulCreate').reduce((n, e) => n + (e.count as number), 0) === 3, {
      message: 'three creations recorded',
    });
    assert.equal(await holder(), firstId);
    assert.equal(started(second), false, 'the standby runs no controllers');
    for (const e of await events(cluster.client, ns, 'web')) assert.equal(e.reportingInstance, firstId, 'every event comes from the leader');

    // The leader dies without releasing the Lease: the standby takes over after it expires.
    await first.kill();
    const secondId = await waitFor(async () => {
      const h = await holder();
      return h !== firstId ? h : undefined;
    }, { timeoutMs: 20_000, message: 'the standby takes the Lease' });
    await waitFor(() => started(second), { message: 'the new leader starts its controllers' });
    await cluster.client.patch('replicasets.apps', 'web', { spec: { replicas: 5 } }, { namespace: ns, type: 'merge' });
    await waitForReadyPods(cluster.client, ns, { app: 'web' }, 5);
    const creations = (await events(cluster.client, ns, 'web')).filter((e) => e.reason === 'SuccessfulCreate' && e.reportingInstance === secondId);
    assert.equal(creations.reduce((n, e) => n + (e.count as number), 0), 2);

    // A graceful stop releases the Lease at once (holder '').
    await second.stop();
    await waitFor(async () => (await holder()) === '', { message: 'the Lease is released' });
  });
});
