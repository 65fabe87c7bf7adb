// DaemonSet and StatefulSet history as ControllerRevisions, against a real apiserver + etcd with
// kubelets (and a trivial scheduler) replaced by WorkloadKubelets. A rollback is done the way
// `kubectl rollout undo` does it: the old revision's data PATCHed onto the parent as a
// strategic merge patch.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';
import { FAST_FLAGS, startCluster, type TestCluster } from './support/cluster.ts';
import { WorkloadKubelets } from './support/workload-kubelets.ts';
import { activePods, isReady, podTemplate } from './support/objects.ts';
import { computeHash } from '../src/util/hash.ts';
import { newStatefulSetRevision } from '../src/controllers/statefulset/statefulset-revisions.ts';

const CR = 'controllerrevisions.apps';
const image = (n: number) => ({ spec: { template: { spec: { containers: [{ name: 'app', image: `busybox:v${n}`, command: ['sleep', '3600'] }] } } } });

/** The revisions labelled app=<app>, oldest revision number first. */
async function revisionsOf(cluster: TestCluster, namespace: string, app: string): Promise<KubeObject[]> {
  const list = await cluster.client.list(CR, { namespace, labelSelector: `app=${app}` });
  return list.items.sort((a, b) => (a.revision as number) - (b.revision as number));
}

/** [name, revision] of each revision, oldest first. */
async function numbering(cluster: TestCluster, namespace: string, app: string): Promise<[string, number][]> {
  return (await revisionsOf(cluster, namespace, app)).map((r) => [r.metadata.name!, r.revision as number]);
}

function revisionImage(r: KubeObject): string {
  return (r.data as any).spec.template.spec.containers[0].image;
}

/** Waits until exactly `n` pods of app run `img`, all Ready and labelled with `hash`. */
async function waitForPods(cluster: TestCluster, namespace: string, app: string, n: number, img: string, hash: () => string | undefined): Promise<KubeObject[]> {
  return waitFor(
    async () => {
      const pods = await activePods(cluster.client, namespace, { app });
      const want = hash();
      const ok = pods.length === n && pods.every((p) => isReady(p) && p.spec.containers[0].image === img && (!want || p.metadata.labels?.['controller-revision-hash'] === want));
      return ok ? pods : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, message: `${n} ready ${app} pods running ${img}` },
  );
}

async function strategicPatch(cluster: TestCluster, resource: string, namespace: string, name: string, patch: unknown): Promise<KubeObject> {
  return cluster.client.patch(resource, name, patch, { namespace, type: 'strategic' });
}

function assertControlledBy(r: KubeObject, owner: KubeObject): void {
  const refs = r.metadata.ownerReferences ?? [];
  assert.equal(refs.length, 1, `${r.metadata.name} has one owner`);
  assert.deepEqual(refs[0], { apiVersion: 'apps/v1', kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true });
}

describe('controller history', { timeout: 180_000 }, () => {
  let cluster: TestCluster;
  let kubelets: WorkloadKubelets;

  before(async () => {
    cluster = await startCluster();
    kubelets = new WorkloadKubelets(cluster.client, { nodes: ['node-a', 'node-b'], bind: true });
    await kubelets.start();
    await cluster.startControllerManager([...FAST_FLAGS, '--controllers=daemonset,statefulset,garbagecollector']);
  });

  after(async () => {
    await kubelets?.stop();
    await cluster?.stop();
  });

  it('DaemonSet: one revision per template, renumbered on rollback, a collision, the history limit, removed with the DaemonSet', async () => {
    const ns = 'ds-history';
    await cluster.createNamespace(ns);
    const ds = await cluster.client.create<KubeObject>('daemonsets.apps', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: ns },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: podTemplate({ app: 'agent' }, 'busybox:v1'), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } },
    });
    ds.kind = 'DaemonSet';

    // 1. The first revision: named <ds>-<hash>, the hash the pods carry.
    const pods1 = await waitForPods(cluster, ns, 'agent', 2, 'busybox:v1', () => undefined);
    const hash1 = pods1[0]!.metadata.labels!['controller-revision-hash']!;
    const [r1] = await waitFor(async () => {
      const rs = await revisionsOf(cluster, ns, 'agent');
      return rs.length === 1 ? rs : undefined;
    });
    assert.equal(r1!.metadata.name, `agent-${hash1}`);
    assert.equal(r1!.revision, 1);
    assert.equal(r1!.metadata.labels!['controller-revision-hash'], hash1);
    assertControlledBy(r1!, ds);
    assert.equal((r1!.data as any).spec.template.$patch, 'replace');
    assert.equal(revisionImage(r1!), 'busybox:v1');
    for (const p of pods1) assert.equal(p.metadata.labels!['controller-revision-hash'], hash1);

    // 2. A new template: a second revision, numbered 2, and pods move to its hash.
    await strategicPatch(cluster, 'daemonsets.apps', ns, 'agent', image(2));
    const rs2 = await waitFor(async () => {
      const rs = await revisionsOf(cluster, ns, 'agent');
      return rs.length === 2 ? rs : undefined;
    });
    const r2 = rs2[1]!;
    assert.deepEqual(rs2.map((r) => r.revision), [1, 2]);
    assert.equal(revisionImage(r2), 'busybox:v2');
    const hash2 = r2.metadata.labels!['controller-revision-hash']!;
    assert.notEqual(hash2, hash1);
    await waitForPods(cluster, ns, 'agent', 2, 'busybox:v2', () => hash2);

    // 3. Rollback: revision 1's data as a strategic merge patch. No new revision: revision 1
    //    becomes number 3 and the pods go back to its hash.
    await strategicPatch(cluster, 'daemonsets.apps', ns, 'agent', r1!.data);
    await waitFor(async () => JSON.stringify(await numbering(cluster, ns, 'agent')) === JSON.stringify([[r2.metadata.name, 2], [r1!.metadata.name, 3]]), {
      timeoutMs: 30_000,
      message: 'revision 1 renumbered 3',
    });
    await waitForPods(cluster, ns, 'agent', 2, 'busybox:v1', () => hash1);

    // 4. A hash collision: the name template v3 would get is taken by a revision with other
    //    data (labelled so the DaemonSet does not claim it). status.collisionCount goes to 1 and
    //    the revision is named by the hash with that count.
    const dry = await cluster.client.patch<KubeObject>('daemonsets.apps', 'agent', image(3), { namespace: ns, type: 'strategic', dryRun: true });
    const squatName = `agent-${computeHash(dry.spec.template)}`;
    const squatter = await cluster.client.create<KubeObject>(CR, {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: squatName, namespace: ns, labels: { squat: 'agent' } },
      data: { something: 'else' },
      revision: 1,
    });
    await strategicPatch(cluster, 'daemonsets.apps', ns, 'agent', image(3));
    const collided = await waitFor(
      async () => {
        const d = await cluster.client.get('daemonsets.apps', 'agent', { namespace: ns });
        return d.status?.collisionCount === 1 ? d : undefined;
      },
      { timeoutMs: 30_000, message: 'collisionCount 1' },
    );
    const hash3 = computeHash(collided.spec.template, 1);
    const r3 = await waitFor(async () => (await revisionsOf(cluster, ns, 'agent')).find((r) => r.metadata.name === `agent-${hash3}`), { timeoutMs: 30_000, message: 'the v3 revision under the collision-free name' });
    assert.equal(r3.revision, 4);
    assert.equal(revisionImage(r3), 'busybox:v3');
    await waitForPods(cluster, ns, 'agent', 2, 'busybox:v3', () => hash3);
    const untouched = await cluster.client.get(CR, squatName, { namespace: ns });
    assert.deepEqual(untouched.data, { something: 'else' });
    assert.equal(untouched.metadata.resourceVersion, squatter.metadata.resourceVersion);

    // 5. History limit: with OnDelete the pods stay at v3 while v4 becomes current; with
    //    revisionHistoryLimit 0 every old revision goes except v3, which live pods still carry.
    await strategicPatch(cluster, 'daemonsets.apps', ns, 'agent', { spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null } } });
    await strategicPatch(cluster, 'daemonsets.apps', ns, 'agent', image(4));
    const r4 = await waitFor(async () => (await revisionsOf(cluster, ns, 'agent')).find((r) => revisionImage(r) === 'busybox:v4'), { timeoutMs: 30_000, message: 'the v4 revision' });
    assert.equal(r4.revision, 5);
    await cluster.client.patch('daemonsets.apps', 'agent', { spec: { revisionHistoryLimit: 0 } }, { namespace: ns, type: 'merge' });
    await waitFor(async () => JSON.stringify(await numbering(cluster, ns, 'agent')) === JSON.stringify([[r3.metadata.name, 4], [r4.metadata.name, 5]]), {
      timeoutMs: 30_000,
      message: 'only the revision live pods use and the current one are left',
    });
    for (const p of await activePods(cluster.client, ns, { app: 'agent' })) assert.equal(p.metadata.labels!['controller-revision-hash'], hash3, 'OnDelete: pods were not replaced');

    // 6. The garbage collector removes the revisions with their DaemonSet; the squatter stays.
    await cluster.client.delete('daemonsets.apps', 'agent', { namespace: ns, propagationPolicy: 'Background' });
    await waitFor(async () => (await revisionsOf(cluster, ns, 'agent')).length === 0, { timeoutMs: 30_000, message: 'revisions garbage collected' });
    assert.ok(await cluster.client.get(CR, squatName, { namespace: ns }));
  });

  it('StatefulSet: revisions named in status, renumbered on rollback, adoption, a collision, the history limit, removed with the set', async () => {
    const ns = 'sts-history';
    await cluster.createNamespace(ns);
    // revisionHistoryLimit is fixed at creation: a 1.32 apiserver refuses to change it.
    const set = await cluster.client.create<KubeObject>('statefulsets.apps', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: ns },
      spec: { replicas: 2, serviceName: 'web', revisionHistoryLimit: 2, selector: { matchLabels: { app: 'web' } }, template: podTemplate({ app: 'web' }, 'busybox:v1') },
    });
    set.kind = 'StatefulSet';
    const statusWhen = (pred: (s: any) => boolean, message: string) =>
      waitFor(
        async () => {
          const sts = await cluster.client.get('statefulsets.apps', 'web', { namespace: ns });
          return sts.status?.observedGeneration === sts.metadata.generation && pred(sts.status ?? {}) ? sts : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, message },
      );
    const done = (s: any) => s.readyReplicas === 2 && s.updatedReplicas === 2 && s.currentRevision === s.updateRevision;
    const numberingIs = (want: [string, number][], message: string) =>
      waitFor(async () => JSON.stringify(await numbering(cluster, ns, 'web')) === JSON.stringify(want), { timeoutMs: 30_000, message });

    // 1. The first revision is current and update revision, and the pods' label.
    const v1 = await statusWhen(done, 'web ready');
    const [r1] = await revisionsOf(cluster, ns, 'web');
    assert.equal(r1!.metadata.name, v1.status.updateRevision);
    assert.match(r1!.metadata.name!, /^web-[a-z0-9]+$/);
    assert.equal(r1!.revision, 1);
    assert.equal(r1!.metadata.labels!['controller.kubernetes.io/hash'], r1!.metadata.name!.slice('web-'.length));
    assertControlledBy(r1!, set);
    assert.equal((r1!.data as any).spec.template.$patch, 'replace');
    assert.equal(revisionImage(r1!), 'busybox:v1');
    await waitForPods(cluster, ns, 'web', 2, 'busybox:v1', () => r1!.metadata.name);

    // 2. A new template: revision 2 becomes the update revision, then the current one.
    await strategicPatch(cluster, 'statefulsets.apps', ns, 'web', image(2));
    const v2 = await statusWhen((s) => done(s) && s.updateRevision !== r1!.metadata.name, 'rolled to v2');
    const r2 = (await revisionsOf(cluster, ns, 'web'))[1]!;
    assert.deepEqual(await numbering(cluster, ns, 'web'), [[r1!.metadata.name, 1], [v2.status.updateRevision, 2]]);
    assert.equal(revisionImage(r2), 'busybox:v2');

    // 3. Rollback to revision 1's data: the same revision, numbered 3, current again.
    await strategicPatch(cluster, 'statefulsets.apps', ns, 'web', r1!.data);
    await statusWhen((s) => done(s) && s.currentRevision === r1!.metadata.name, 'rolled back to revision 1');
    assert.deepEqual(await numbering(cluster, ns, 'web'), [[r2.metadata.name, 2], [r1!.metadata.name, 3]]);
    await waitForPods(cluster, ns, 'web', 2, 'busybox:v1', () => r1!.metadata.name);

    // 4. An orphan revision the selector matches is adopted by the set's next sync (as upstream,
    //    revision events do not trigger one: an annotation does).
    await cluster.client.create<KubeObject>(CR, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'web-orphan', namespace: ns, labels: { app: 'web' } }, data: { orphan: true }, revision: 0 });
    await cluster.client.patch('statefulsets.apps', 'web', { metadata: { annotations: { resync: '1' } } }, { namespace: ns, type: 'merge' });
    const adopted = await waitFor(
      async () => {
        const o = await cluster.client.get(CR, 'web-orphan', { namespace: ns });
        return o.metadata.ownerReferences?.length ? o : undefined;
      },
      { timeoutMs: 30_000, message: 'orphan adopted' },
    );
    assertControlledBy(adopted, set);
    assert.deepEqual(await numbering(cluster, ns, 'web'), [['web-orphan', 0], [r2.metadata.name, 2], [r1!.metadata.name, 3]], 'two old revisions: within the limit');

    // 5. A collision on the name v3 would get: status.collisionCount 1, another name. Three old
    //    revisions are one too many: the oldest unused one (the adopted orphan) goes.
    const dry = await cluster.client.patch<KubeObject>('statefulsets.apps', 'web', image(3), { namespace: ns, type: 'strategic', dryRun: true });
    const squatName = newStatefulSetRevision(dry, 0, 0).metadata.name!;
    await cluster.client.create<KubeObject>(CR, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: squatName, namespace: ns, labels: { squat: 'web' } }, data: { other: true }, revision: 1 });
    await strategicPatch(cluster, 'statefulsets.apps', ns, 'web', image(3));
    const v3 = await statusWhen((s) => done(s) && s.collisionCount === 1 && s.updateRevision !== r1!.metadata.name, 'rolled to v3 after a collision');
    assert.equal(v3.status.updateRevision, newStatefulSetRevision(v3, 0, 1).metadata.name);
    assert.notEqual(v3.status.updateRevision, squatName);
    const r3 = await cluster.client.get(CR, v3.status.updateRevision, { namespace: ns });
    assert.equal(revisionImage(r3), 'busybox:v3');
    assert.deepEqual((await cluster.client.get(CR, squatName, { namespace: ns })).data, { other: true });
    await numberingIs([[r2.metadata.name!, 2], [r1!.metadata.name!, 3], [r3.metadata.name!, 4]], 'the orphan truncated');

    // 6. One more template: revision 2, the oldest, goes.
    await strategicPatch(cluster, 'statefulsets.apps', ns, 'web', image(4));
    const v4 = await statusWhen((s) => done(s) && s.updateRevision !== r3.metadata.name, 'rolled to v4');
    await numberingIs([[r1!.metadata.name!, 3], [r3.metadata.name!, 4], [v4.status.updateRevision, 5]], 'history truncated to two old revisions');

    // 7. The garbage collector removes the revisions with their set.
    await cluster.client.delete('statefulsets.apps', 'web', { namespace: ns, propagationPolicy: 'Background' });
    await waitFor(async () => (await revisionsOf(cluster, ns, 'web')).length === 0, { timeoutMs: 30_000, message: 'revisions garbage collected' });
  });
});
