// The ReplicaSet controller: keeps exactly spec.replicas active pods matching each
// ReplicaSet's selector ("确保集群中有且仅有N个Pod实例"), as upstream's pkg/controller/replicaset.
//
// reconcile("ns/name"):
//  1. Read the ReplicaSet from the cache (gone: forget its expectations, done).
//  2. Claim pods: of the namespace's active pods (not terminal, not being deleted), keep those
//     it controls and still selects, adopt matching orphans, release those no longer selected.
//  3. Only if its expectations are satisfied (every create/delete of the last sync was seen in
//     the pod cache) and it is not being deleted: create or delete the difference.
//     Creates run in slow-start batches (1, 2, 4, ...); deletes take the cheapest pods first
//     (pods-to-delete.ts). At most 500 pods per sync (burstReplicas).
//  4. Write status (replicas, fullyLabeled, ready, available with minReadySeconds,
//     observedGeneration, ReplicaFailure) when it changed; requeue after minReadySeconds
//     while ready pods are not yet available.

import type { KubeObject, SharedIndexInformer } from '@minik8s/shared';
import {
  OWNER_UID_INDEX,
  isConflict,
  isNotFound,
  isNamespaceTerminating,
  ownerUidIndexFunc,
  selectorFromLabelSelector,
  splitMetaNamespaceKey,
} from '@minik8s/shared';
import type { LabelSelector } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import type { EventRecorder } from '@minik8s/shared';
import { objectReference } from '@minik8s/shared';
import { ControllerExpectations } from '../../util/expectations.ts';
import { ControllerRefManager, getControllerOf, newControllerRef, recheckDeletionTimestamp } from '../../util/controller-ref.ts';
import { isPodActive, isPodReady, podKey } from '../../util/pod-util.ts';
import { slowStartBatch } from '../../util/slow-start.ts';
import { deepEqual } from '../../util/equality.ts';
import { getPodsToDelete } from './pods-to-delete.ts';
import { calculateReplicaSetStatus, replicaSetStatusChanged, type ReplicaSetStatus } from './replicaset-status.ts';

export const REPLICASET_CONTROLLER = 'replicaset-controller';
/** upstream BurstReplicas: the most pods created or deleted in one sync. */
export const BURST_REPLICAS = 500;
const RS_KIND = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };

export class ReplicaSetController extends Controller {
  readonly expectations: ControllerExpectations;
  private readonly rsInformer: SharedIndexInformer;
  private readonly podInformer: SharedIndexInformer;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: REPLICASET_CONTROLLER, workers: ctx.options.concurrentReplicaSetSyncs });
    this.expectations = new ControllerExpectations(ctx.clock);
    this.recorder = ctx.eventRecorder(REPLICASET_CONTROLLER);
    this.rsInformer = ctx.informerFactory.informerFor('replicasets.apps', { indexers: { [OWNER_UID_INDEX]: ownerUidIndexFunc } });
    this.podInformer = ctx.informerFactory.informerFor('pods', { indexers: { [OWNER_UID_INDEX]: ownerUidIndexFunc } });

    this.watch(this.rsInformer, {
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) this.expectations.deleteExpectations(key(old));
        this.enqueue(cur);
      },
      onDelete: (rs) => {
        this.expectations.deleteExpectations(key(rs));
        this.enqueue(rs);
      },
    });
    this.watch(this.podInformer, {
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.deletePod(pod),
    });
  }

  // ---- event handlers: only compute keys -------------------------------------------------

  /** The ReplicaSet `ref` points to, if it exists in the cache with that uid. */
  private resolveControllerRef(namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): KubeObject | undefined {
    if (!ref || ref.kind !== 'ReplicaSet' || !namespace) return undefined;
    const rs = this.rsInformer.get(namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets of the pod's namespace whose selector matches it (for orphans). */
  private matchingReplicaSets(pod: KubeObject): KubeObject[] {
    return this.rsInformer.list(pod.metadata.namespace).filter((rs) => {
      try {
        const sel = selectorFromLabelSelector(rs.spec?.selector);
        return !sel.empty() && sel.matches(pod.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  private addPod(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) {
      // Seen for the first time already being deleted (e.g. after a restart): count the deletion.
      this.deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(key(rs));
      this.enqueue(rs);
      return;
    }
    for (const rs of this.matchingReplicaSets(pod)) this.enqueue(rs);
  }

  private updatePod(old: KubeObject, cur: KubeObject): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return; // resync
    const labelsChanged = !deepEqual(old.metadata.labels, cur.metadata.labels);
    if (cur.metadata.deletionTimestamp) {
      // A pod being deleted is gone for the ReplicaSet's count: treat it as deleted now, so a
      // replacement is created without waiting out the grace period.
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const rs = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!rs) return;
      this.enqueue(rs);
      // Ready now: it becomes available after minReadySeconds, check again then.
      const minReady: number = rs.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.enqueueAfter(rs, minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.matchingReplicaSets(cur)) this.enqueue(rs);
  }

  private deletePod(pod: KubeObject): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (!rs) return;
    this.expectations.deletionObserved(key(rs), podKey(pod));
    this.enqueue(rs);
  }

  // ---- reconcile -------------------------------------------------------------------------

  async reconcile(rsKey: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(rsKey);
    const rs = this.rsInformer.get(namespace, name);
    if (!rs) {
      this.expectations.deleteExpectations(rsKey);
      return;
    }
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelector(rs.spec?.selector);
    } catch (err) {
      this.logger.warn({ replicaset: rsKey, err: (err as Error).message }, 'invalid selector');
      return; // a broken selector will not heal by retrying
    }
    const needsSync = this.expectations.satisfiedExpectations(rsKey);

    const active = this.podInformer.list(namespace).filter(isPodActive);
    const pods = await this.claimPods(rs, selector, active);

    let manageError: { error: unknown; creating: boolean } | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      manageError = await this.manageReplicas(rs, rsKey, pods);
    }
    const status = calculateReplicaSetStatus(rs, pods, manageError, this.clock.now());
    const updated = await this.updateStatus(rs, status);
    if (manageError) throw manageError.error;
    const minReady: number = rs.spec?.minReadySeconds ?? 0;
    const replicas: number = rs.spec?.replicas ?? 1;
    if (minReady > 0 && (updated.readyReplicas ?? 0) === replicas && (updated.availableReplicas ?? 0) !== replicas) {
      return { requeueAfterMs: minReady * 1000 };
    }
  }

  private async claimPods(rs: KubeObject, selector: LabelSelector, pods: KubeObject[]): Promise<KubeObject[]> {
    const manager = new ControllerRefManager({
      client: this.ctx.client,
      controller: rs,
      controllerKind: RS_KIND,
      resource: 'pods',
      selector,
      canAdopt: recheckDeletionTimestamp(() => this.ctx.client.get('replicasets.apps', rs.metadata.name!, { namespace: rs.metadata.namespace }), rs),
    });
    return manager.claim(pods);
  }

  /** Creates or deletes the difference; resolves the failure (if any) for the status. */
  private async manageReplicas(rs: KubeObject, rsKey: string, pods: KubeObject[]): Promise<{ error: unknown; creating: boolean } | undefined> {
    const replicas: number = rs.spec?.replicas ?? 1;
    let diff = pods.length - replicas;
    if (diff < 0) {
      diff = Math.min(-diff, BURST_REPLICAS);
      // Expect before writing: the pods' add events may arrive before create() resolves.
      this.expectations.expectCreations(rsKey, diff);
      this.logger.debug({ replicaset: rsKey, need: replicas, creating: diff }, 'too few replicas');
      const { successes, error } = await slowStartBatch(diff, 1, () => this.createPod(rs, rsKey));
      if (error !== undefined) {
        // The creations that were skipped or failed will never be observed.
        for (let i = successes; i < diff; i++) this.expectations.creationObserved(rsKey);
        return { error, creating: true };
      }
      return undefined;
    }
    if (diff > 0) {
      diff = Math.min(diff, BURST_REPLICAS);
      this.logger.debug({ replicaset: rsKey, need: replicas, deleting: diff }, 'too many replicas');
      const victims = getPodsToDelete(pods, this.relatedPods(rs), diff);
      this.expectations.expectDeletions(rsKey, victims.map(podKey));
      const results = await Promise.allSettled(victims.map((p) => this.deletePodApi(rs, p)));
      let error: unknown;
      results.forEach((r, i) => {
        if (r.status === 'rejected') {
          this.expectations.deletionObserved(rsKey, podKey(victims[i]));
          error ??= r.reason;
        }
      });
      return error === undefined ? undefined : { error, creating: false };
    }
    return undefined;
  }

  /** Active pods of every ReplicaSet controlled by the same owner (one Deployment's). */
  private relatedPods(rs: KubeObject): KubeObject[] {
    const owner = getControllerOf(rs);
    const sets = owner ? this.rsInformer.getIndexer().byIndex(OWNER_UID_INDEX, owner.uid) : [rs];
    const out: KubeObject[] = [];
    for (const s of sets) {
      for (const p of this.podInformer.getIndexer().byIndex(OWNER_UID_INDEX, s.metadata.uid!)) {
        if (isPodActive(p)) out.push(p);
      }
    }
    return out;
  }

  private async createPod(rs: KubeObject, rsKey: string): Promise<void> {
    const template = rs.spec?.template ?? {};
    const meta = template.metadata ?? {};
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace,
        ...(meta.labels ? { labels: { ...meta.labels } } : {}),
        ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
        ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
        ownerReferences: [newControllerRef(rs, RS_KIND.apiVersion, RS_KIND.kind)],
      },
      spec: structuredClone(template.spec ?? {}),
    };
    const ref = objectReference('ReplicaSet', rs);
    try {
      const created = await this.ctx.client.create<KubeObject>('pods', pod, { namespace: rs.metadata.namespace });
      this.recorder.event(ref, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (err) {
      // A terminating namespace refuses every new pod: nothing to do, not a failure (upstream
      // returns nil here), and the pod will never be observed.
      if (isNamespaceTerminating(err)) {
        this.expectations.creationObserved(rsKey);
        return;
      }
      this.recorder.event(ref, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  private async deletePodApi(rs: KubeObject, pod: KubeObject): Promise<void> {
    const ref = objectReference('ReplicaSet', rs);
    try {
      await this.ctx.client.delete('pods', pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid! } });
      this.recorder.event(ref, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return; // already gone: the goal is met
      this.recorder.event(ref, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Writes status when it changed (one retry on a fresh read after a conflict, as upstream). */
  private async updateStatus(rs: KubeObject, status: ReplicaSetStatus): Promise<ReplicaSetStatus> {
    if (!replicaSetStatusChanged(rs, status)) return status;
    let current = rs;
    for (let attempt = 0; ; attempt++) {
      const next: ReplicaSetStatus = { ...status, observedGeneration: current.metadata.generation };
      try {
        const out = await this.ctx.client.updateStatus<KubeObject>('replicasets.apps', { ...current, status: next });
        return out.status ?? next;
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
        current = await this.ctx.client.get('replicasets.apps', rs.metadata.name!, { namespace: rs.metadata.namespace });
        if (current.metadata.uid !== rs.metadata.uid) return status;
      }
    }
  }
}

function key(obj: KubeObject): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}
