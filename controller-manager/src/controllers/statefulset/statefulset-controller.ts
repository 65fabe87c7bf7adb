// The StatefulSet controller (upstream pkg/controller/statefulset): pods with stable names
// <set>-0..N-1, created in order and removed in reverse (OrderedReady) or all at once
// (Parallel), recreated under the same name when deleted, rolled from the highest ordinal
// down to the partition.
//
// reconcile("ns/name"):
//  1. Read the StatefulSet (gone: forget its revisions).
//  2. Claim the namespace's pods that its selector matches and whose names say they are its
//     members (<set>-<ordinal>); adopt orphans, release strays.
//  3. Revisions: the update revision is the current template (<set>-<hash>); the current
//     revision is status.currentRevision, its template from revision-history.ts.
//  4. One sync step (stateful-set-control.ts), then status: counts, revisions, and at the end
//     of a RollingUpdate (every pod updated and ready) currentRevision = updateRevision.
// Events say "create Pod web-0 in StatefulSet web successful", as upstream.

import type { EventRecorder, KubeObject, LabelSelector, SharedIndexInformer } from '@minik8s/shared';
import {
  OWNER_UID_INDEX,
  isAlreadyExists,
  isConflict,
  isNotFound,
  isStatusError,
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
import { RevisionHistory } from './revision-history.ts';
import { computeReplicaStatus, syncStatefulSet, type Revision, type StatefulPodControl, type StatefulSetStatus } from './stateful-set-control.ts';
import { STS_KIND, getPodRevision, identityLabels, isMemberOf, revisionName, templateFromPod } from './stateful-pod.ts';

export const STATEFULSET_CONTROLLER = 'statefulset-controller';

export class StatefulSetController extends Controller {
  private readonly setInformer: SharedIndexInformer;
  private readonly podInformer: SharedIndexInformer;
  private readonly recorder: EventRecorder;
  private readonly history = new RevisionHistory();
  private readonly podControl: StatefulPodControl;

  constructor(ctx: ControllerContext) {
    const workers = ctx.options.concurrentStatefulSetSyncs;
    super(ctx, { name: STATEFULSET_CONTROLLER, workers });
    this.recorder = ctx.eventRecorder(STATEFULSET_CONTROLLER);
    this.setInformer = ctx.informerFactory.informerFor('statefulsets.apps');
    this.podInformer = ctx.informerFactory.informerFor('pods', { indexers: { [OWNER_UID_INDEX]: ownerUidIndexFunc } });
    this.podControl = this.newPodControl();

    this.watch(this.setInformer, {
      onAdd: (set) => {
        this.history.remember(set);
        this.enqueue(set);
      },
      onUpdate: (old, cur) => {
        if (old.metadata.uid === cur.metadata.uid) this.history.remember(old);
        else this.history.forget(old.metadata.uid!);
        this.history.remember(cur);
        this.enqueue(cur);
      },
      onDelete: (set) => {
        this.history.forget(set.metadata.uid!);
        this.enqueue(set);
      },
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
    const pods = await this.claimPods(set, selector);
    const { current, update } = this.revisions(set, pods);
    const now = this.clock.now();
    let status: StatefulSetStatus;
    try {
      status = await syncStatefulSet(set, pods, current, update, this.podControl, now);
    } catch (err) {
      // Status still tells what the pods are; the sync comes back after the backoff.
      const minReady: number = set.spec?.minReadySeconds ?? 0;
      await this.updateStatus(set, {
        observedGeneration: set.metadata.generation,
        ...computeReplicaStatus(pods, minReady, now, current.name, update.name),
        currentRevision: current.name,
        updateRevision: update.name,
        collisionCount: set.status?.collisionCount ?? 0,
      });
      if (isAlreadyExists(err)) return { requeue: true }; // our cache is behind: not an error
      throw err;
    }
    const written = await this.updateStatus(set, status);
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

  /**
   * The update revision (this template) and the current one (status.currentRevision): its
   * template as remembered, else recovered from a live pod of it; with neither, or no
   * current revision yet, the update revision is current (upstream initializes it so).
   */
  private revisions(set: KubeObject, pods: KubeObject[]): { current: Revision; update: Revision } {
    const update: Revision = { name: revisionName(set, set.spec?.template), template: set.spec?.template ?? {} };
    const currentName: string | undefined = set.status?.currentRevision;
    if (!currentName || currentName === update.name) return { current: update, update };
    const remembered = this.history.template(set, currentName);
    if (remembered !== undefined) return { current: { name: currentName, template: remembered }, update };
    const pod = pods.find((p) => getPodRevision(p) === currentName && !p.metadata.deletionTimestamp);
    if (pod) {
      // Kept from now on: the pod it came from may be the next one deleted.
      const template = templateFromPod(set, pod);
      this.history.rememberRevision(set, currentName, template);
      return { current: { name: currentName, template }, update };
    }
    this.logger.info({ statefulset: `${set.metadata.namespace}/${set.metadata.name}`, revision: currentName }, 'current revision unknown; using the update revision');
    return { current: update, update };
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
          if (!(isStatusError(err) && err.code === 403 && /being terminated/.test(err.message))) record('Create', set, pod, err);
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
