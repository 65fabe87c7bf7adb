// The StatefulSet controller (upstream pkg/controller/statefulset): pods with stable names
// <set>-0..N-1, created in order and removed in reverse (OrderedReady) or all at once
// (Parallel), recreated under the same name when deleted, rolled from the highest ordinal
// down to the partition.
//
// reconcile("ns/name"):
//  1. Read the StatefulSet.
//  2. Adopt the orphan ControllerRevisions its selector matches; claim the namespace's pods
//     that its selector matches and whose names say they are its members (<set>-<ordinal>);
//     adopt orphans, release strays.
//  3. Revisions (statefulset-revisions.ts): the update revision is the ControllerRevision of
//     the current template (created, or renumbered when the template went back to an older
//     one); the current revision is the one status.currentRevision names.
//  4. One sync step (stateful-set-control.ts), then status: counts, revisions, collisionCount,
//     and at the end of a RollingUpdate (every pod updated and ready) currentRevision =
//     updateRevision.
//  5. Truncate the history to spec.revisionHistoryLimit revisions not in use.
// Events say "create Pod web-0 in StatefulSet web successful", as upstream.

import type { EventRecorder, KubeObject, LabelSelector, SharedIndexInformer } from '@minik8s/shared';
import {
  OWNER_UID_INDEX,
  isAlreadyExists,
  isConflict,
  isNotFound,
  isNamespaceTerminating,
  objectReference,
  ownerUidIndexFunc,
  selectorFromLabelSelector,
  splitMetaNamespaceKey,
} from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import { ControllerRefManager, getControllerOf, recheckDeletionTimestamp } from '../../util/controller-ref.ts';
import { deepEqual } from '../../util/equality.ts';
import { isPodReady } from '../../util/pod-util.ts';
import { CONTROLLER_REVISIONS, ControllerHistory, sortControllerRevisions, type ControllerRevision } from '../history/controller-history.ts';
import { computeReplicaStatus, syncStatefulSet, type StatefulPodControl, type StatefulSetStatus } from './stateful-set-control.ts';
import { STS_KIND, identityLabels, isMemberOf } from './stateful-pod.ts';
import { getStatefulSetRevisions, toRevision, truncateHistory } from './statefulset-revisions.ts';

export const STATEFULSET_CONTROLLER = 'statefulset-controller';

export class StatefulSetController extends Controller {
  private readonly setInformer: SharedIndexInformer;
  private readonly podInformer: SharedIndexInformer;
  private readonly recorder: EventRecorder;
  private readonly history: ControllerHistory;
  private readonly podControl: StatefulPodControl;

  constructor(ctx: ControllerContext) {
    const workers = ctx.options.concurrentStatefulSetSyncs;
    super(ctx, { name: STATEFULSET_CONTROLLER, workers });
    this.recorder = ctx.eventRecorder(STATEFULSET_CONTROLLER);
    this.setInformer = ctx.informerFactory.informerFor('statefulsets.apps');
    this.podInformer = ctx.informerFactory.informerFor('pods', { indexers: { [OWNER_UID_INDEX]: ownerUidIndexFunc } });
    // Read only, as upstream: a revision changes only through this controller's own writes.
    this.history = new ControllerHistory(ctx.client, this.uses(ctx.informerFactory.informerFor(CONTROLLER_REVISIONS)));
    this.podControl = this.newPodControl();

    this.watch(this.setInformer, {
      onAdd: (set) => this.enqueue(set),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (set) => this.enqueue(set),
    });
    this.watch(this.podInformer, {
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.enqueueController(pod),
    });
  }

  // ---- event handlers: only compute keys -------------------------------------------------

  private resolveControllerRef(namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): KubeObject | undefined {
    if (!ref || ref.kind !== 'StatefulSet' || !namespace) return undefined;
    const set = this.setInformer.get(namespace, ref.name);
    return set && set.metadata.uid === ref.uid ? set : undefined;
  }

  private setsSelecting(pod: KubeObject): KubeObject[] {
    return this.setInformer.list(pod.metadata.namespace).filter((set) => {
      try {
        const sel = selectorFromLabelSelector(set.spec?.selector);
        return !sel.empty() && sel.matches(pod.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  private enqueueController(pod: KubeObject): void {
    const set = this.resolveControllerRef(pod.metadata.namespace, getControllerOf(pod));
    if (set) this.enqueue(set);
  }

  private addPod(pod: KubeObject): void {
    if (getControllerOf(pod)) {
      this.enqueueController(pod);
      return;
    }
    if (!pod.metadata.deletionTimestamp) for (const set of this.setsSelecting(pod)) this.enqueue(set);
  }

  private updatePod(old: KubeObject, cur: KubeObject): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const set = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (set) this.enqueue(set);
    }
    if (curRef) {
      const set = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!set) return;
      this.enqueue(set);
      const minReady: number = set.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.enqueueAfter(set, minReady * 1000 + 1000);
      return;
    }
    if (refChanged || !deepEqual(old.metadata.labels, cur.metadata.labels)) for (const set of this.setsSelecting(cur)) this.enqueue(set);
  }

  // ---- reconcile -------------------------------------------------------------------------

  async reconcile(setKey: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(setKey);
    const set = this.setInformer.get(namespace, name);
    if (!set) return;
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelector(set.spec?.selector);
    } catch (err) {
      this.recorder.event(objectReference('StatefulSet', set), 'Warning', 'InvalidSelector', `Invalid selector: ${(err as Error).message}`);
      return;
    }
    const deleting = !!set.metadata.deletionTimestamp;
    const revisions = sortControllerRevisions(this.history.list(set, selector));
    if (!deleting) await this.adoptOrphanRevisions(set, revisions);
    const pods = await this.claimPods(set, selector);
    const revs = await getStatefulSetRevisions(set, revisions, this.history, deleting);
    const current = toRevision(revs.current);
    const update = toRevision(revs.update);
    const now = this.clock.now();
    let status: StatefulSetStatus;
    try {
      status = { ...(await syncStatefulSet(set, pods, current, update, this.podControl, now)), collisionCount: revs.collisionCount };
    } catch (err) {
      // Status still tells what the pods are; the sync comes back after the backoff.
      const minReady: number = set.spec?.minReadySeconds ?? 0;
      await this.updateStatus(set, {
        observedGeneration: set.metadata.generation,
        ...computeReplicaStatus(pods, minReady, now, current.name, update.name),
        currentRevision: current.name,
        updateRevision: update.name,
        collisionCount: revs.collisionCount,
      });
      // The history is kept in bounds even when the sync failed; the sync's error is the one to report.
      if (!deleting) await truncateHistory(set, pods, revisions, revs.current, revs.update, this.history).catch((e) => this.logger.warn({ err: (e as Error).message }, 'truncating history'));
      if (isAlreadyExists(err)) return { requeue: true }; // our cache is behind: not an error
      throw err;
    }
    const written = await this.updateStatus(set, status);
    if (!deleting) await truncateHistory(set, pods, revisions, revs.current, revs.update, this.history);
    const minReady: number = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && written.readyReplicas !== written.availableReplicas) return { requeueAfterMs: minReady * 1000 };
  }

  private async claimPods(set: KubeObject, selector: LabelSelector): Promise<KubeObject[]> {
    const manager = new ControllerRefManager({
      client: this.ctx.client,
      controller: set,
      controllerKind: STS_KIND,
      resource: 'pods',
      selector,
      canAdopt: recheckDeletionTimestamp(() => this.ctx.client.get('statefulsets.apps', set.metadata.name!, { namespace: set.metadata.namespace }), set),
    });
    return manager.claim(this.podInformer.list(set.metadata.namespace), (p) => selector.matches(p.metadata.labels) && isMemberOf(set, p));
  }

  /** Adopts the orphans among the set's revisions (upstream adoptOrphanRevisions). */
  private async adoptOrphanRevisions(set: KubeObject, revisions: ControllerRevision[]): Promise<void> {
    const orphans = revisions.filter((r) => !getControllerOf(r));
    if (orphans.length === 0) return;
    await recheckDeletionTimestamp(() => this.ctx.client.get('statefulsets.apps', set.metadata.name!, { namespace: set.metadata.namespace }), set)();
    await this.history.adopt(set, STS_KIND, orphans);
  }

  /** Writes status when it changed (upstream updateStatefulSetStatus with completeRollingUpdate). */
  private async updateStatus(set: KubeObject, computed: StatefulSetStatus): Promise<StatefulSetStatus> {
    const status = { ...computed };
    const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
      status.currentReplicas = status.updatedReplicas;
      status.currentRevision = status.updateRevision;
    }
    const cur = set.status ?? {};
    const same =
      (cur.observedGeneration ?? 0) === (status.observedGeneration ?? 0) &&
      (cur.replicas ?? 0) === status.replicas &&
      (cur.readyReplicas ?? 0) === status.readyReplicas &&
      (cur.currentReplicas ?? 0) === status.currentReplicas &&
      (cur.updatedReplicas ?? 0) === status.updatedReplicas &&
      (cur.availableReplicas ?? 0) === status.availableReplicas &&
      (cur.currentRevision ?? '') === status.currentRevision &&
      (cur.updateRevision ?? '') === status.updateRevision &&
      (cur.collisionCount ?? 0) === status.collisionCount;
    if (same) return status;
    let current = set;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ctx.client.updateStatus<KubeObject>('statefulsets.apps', { ...current, status: { ...(current.status ?? {}), ...status } });
        return status;
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
        current = await this.ctx.client.get('statefulsets.apps', set.metadata.name!, { namespace: set.metadata.namespace });
        if (current.metadata.uid !== set.metadata.uid) return status;
      }
    }
  }

  /** The API writes of a sync, with upstream's events (StatefulPodControl). */
  private newPodControl(): StatefulPodControl {
    const client = this.ctx.client;
    const recorder = this.recorder;
    const record = (verb: 'Create' | 'Delete' | 'Update', set: KubeObject, pod: KubeObject, err?: unknown) => {
      const ref = objectReference('StatefulSet', set);
      const what = `${verb.toLowerCase()} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
      if (err === undefined) recorder.event(ref, 'Normal', `Successful${verb}`, `${what} successful`);
      else recorder.event(ref, 'Warning', `Failed${verb}`, `${what} failed error: ${(err as Error).message}`);
    };
    return {
      async createPod(set, pod) {
        try {
          await client.create('pods', pod, { namespace: set.metadata.namespace });
        } catch (err) {
          // An old pod of that name still exists: the cache is behind; not worth an event.
          if (isAlreadyExists(err)) throw err;
          if (!isNamespaceTerminating(err)) record('Create', set, pod, err);
          throw err;
        }
        record('Create', set, pod);
      },
      async deletePod(set, pod) {
        try {
          await client.delete('pods', pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid! } });
        } catch (err) {
          if (isNotFound(err) || isConflict(err)) return; // gone already
          record('Delete', set, pod, err);
          throw err;
        }
        record('Delete', set, pod);
      },
      async updatePodIdentity(set, pod) {
        try {
          await client.patch('pods', pod.metadata.name!, { metadata: { uid: pod.metadata.uid, labels: identityLabels(pod) } }, { namespace: pod.metadata.namespace, type: 'merge' });
        } catch (err) {
          if (isNotFound(err) || isConflict(err)) return;
          record('Update', set, pod, err);
          throw err;
        }
        record('Update', set, pod);
      },
      event(set, type, reason, message) {
        recorder.event(objectReference('StatefulSet', set), type, reason, message);
      },
    };
  }
}
