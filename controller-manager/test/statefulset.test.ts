// The StatefulSet controller against a real apiserver + etcd, with kubelets (and a trivial
// scheduler) replaced by WorkloadKubelets. Ordering is checked on the pods' watch history:
// every event carries the etcd revision it happened at, so "web-1 was created after web-0
// became Ready" is a comparison of two revisions, not a timing.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';
import { FAST_FLAGS, startCluster, type ControllerManagerProcess, type TestCluster } from './support/cluster.ts';
import { WorkloadKubelets } from './support/workload-kubelets.ts';
import { events, isReady, podTemplate } from './support/objects.ts';

interface PodEvent {
  type: string;
  name: string;
  uid: string;
  rv: number;
  ready: boolean;
  deleting: boolean;
}

/** Records every pod event of a namespace from now on. */
async function recordPods(cluster: TestCluster, namespace: string): Promise<{ log: PodEvent[]; stop(): Promise<void> }> {
  const list = await cluster.client.list('pods', { namespace });
  const log: PodEvent[] = [];
  const abort = new AbortController();
  const done = (async () => {
    for await (const ev of cluster.client.watch('pods', { namespace, resourceVersion: list.metadata.resourceVersion, signal: abort.signal })) {
      if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') continue;
      const p = ev.object;
      log.push({ type: ev.type, name: p.metadata.name!, uid: p.metadata.uid!, rv: Number(p.metadata.resourceVersion), ready: isReady(p), deleting: !!p.metadata.deletionTimestamp });
    }
  })().catch((err) => {
    if (!abort.signal.aborted) throw err;
  });
  return {
    log,
    async stop() {
      abort.abort();
      await done;
    },
  };
}

/** The revision of the first event matching `pred`; fails when there is none. */
function firstRv(log: PodEvent[], what: string, pred: (e: PodEvent) => boolean): number {
  const e = log.find(pred);
  assert.ok(e, `no event: ${what}`);
  return e.rv;
}

function statefulSet(name: string, namespace: string, replicas: number, spec: Record<string, unknown> = {}, image = 'busybox:v1'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace },
    spec: { replicas, serviceName: name, selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }, image), ...spec },
  };
}

async function livePods(cluster: TestCluster, namespace: string, app: string): Promise<Map<string, KubeObject>> {
  const list = await cluster.client.list('pods', { namespace, labelSelector: `app=${app}` });
  return new Map(list.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => [p.metadata.name!, p]));
}

async function waitForStatus(cluster: TestCluster, namespace: string, name: string, want: (s: any, sts: KubeObject) => boolean, message: string): Promise<KubeObject> {
  return waitFor(
    async () => {
      const sts = await cluster.client.get('statefulsets.apps', name, { namespace });
      return sts.status?.observedGeneration === sts.metadata.generation && want(sts.status ?? {}, sts) ? sts : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, message },
  );
}

describe('statefulset controller', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let kubelets: WorkloadKubelets;
  let kcm: ControllerManagerProcess;

  before(async () => {
    cluster = await startCluster();
    // Pods in namespaces named "held-*" become Ready only when the test says so.
    kubelets = new WorkloadKubelets(cluster.client, { nodes: ['node-a', 'node-b'], bind: true, autoReady: (p) => !p.metadata.namespace!.startsWith('held-') });
    await kubelets.start();
    kcm = await cluster.startControllerManager([...FAST_FLAGS, '--controllers=statefulset']);
  });

  after(async () => {
    await kubelets?.stop();
    await cluster?.stop();
  });

  it('comes up 0, 1, 2 in order, brings a deleted web-1 back as web-1, and scales down in reverse', async () => {
    const ns = 'held-ordered';
    await cluster.createNamespace(ns);
    const rec = await recordPods(cluster, ns);
    const claims = [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
    await cluster.client.create('statefulsets.apps', statefulSet('web', ns, 3, { volumeClaimTemplates: claims }));

    for (let i = 0; i < 3; i++) {
      // web-i runs but is not Ready; once the controller reported that, nothing after it exists.
      await waitFor(async () => (await livePods(cluster, ns, 'web')).get(`web-${i}`)?.status?.phase === 'Running', { message: `web-${i} Running` });
      await waitForStatus(cluster, ns, 'web', (s) => s.replicas === i + 1 && s.readyReplicas === i, `status: ${i + 1} replicas, ${i} ready`);
      assert.deepEqual([...(await livePods(cluster, ns, 'web')).keys()].sort(), Array.from({ length: i + 1 }, (_, j) => `web-${j}`));
      kubelets.markReady(ns, `web-${i}`);
    }
    const sts = await waitForStatus(cluster, ns, 'web', (s) => s.replicas === 3 && s.readyReplicas === 3 && s.availableReplicas === 3 && s.currentReplicas === 3 && s.updatedReplicas === 3, '3 ready replicas');
    assert.match(sts.status.updateRevision, /^web-[a-z0-9]+$/);
    assert.equal(sts.status.currentRevision, sts.status.updateRevision);
    assert.equal(sts.status.collisionCount, 0);

    const pods = await livePods(cluster, ns, 'web');
    for (let i = 0; i < 3; i++) {
      const p = pods.get(`web-${i}`)!;
      assert.equal(p.metadata.labels!['statefulset.kubernetes.io/pod-name'], `web-${i}`);
      assert.equal(p.metadata.labels!['apps.kubernetes.io/pod-index'], String(i));
      assert.equal(p.metadata.labels!['controller-revision-hash'], sts.status.updateRevision);
      assert.equal(p.spec.hostname, `web-${i}`);
      assert.equal(p.spec.subdomain, 'web');
      assert.deepEqual(p.spec.volumes.find((v: { name: string }) => v.name === 'www'), { name: 'www', persistentVolumeClaim: { claimName: `www-web-${i}` } });
      assert.equal(p.metadata.ownerReferences?.[0]?.kind, 'StatefulSet');
    }
    // Each pod was created only after its predecessor was Ready.
    for (let i = 1; i < 3; i++) {
      const predecessorReady = firstRv(rec.log, `web-${i - 1} ready`, (e) => e.name === `web-${i - 1}` && e.ready);
      const created = firstRv(rec.log, `web-${i} added`, (e) => e.name === `web-${i}` && e.type === 'ADDED');
      assert.ok(created > predecessorReady, `web-${i} created at ${created}, web-${i - 1} ready at ${predecessorReady}`);
    }

    // A deleted web-1 comes back under the same name; web-2 is left alone.
    const oldWeb1 = pods.get('web-1')!;
    const web2 = pods.get('web-2')!;
    await cluster.client.delete('pods', 'web-1', { namespace: ns });
    const newWeb1 = await waitFor(
      async () => {
        const p = (await livePods(cluster, ns, 'web')).get('web-1');
        return p && p.metadata.uid !== oldWeb1.metadata.uid && p.status?.phase === 'Running' ? p : undefined;
      },
      { message: 'web-1 recreated' },
    );
    kubelets.markReady(ns, 'web-1');
    assert.equal(newWeb1.spec.hostname, 'web-1');
    assert.equal((await livePods(cluster, ns, 'web')).get('web-2')!.metadata.uid, web2.metadata.uid);
    await waitForStatus(cluster, ns, 'web', (s) => s.readyReplicas === 3, '3 ready again');

    // Scale down: web-2 goes first, web-1 only once web-2 is gone.
    await cluster.client.patch('statefulsets.apps', 'web', { spec: { replicas: 1 } }, { namespace: ns, type: 'merge', subresource: 'scale' });
    await waitForStatus(cluster, ns, 'web', (s) => s.replicas === 1 && s.readyReplicas === 1, 'scaled to 1');
    assert.deepEqual([...(await livePods(cluster, ns, 'web')).keys()], ['web-0']);
    await rec.stop();
    const web2Gone = firstRv(rec.log, 'web-2 deleted', (e) => e.name === 'web-2' && e.type === 'DELETED');
    const web1Deleting = firstRv(rec.log, 'web-1 (new) deleting', (e) => e.uid === newWeb1.metadata.uid && (e.deleting || e.type === 'DELETED'));
    assert.ok(web1Deleting > web2Gone, `web-1 deleted at ${web1Deleting}, before web-2 was gone at ${web2Gone}`);

    const evs = await events(cluster.client, ns, 'web');
    assert.ok(evs.some((e) => e.reason === 'SuccessfulCreate' && e.message === 'create Pod web-0 in StatefulSet web successful'));
    assert.ok(evs.some((e) => e.reason === 'SuccessfulDelete' && e.message === 'delete Pod web-2 in StatefulSet web successful'));
  });

  it('rolls out from the highest ordinal down to the partition, and below it keeps the current revision', async () => {
    const ns = 'rolling';
    await cluster.createNamespace(ns);
    await cluster.client.create('statefulsets.apps', statefulSet('db', ns, 3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
    const v1 = await waitForStatus(cluster, ns, 'db', (s) => s.readyReplicas === 3 && s.currentReplicas === 3, '3 ready replicas');
    const r1: string = v1.status.currentRevision;
    const rec = await recordPods(cluster, ns);

    await cluster.client.patch('statefulsets.apps', 'db', { spec: { template: { spec: { containers: [{ name: 'app', image: 'busybox:v2', command: ['sleep', '3600'] }] } } } }, { namespace: ns, type: 'merge' });
    const v2 = await waitForStatus(cluster, ns, 'db', (s) => s.updatedReplicas === 2 && s.currentReplicas === 1 && s.readyReplicas === 3, 'db-2 and db-1 updated');
    const r2: string = v2.status.updateRevision;
    assert.notEqual(r2, r1);
    assert.equal(v2.status.currentRevision, r1, 'a partitioned rollout does not finish');
    let pods = await livePods(cluster, ns, 'db');
    assert.equal(pods.get('db-0')!.metadata.labels!['controller-revision-hash'], r1);
    assert.equal(pods.get('db-0')!.spec.containers[0].image, 'busybox:v1');
    for (const n of ['db-1', 'db-2']) {
      assert.equal(pods.get(n)!.metadata.labels!['controller-revision-hash'], r2);
      assert.equal(pods.get(n)!.spec.containers[0].image, 'busybox:v2');
    }
    const db2Deleted = firstRv(rec.log, 'db-2 deleting', (e) => e.name === 'db-2' && (e.deleting || e.type === 'DELETED'));
    const db1Deleted = firstRv(rec.log, 'db-1 deleting', (e) => e.name === 'db-1' && (e.deleting || e.type === 'DELETED'));
    assert.ok(db2Deleted < db1Deleted, 'the highest ordinal is updated first');
    const db2Ready = firstRv(rec.log, 'new db-2 ready', (e) => e.name === 'db-2' && e.type !== 'DELETED' && e.ready && e.rv > db2Deleted);
    assert.ok(db1Deleted > db2Ready, 'db-1 waits for the updated db-2 to be Ready');

    // Below the partition a deleted pod comes back at the current revision.
    const oldDb0 = pods.get('db-0')!;
    await cluster.client.delete('pods', 'db-0', { namespace: ns });
    const db0 = await waitFor(
      async () => {
        const p = (await livePods(cluster, ns, 'db')).get('db-0');
        return p && p.metadata.uid !== oldDb0.metadata.uid ? p : undefined;
      },
      { message: 'db-0 recreated' },
    );
    assert.equal(db0.metadata.labels!['controller-revision-hash'], r1);
    assert.equal(db0.spec.containers[0].image, 'busybox:v1');

    // A restarted controller manager keeps nothing in memory: it reads the current revision's
    // template from its ControllerRevision when it first syncs (a spec change it must observe
    // proves that sync), so db-0 still comes back at r1.
    await kcm.stop();
    kcm = await cluster.startControllerManager([...FAST_FLAGS, '--controllers=statefulset']);
    await cluster.client.patch('statefulsets.apps', 'db', { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } } }, { namespace: ns, type: 'merge' });
    await waitForStatus(cluster, ns, 'db', (_s, sts) => sts.metadata.generation === 3, 'the new controller manager synced');
    await cluster.client.delete('pods', 'db-0', { namespace: ns });
    const again = await waitFor(
      async () => {
        const p = (await livePods(cluster, ns, 'db')).get('db-0');
        return p && p.metadata.uid !== db0.metadata.uid ? p : undefined;
      },
      { message: 'db-0 recreated by the new controller manager' },
    );
    assert.equal(again.metadata.labels!['controller-revision-hash'], r1);
    assert.equal(again.spec.containers[0].image, 'busybox:v1');
    assert.equal(again.spec.hostname, 'db-0');

    // Partition 0 finishes the rollout.
    await cluster.client.patch('statefulsets.apps', 'db', { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } } }, { namespace: ns, type: 'merge' });
    const done = await waitForStatus(cluster, ns, 'db', (s) => s.updatedReplicas === 3 && s.currentReplicas === 3 && s.readyReplicas === 3 && s.currentRevision === s.updateRevision, 'rollout complete');
    assert.equal(done.status.currentRevision, r2);
    pods = await livePods(cluster, ns, 'db');
    for (const p of pods.values()) assert.equal(p.spec.containers[0].image, 'busybox:v2');
    await rec.stop();
  });

  it('creates every pod at once with Parallel, and with OnDelete updates a pod only when it is deleted', async () => {
    const ns = 'held-parallel';
    await cluster.createNamespace(ns);
    await cluster.client.create('statefulsets.apps', statefulSet('par', ns, 3, { podManagementPolicy: 'Parallel', updateStrategy: { type: 'OnDelete' } }));
    // None is Ready, yet all three exist: Parallel does not wait.
    await waitFor(
      async () => {
        const pods = [...(await livePods(cluster, ns, 'par')).values()];
        return pods.length === 3 && pods.every((p) => p.status?.phase === 'Running');
      },
      { message: '3 running pods, none ready' },
    );
    assert.equal([...(await livePods(cluster, ns, 'par')).values()].filter(isReady).length, 0);
    for (let i = 0; i < 3; i++) kubelets.markReady(ns, `par-${i}`);
    const v1 = await waitForStatus(cluster, ns, 'par', (s) => s.readyReplicas === 3, '3 ready');

    await cluster.client.patch('statefulsets.apps', 'par', { spec: { template: { spec: { containers: [{ name: 'app', image: 'busybox:v2', command: ['sleep', '3600'] }] } } } }, { namespace: ns, type: 'merge' });
    const v2 = await waitForStatus(cluster, ns, 'par', (s) => s.updateRevision !== v1.status.updateRevision, 'new update revision');
    assert.equal(v2.status.updatedReplicas, 0, 'OnDelete touches no pod by itself');
    assert.equal(v2.status.currentRevision, v1.status.currentRevision);
    const old = (await livePods(cluster, ns, 'par')).get('par-1')!;
    await cluster.client.delete('pods', 'par-1', { namespace: ns });
    const fresh = await waitFor(
      async () => {
        const p = (await livePods(cluster, ns, 'par')).get('par-1');
        return p && p.metadata.uid !== old.metadata.uid ? p : undefined;
      },
      { message: 'par-1 recreated' },
    );
    assert.equal(fresh.spec.containers[0].image, 'busybox:v2');
    assert.equal(fresh.metadata.labels!['controller-revision-hash'], v2.status.updateRevision);
    kubelets.markReady(ns, 'par-1');
    await waitForStatus(cluster, ns, 'par', (s) => s.updatedReplicas === 1 && s.readyReplicas === 3, 'one pod updated');

    // A pod whose containers failed is deleted and made again under its name.
    const par2 = (await livePods(cluster, ns, 'par')).get('par-2')!;
    await kubelets.finish(ns, 'par-2', 'Failed');
    await waitFor(
      async () => {
        const p = (await livePods(cluster, ns, 'par')).get('par-2');
        return p && p.metadata.uid !== par2.metadata.uid && p.status?.phase === 'Running';
      },
      { message: 'par-2 recreated after failing' },
    );
    const evs = await events(cluster.client, ns, 'par');
    assert.ok(evs.some((e) => e.reason === 'RecreatingFailedPod' && e.message === `StatefulSet ${ns}/par is recreating failed Pod par-2`));
  });
});
