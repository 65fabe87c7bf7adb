// The Deployment controller (with the ReplicaSet controller) against a real apiserver + etcd,
// fake kubelets whose pods become Ready 300 ms after they run, and the real kubectl.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';
import { FAST_FLAGS, startCluster, type TestCluster } from './support/cluster.ts';
import { FakeKubelets } from './support/fake-kubelets.ts';
import { activePods, deployment, events, isReady, waitForReadyPods } from './support/objects.ts';

const READY_DELAY_MS = 300;

describe('deployment controller', { timeout: 150_000 }, () => {
  let cluster: TestCluster;
  let kubelets: FakeKubelets;

  before(async () => {
    cluster = await startCluster();
    kubelets = new FakeKubelets(cluster.client, { nodes: ['node-a', 'node-b'], readyDelayMs: READY_DELAY_MS });
    await kubelets.start();
    await cluster.startControllerManager([...FAST_FLAGS, '--controllers=replicaset,deployment,garbagecollector']);
  });

  after(async () => {
    await kubelets?.stop();
    await cluster?.stop();
  });

  const rolloutStatus = (ns: string, name: string, timeout = '60s') =>
    cluster.kubectl(['rollout', 'status', `deployment/${name}`, '-n', ns, `--timeout=${timeout}`], { timeoutMs: 90_000 });

  const replicaSets = async (ns: string) => (await cluster.client.list('replicasets.apps', { namespace: ns })).items;

  const setImage = (ns: string, name: string, image: string) =>
    cluster.client.patch('deployments.apps', name, { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } }, { namespace: ns, type: 'strategic' });

  it('rolls out, then rolls v1 -> v2 without dropping below replicas - maxUnavailable', async () => {
    const ns = 'rolling';
    await cluster.createNamespace(ns);
    const labels = { app: 'web' };
    const replicas = 4;
    const maxUnavailable = 1;
    await cluster.client.create(
      'deployments.apps',
      deployment('web', ns, replicas, labels, 'busybox:v1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable } } }),
    );
    const first = await rolloutStatus(ns, 'web');
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /successfully rolled out/);

    const [rs1] = await replicaSets(ns);
    const hash1 = rs1.metadata.labels?.['pod-template-hash'];
    assert.ok(hash1 && /^[bcdfghjklmnpqrstvwxz2456789]+$/.test(hash1), `hash ${hash1}`);
    assert.equal(rs1.metadata.name, `web-${hash1}`);
    assert.equal(rs1.spec.selector.matchLabels['pod-template-hash'], hash1);
    assert.equal(rs1.spec.template.metadata.labels['pod-template-hash'], hash1);
    assert.equal(rs1.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs1.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], String(replicas));
    assert.equal(rs1.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], String(replicas + 1));
    for (const p of await activePods(cluster.client, ns, labels)) assert.equal(p.metadata.labels?.['pod-template-hash'], hash1);

    // Sample availability continuously during the update.
    let minAvailable = Infinity;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pods = await activePods(cluster.client, ns, labels);
        minAvailable = Math.min(minAvailable, pods.filter(isReady).length);
        samples++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await setImage(ns, 'web', 'busybox:v2');
    const second = await rolloutStatus(ns, 'web');
    sampling = false;
    await sampler;
    assert.equal(second.code, 0, second.stderr + second.stdout);
    assert.ok(samples > 10, `only ${samples} samples`);
    assert.ok(minAvailable >= replicas - maxUnavailable, `available pods dropped to ${minAvailable}`);

    const pods = await waitForReadyPods(cluster.client, ns, labels, replicas);
    assert.ok(pods.every((p) => p.spec.containers[0].image === 'busybox:v2'));
    const sets = await replicaSets(ns);
    assert.equal(sets.length, 2);
    const rs2 = sets.find((s) => s.metadata.uid !== rs1.metadata.uid)!;
    assert.equal(rs2.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(sets.find((s) => s.metadata.uid === rs1.metadata.uid)!.spec.replicas, 0);
    const d = await cluster.client.get('deployments.apps', 'web', { namespace: ns });
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(d.status.updatedReplicas, replicas);
    assert.equal(d.status.availableReplicas, replicas);
    assert.equal(d.status.observedGeneration, d.metadata.generation);
    const progressing = d.status.conditions.find((c: { type: string }) => c.type === 'Progressing');
    assert.equal(progressing.reason, 'NewReplicaSetAvailable');
    assert.equal(progressing.message, `ReplicaSet "${rs2.metadata.name}" has successfully progressed.`);
    const available = d.status.conditions.find((c: { type: string }) => c.type === 'Available');
    assert.equal(available.status, 'True');

    const evs = await events(cluster.client, ns, 'web');
    const scaling = evs.filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message as string);
    assert.ok(scaling.includes(`Scaled up replica set web-${hash1} to ${replicas}`), scaling.join('\n'));
    assert.ok(scaling.some((m) => m.startsWith(`Scaled down replica set web-${hash1} to `)), scaling.join('\n'));

    // Rollback: the old template comes back, the old set (same hash) takes revision 3.
    const undo = await cluster.kubectl(['rollout', 'undo', 'deployment/web', '-n', ns]);
    assert.equal(undo.code, 0, undo.stderr);
    const third = await rolloutStatus(ns, 'web');
    assert.equal(third.code, 0, third.stderr + third.stdout);
    const back = await waitFor(async () => {
      const rs = await cluster.client.get('replicasets.apps', rs1.metadata.name!, { namespace: ns });
      return rs.spec.replicas === replicas && rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3' ? rs : undefined;
    }, { message: 'the v1 set scaled up again with revision 3' });
    assert.equal(back.metadata.uid, rs1.metadata.uid);
    assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal((await replicaSets(ns)).length, 2);
    const v1 = await waitForReadyPods(cluster.client, ns, labels, replicas);
    assert.ok(v1.every((p) => p.spec.containers[0].image === 'busybox:v1'));
  });

  it('keeps revisionHistoryLimit old sets; kubectl scale resizes the active set', async () => {
    const ns = 'history';
    await cluster.createNamespace(ns);
    const labels = { app: 'hist' };
    await cluster.client.create('deployments.apps', deployment('hist', ns, 2, labels, 'img:1', { revisionHistoryLimit: 1 }));
    for (const image of ['img:2', 'img:3']) {
      assert.equal((await rolloutStatus(ns, 'hist')).code, 0);
      await setImage(ns, 'hist', image);
    }
    assert.equal((await rolloutStatus(ns, 'hist')).code, 0);
    const sets = await waitFor(async () => {
      const s = await replicaSets(ns);
      return s.length === 2 ? s : undefined;
    }, { message: 'only the current and one old set remain' });
    const revisions = sets.map((s) => s.metadata.annotations?.['deployment.kubernetes.io/revision']).sort();
    assert.deepEqual(revisions, ['2', '3']);

    // kubectl scale: the only active set takes the new size.
    const scaled = await cluster.kubectl(['scale', 'deployment/hist', '-n', ns, '--replicas=5']);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.equal((await rolloutStatus(ns, 'hist')).code, 0);
    await waitForReadyPods(cluster.client, ns, labels, 5);
  });

  it('scales proportionally in the middle of a rollout', async () => {
    const ns = 'proportional';
    await cluster.createNamespace(ns);
    const labels = { app: 'prop' };
    await cluster.client.create(
      'deployments.apps',
      deployment('prop', ns, 10, labels, 'img:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 2 } } }),
    );
    assert.equal((await rolloutStatus(ns, 'prop')).code, 0);
    // v2 never becomes ready: the rollout stalls with old=8, new=4 (12 = 10 + maxSurge).
    await cluster.client.patch(
      'deployments.apps',
      'prop',
      { spec: { template: { metadata: { annotations: { 'test.minik8s.io/never-ready': 'true' } }, spec: { containers: [{ name: 'app', image: 'img:2' }] } } } },
      { namespace: ns, type: 'strategic' },
    );
    const sizes = async () => {
      const sets = await replicaSets(ns);
      const byRev = (rev: string) => sets.find((s) => s.metadata.annotations?.['deployment.kubernetes.io/revision'] === rev)?.spec.replicas;
      return [byRev('1'), byRev('2')];
    };
    await waitFor(async () => JSON.stringify(await sizes()) === '[8,4]', { timeoutMs: 20_000, message: 'the rollout stalls at 8 old, 4 new' });
    // Scaling to 20 (22 with surge) spreads the 10 new replicas by the sets' sizes: 8 -> 15, 4 -> 7.
    await cluster.client.patch('deployments.apps', 'prop', { spec: { replicas: 20 } }, { namespace: ns, type: 'merge' });
    await waitFor(async () => JSON.stringify(await sizes()) === '[15,7]', { timeoutMs: 20_000, message: 'proportional sizes 15 and 7' });
  });

  it('Recreate stops every old pod before starting new ones', async () => {
    const ns = 'recreate';
    await cluster.createNamespace(ns);
    const labels = { app: 'rec' };
    await cluster.client.create('deployments.apps', deployment('rec', ns, 3, labels, 'img:1', { strategy: { type: 'Recreate' } }));
    assert.equal((await rolloutStatus(ns, 'rec')).code, 0);
    let mixed = false;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const list = await cluster.client.list('pods', { namespace: ns, labelSelector: 'app=rec' });
        const images = new Set(list.items.map((p) => p.spec.containers[0].image));
        if (images.size > 1) mixed = true;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await setImage(ns, 'rec', 'img:2');
    const done = await rolloutStatus(ns, 'rec');
    sampling = false;
    await sampler;
    assert.equal(done.code, 0, done.stderr + done.stdout);
    assert.equal(mixed, false, 'old and new pods existed at the same time');
    const pods = await waitForReadyPods(cluster.client, ns, labels, 3);
    assert.ok(pods.every((p) => p.spec.containers[0].image === 'img:2'));
  });

  it('pauses and resumes a rollout', async () => {
    const ns = 'pause';
    await cluster.createNamespace(ns);
    const labels = { app: 'p' };
    await cluster.client.create('deployments.apps', deployment('p', ns, 2, labels, 'img:1'));
    assert.equal((await rolloutStatus(ns, 'p')).code, 0);
    assert.equal((await cluster.kubectl(['rollout', 'pause', 'deployment/p', '-n', ns])).code, 0);
    await waitFor(async () => {
      const d = await cluster.client.get('deployments.apps', 'p', { namespace: ns });
      return d.status?.conditions?.some((c: { type: string; reason: string }) => c.type === 'Progressing' && c.reason === 'DeploymentPaused');
    }, { message: 'Progressing: DeploymentPaused' });
    await setImage(ns, 'p', 'img:2');
    // Paused: the change is observed but no new set appears.
    await waitFor(async () => {
      const d = await cluster.client.get('deployments.apps', 'p', { namespace: ns });
      return d.status?.observedGeneration === d.metadata.generation;
    }, { message: 'the paused change is observed' });
    assert.equal((await replicaSets(ns)).length, 1);
    assert.equal((await cluster.kubectl(['rollout', 'resume', 'deployment/p', '-n', ns])).code, 0);
    assert.equal((await rolloutStatus(ns, 'p')).code, 0);
    const pods = await waitForReadyPods(cluster.client, ns, labels, 2);
    assert.ok(pods.every((p) => p.spec.containers[0].image === 'img:2'));
    assert.equal((await replicaSets(ns)).length, 2);
  });

  it('reports ProgressDeadlineExceeded when pods never become ready', async () => {
    const ns = 'deadline';
    await cluster.createNamespace(ns);
    const labels = { app: 'stuck' };
    const d = deployment('stuck', ns, 1, labels, 'img:1', { progressDeadlineSeconds: 2 });
    (d.spec.template as { metadata: { annotations?: Record<string, string> } }).metadata.annotations = { 'test.minik8s.io/never-ready': 'true' };
    await cluster.client.create('deployments.apps', d);
    const cond = await waitFor(async () => {
      const cur = await cluster.client.get<KubeObject>('deployments.apps', 'stuck', { namespace: ns });
      return cur.status?.conditions?.find((c: { type: string; reason: string }) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
    }, { timeoutMs: 20_000, message: 'ProgressDeadlineExceeded' });
    assert.equal(cond.status, 'False');
    const status = await rolloutStatus(ns, 'stuck', '10s');
    assert.notEqual(status.code, 0);
    assert.match(status.stderr, /exceeded its progress deadline/);
  });
});
