// The Deployment controller (upstream pkg/controller/deployment): rolls a Deployment's pod
// template out through ReplicaSets named <deployment>-<pod-template-hash>.
//
// reconcile("ns/name") = upstream syncDeployment:
//  1. Claim the namespace's ReplicaSets the selector matches (adopt orphans, release strays).
//  2. Being deleted: only write status. Paused: only scale (and clean up); the Progressing
//     condition says DeploymentPaused / DeploymentResumed.
//  3. A scaling event (an active set's desired-replicas annotation differs from
//     spec.replicas): scale proportionally, no rollout step.
//  4. Otherwise one step of the strategy: rolling.ts or recreate.ts.
//  5. Status: counts, Available, Progressing (NewReplicaSetAvailable / ReplicaSetUpdated /
//     ProgressDeadlineExceeded); a rollout with a deadline is looked at again when it would pass.
// A rollback (`kubectl rollout undo`) is the user setting an old template back: the set with
// that template is found again (same hash) and gets the next revision.

import type { KubeObject, LabelSelector, SharedIndexInformer } from '@minik8s/shared';
import { OWNER_UID_INDEX, isNotFound, ownerUidIndexFunc, selectorFromLabelSelector, splitMetaNamespaceKey } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import type { EventRecorder } from '@minik8s/shared';
import { objectReference } from '@minik8s/shared';
import { ControllerRefManager, getControllerOf, recheckDeletionTimestamp } from '../../util/controller-ref.ts';
import { getCondition, setCondition } from '../../util/conditions.ts';
import { deepEqual } from '../../util/equality.ts';
import { DeploymentSync } from './deployment-sync.ts';
import { newCondition } from './deployment-status.ts';
import { DESIRED_REPLICAS_ANNOTATION, PAUSED_DEPLOY_REASON, RESUMED_DEPLOY_REASON, TIMED_OUT_REASON, filterActive, hasProgressDeadline, replicasOf } from './deployment-util.ts';
import { rolloutRolling } from './rolling.ts';
import { rolloutRecreate } from './recreate.ts';

export const DEPLOYMENT_CONTROLLER = 'deployment-controller';
/** upstream maxRetries: a deployment failing this often is dropped until its next event. */
const MAX_RETRIES = 15;
const DEPLOYMENT_KIND = { apiVersion: 'apps/v1', kind: 'Deployment' };

export class DeploymentController extends Controller {
  private readonly dInformer: SharedIndexInformer;
  private readonly rsInformer: SharedIndexInformer;
  private readonly podInformer: SharedIndexInformer;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: DEPLOYMENT_CONTROLLER, workers: ctx.options.concurrentDeploymentSyncs, maxRetries: MAX_RETRIES });
    this.recorder = ctx.eventRecorder(DEPLOYMENT_CONTROLLER);
    this.dInformer = ctx.informerFactory.informerFor('deployments.apps');
    this.rsInformer = ctx.informerFactory.informerFor('replicasets.apps', { indexers: { [OWNER_UID_INDEX]: ownerUidIndexFunc } });
    this.podInformer = ctx.informerFactory.informerFor('pods', { indexers: { [OWNER_UID_INDEX]: ownerUidIndexFunc } });

    this.watch(this.dInformer, {
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (d) => this.enqueue(d),
    });
    this.watch(this.rsInformer, {
      onAdd: (rs) => this.addReplicaSet(rs),
      onUpdate: (old, cur) => this.updateReplicaSet(old, cur),
      onDelete: (rs) => this.enqueueOwner(rs),
    });
    this.watch(this.podInformer, { onDelete: (pod) => this.deletePod(pod) });
  }

  private resolveControllerRef(obj: KubeObject): KubeObject | undefined {
    const ref = getControllerOf(obj);
    if (!ref || ref.kind !== 'Deployment' || !obj.metadata.namespace) return undefined;
    const d = this.dInformer.get(obj.metadata.namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  private enqueueOwner(rs: KubeObject): void {
    const d = this.resolveControllerRef(rs);
    if (d) this.enqueue(d);
  }

  /** Deployments of the set's namespace whose selector matches it (for orphans). */
  private deploymentsFor(rs: KubeObject): KubeObject[] {
    return this.dInformer.list(rs.metadata.namespace).filter((d) => {
      try {
        const sel = selectorFromLabelSelector(d.spec?.selector);
        return !sel.empty() && sel.matches(rs.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  private addReplicaSet(rs: KubeObject): void {
    if (getControllerOf(rs)) this.enqueueOwner(rs);
    else for (const d of this.deploymentsFor(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: KubeObject, cur: KubeObject): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) this.enqueueOwner(old);
    if (curRef) {
      this.enqueueOwner(cur);
      return;
    }
    if (!deepEqual(old.metadata.labels, cur.metadata.labels) || oldRef) for (const d of this.deploymentsFor(cur)) this.enqueue(d);
  }

  /** Recreate waits for old pods to be gone: a deleted pod may unblock it. */
  private deletePod(pod: KubeObject): void {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet' || !pod.metadata.namespace) return;
    const rs = this.rsInformer.get(pod.metadata.namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.resolveControllerRef(rs);
    if (d && d.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.dInformer.get(namespace, name);
    if (!cached) return;
    const selectorSpec = cached.spec?.selector;
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelector(selectorSpec);
    } catch (err) {
      this.logger.warn({ deployment: key, err: (err as Error).message }, 'invalid selector');
      return;
    }
    if (selector.empty()) {
      this.recorder.event(objectReference('Deployment', cached), 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((cached.status?.observedGeneration ?? 0) < (cached.metadata.generation ?? 0)) {
        await this.ctx.client.updateStatus('deployments.apps', { ...cached, status: { ...(cached.status ?? {}), observedGeneration: cached.metadata.generation } });
      }
      return;
    }
    const sets = await this.claimReplicaSets(cached, selector);
    const sync = new DeploymentSync(
      {
        client: this.ctx.client,
        recorder: this.recorder,
        logger: this.logger,
        now: () => this.clock.now(),
        getReplicaSet: (ns, n) => this.rsInformer.get(ns, n),
      },
      cached,
      sets,
    );

    if (cached.metadata.deletionTimestamp) {
      const { newRS } = await sync.newAndOld(false);
      await sync.syncDeploymentStatus(newRS);
      return;
    }
    await this.checkPausedConditions(sync);
    if (sync.d.spec?.paused) {
      const { newRS, oldRSs } = await sync.newAndOld(false);
      await sync.scale(newRS, oldRSs);
      await sync.cleanup(oldRSs);
      await sync.syncDeploymentStatus(newRS);
      return;
    }
    if (await this.isScalingEvent(sync)) {
      const { newRS, oldRSs } = await sync.newAndOld(false);
      await sync.scale(newRS, oldRSs);
      await sync.syncDeploymentStatus(newRS);
      return;
    }
    const after =
      sync.d.spec?.strategy?.type === 'Recreate' ? await rolloutRecreate(sync, this.podsBySet(sync.sets)) : await rolloutRolling(sync);
    if (after !== undefined) return { requeueAfterMs: after };
  }

  private async claimReplicaSets(d: KubeObject, selector: LabelSelector): Promise<KubeObject[]> {
    const manager = new ControllerRefManager({
      client: this.ctx.client,
      controller: d,
      controllerKind: DEPLOYMENT_KIND,
      resource: 'replicasets.apps',
      selector,
      canAdopt: recheckDeletionTimestamp(() => this.ctx.client.get('deployments.apps', d.metadata.name!, { namespace: d.metadata.namespace }), d),
    });
    const claimed = await manager.claim(this.rsInformer.list(d.metadata.namespace));
    // Adopted sets are read back with our reference on them at the next sync; use them as is now.
    return claimed.map((rs) => structuredClone(rs));
  }

  /** Pods of the deployment's sets, by set uid (Recreate's "are old pods gone?"). */
  private podsBySet(sets: KubeObject[]): Map<string, KubeObject[]> {
    const out = new Map<string, KubeObject[]>();
    for (const rs of sets) out.set(rs.metadata.uid!, this.podInformer.getIndexer().byIndex(OWNER_UID_INDEX, rs.metadata.uid!));
    return out;
  }

  /** An active set's desired-replicas annotation differs from spec.replicas (upstream isScalingEvent). */
  private async isScalingEvent(sync: DeploymentSync): Promise<boolean> {
    const { newRS, oldRSs } = await sync.newAndOld(false);
    for (const rs of filterActive([newRS, ...oldRSs])) {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      if (desired === undefined) continue;
      if (Number(desired) !== replicasOf(sync.d)) return true;
    }
    return false;
  }

  /** Progressing says DeploymentPaused while paused, DeploymentResumed right after. */
  private async checkPausedConditions(sync: DeploymentSync): Promise<void> {
    const d = sync.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status?.conditions, 'Progressing');
    if (cond?.reason === TIMED_OUT_REASON) return; // a reported failure stays
    const pausedCond = cond?.reason === PAUSED_DEPLOY_REASON;
    const now = this.clock.now();
    let next;
    if (d.spec?.paused && !pausedCond) next = newCondition('Progressing', 'Unknown', PAUSED_DEPLOY_REASON, 'Deployment is paused', now);
    else if (!d.spec?.paused && pausedCond) next = newCondition('Progressing', 'Unknown', RESUMED_DEPLOY_REASON, 'Deployment is resumed', now);
    if (!next) return;
    try {
      await sync.writeStatus({ ...(d.status ?? {}), conditions: setCondition(d.status?.conditions ?? [], next) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
