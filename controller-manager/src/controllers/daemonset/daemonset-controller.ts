// The DaemonSet controller (upstream pkg/controller/daemon): one pod of each DaemonSet on every
// node that should run it, as nodes come, go and change.
//
// reconcile("ns/name") = upstream syncDaemonSet:
//  1. Read the DaemonSet (gone: forget its expectations). A selector selecting everything is
//     refused (Warning SelectingAll); a DaemonSet being deleted is left to the GC.
//  2. Claim the namespace's pods (adopt / release by selector) and group them by target node
//     (spec.nodeName, else the node their required node affinity names).
//  3. History (daemonset-history.ts): the ControllerRevision of the current template, created
//     or renumbered to be the newest; its controller-revision-hash is the hash up-to-date pods
//     carry. Keep the deprecated.daemonset.template.generation annotation (template-generation.ts).
//  4. Expectations satisfied: manage (per node, podsShouldBeOnNode: create where missing,
//     delete where it must not run, a failed pod under backoff, surplus pods), then one
//     RollingUpdate step (rolling-update.ts), then drop old revisions beyond
//     spec.revisionHistoryLimit. Pods are created with a required node affinity for their node
//     and bound by the scheduler, as upstream.
//  5. Status (daemonset-status.ts); observedGeneration only after a full sync.
//
// Pods bound to a node that no longer exists are left to the pod GC controller, as upstream.

import type { EventRecorder, KubeObject, LabelSelector, SharedIndexInformer } from '@minik8s/shared';
import { OWNER_UID_INDEX, isConflict, isNotFound, isNamespaceTerminating, objectReference, ownerUidIndexFunc, selectorFromLabelSelector, splitMetaNamespaceKey } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import { ControllerExpectations } from '../../util/expectations.ts';
import { ControllerRefManager, getControllerOf, newControllerRef, recheckDeletionTimestamp } from '../../util/controller-ref.ts';
import { deepEqual } from '../../util/equality.ts';
import { isPodAvailable, isPodReady, isPodTerminal, podKey } from '../../util/pod-util.ts';
import { slowStartBatch } from '../../util/slow-start.ts';
import { TEMPLATE_GENERATION_ANNOTATION, compareByCreationTimestampAndPhase, createPodTemplate, getTargetNodeName, isPodUpdated, replaceNodeNameAffinity } from './daemon-pods.ts';
import { CONTROLLER_REVISIONS, ControllerHistory } from '../history/controller-history.ts';
import { DS_KIND, cleanupHistory, constructHistory, revisionHash } from './daemonset-history.ts';
import { calculateDaemonSetStatus, daemonSetStatusChanged, type DaemonSetStatus } from './daemonset-status.ts';
import { FailedPodsBackoff } from './failed-pods-backoff.ts';
import { nodeShouldRunDaemonPod } from './node-should-run.ts';
import { planRollingUpdate, surgeAndUnavailable } from './rolling-update.ts';
import { TemplateGenerations } from './template-generation.ts';

export const DAEMONSET_CONTROLLER = 'daemonset-controller';
/** upstream BurstReplicas of the DaemonSet controller: most pods created or deleted per sync. */
export const DAEMONSET_BURST_REPLICAS = 250;

export interface DaemonSetControllerOptions {
  /** Initial backoff before a failed daemon pod is deleted again on the same node (1 s). */
  failedPodsBackoffMs?: number;
  /** Its cap (15 min). */
  failedPodsBackoffMaxMs?: number;
}

export class DaemonSetController extends Controller {
  /** Creations and deletions are awaited separately: one sync may ask for both. */
  readonly creations: ControllerExpectations;
  readonly deletions: ControllerExpectations;
  private readonly dsInformer: SharedIndexInformer;
  private readonly podInformer: SharedIndexInformer;
  private readonly nodeInformer: SharedIndexInformer;
  private readonly historyInformer: SharedIndexInformer;
  private readonly history: ControllerHistory;
  private readonly recorder: EventRecorder;
  private readonly failedPodsBackoff: FailedPodsBackoff;
  private readonly templateGenerations = new TemplateGenerations();

  constructor(ctx: ControllerContext, opts: DaemonSetControllerOptions = {}) {
    const workers = ctx.options.concurrentDaemonSetSyncs;
    super(ctx, { name: DAEMONSET_CONTROLLER, workers });
    this.creations = new ControllerExpectations(ctx.clock);
    this.deletions = new ControllerExpectations(ctx.clock);
    this.failedPodsBackoff = new FailedPodsBackoff(ctx.clock, opts.failedPodsBackoffMs, opts.failedPodsBackoffMaxMs);
    this.recorder = ctx.eventRecorder(DAEMONSET_CONTROLLER);
    this.dsInformer = ctx.informerFactory.informerFor('daemonsets.apps');
    this.podInformer = ctx.informerFactory.informerFor('pods', { indexers: { [OWNER_UID_INDEX]: ownerUidIndexFunc } });
    this.nodeInformer = ctx.informerFactory.informerFor('nodes');
    this.historyInformer = ctx.informerFactory.informerFor(CONTROLLER_REVISIONS);
    this.history = new ControllerHistory(ctx.client, this.historyInformer);

    this.watch(this.dsInformer, {
      onAdd: (ds) => this.enqueue(ds),
      onUpdate: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) this.forgetExpectations(key(old));
        this.enqueue(cur);
      },
      onDelete: (ds) => {
        this.forgetExpectations(key(ds));
        this.templateGenerations.forget(ds.metadata.uid!);
        this.enqueue(ds);
      },
    });
    this.watch(this.podInformer, {
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.deletePod(pod),
    });
    // A revision created, renumbered or deleted (by us or a user) may change the sync.
    this.watch(this.historyInformer, {
      onAdd: (h) => this.addHistory(h),
      onUpdate: (old, cur) => this.updateHistory(old, cur),
      onDelete: (h) => {
        const ds = this.resolveControllerRef(h.metadata.namespace, getControllerOf(h));
        if (ds) this.enqueue(ds);
      },
    });
    this.watch(this.nodeInformer, {
      onAdd: (node) => {
        for (const ds of this.dsInformer.list()) if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.enqueue(ds);
      },
      onUpdate: (old, cur) => {
        for (const ds of this.dsInformer.list()) {
          const a = nodeShouldRunDaemonPod(old, ds);
          const b = nodeShouldRunDaemonPod(cur, ds);
          if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.enqueue(ds);
        }
      },
      // Status counts nodes: a node gone changes desired and current at once.
      onDelete: () => {
        for (const ds of this.dsInformer.list()) this.enqueue(ds);
      },
    });
  }

  private forgetExpectations(dsKey: string): void {
    this.creations.deleteExpectations(dsKey);
    this.deletions.deleteExpectations(dsKey);
  }

  private satisfied(dsKey: string): boolean {
    return this.creations.satisfiedExpectations(dsKey) && this.deletions.satisfiedExpectations(dsKey);
  }

  // ---- event handlers: only compute keys -------------------------------------------------

  private resolveControllerRef(namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): KubeObject | undefined {
    if (!ref || ref.kind !== 'DaemonSet' || !namespace) return undefined;
    const ds = this.dsInformer.get(namespace, ref.name);
    return ds && ds.metadata.uid === ref.uid ? ds : undefined;
  }

  /** The DaemonSets whose selector matches `obj` (a pod or a revision). */
  private daemonSetsSelecting(obj: KubeObject): KubeObject[] {
    return this.dsInformer.list(obj.metadata.namespace).filter((ds) => {
      try {
        const sel = selectorFromLabelSelector(ds.spec?.selector);
        return !sel.empty() && sel.matches(obj.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  /** Its controller syncs; an orphan goes to every DaemonSet that may adopt it (upstream addHistory). */
  private addHistory(h: KubeObject): void {
    const ref = getControllerOf(h);
    if (ref) {
      const ds = this.resolveControllerRef(h.metadata.namespace, ref);
      if (ds) this.enqueue(ds);
      return;
    }
    if (!h.metadata.deletionTimestamp) for (const ds of this.daemonSetsSelecting(h)) this.enqueue(ds);
  }

  private updateHistory(old: KubeObject, cur: KubeObject): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const ds = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (ds) this.enqueue(ds);
      return;
    }
    if (refChanged || !deepEqual(old.metadata.labels, cur.metadata.labels)) for (const ds of this.daemonSetsSelecting(cur)) this.enqueue(ds);
  }

  private addPod(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const ds = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!ds) return;
      this.creations.creationObserved(key(ds));
      this.enqueue(ds);
      return;
    }
    for (const ds of this.daemonSetsSelecting(pod)) this.enqueue(ds);
  }

  private updatePod(old: KubeObject, cur: KubeObject): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) {
      // Gone for counting purposes now: a replacement need not wait for the grace period.
      this.deletePod(cur);
      return;
    }
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const ds = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!ds) return;
      this.enqueue(ds);
      const minReady: number = ds.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.enqueueAfter(ds, minReady * 1000 + 1000);
      return;
    }
    if (refChanged || !deepEqual(old.metadata.labels, cur.metadata.labels)) for (const ds of this.daemonSetsSelecting(cur)) this.enqueue(ds);
  }

  private deletePod(pod: KubeObject): void {
    const ds = this.resolveControllerRef(pod.metadata.namespace, getControllerOf(pod));
    if (!ds) return;
    this.deletions.deletionObserved(key(ds), podKey(pod));
    this.enqueue(ds);
  }

  // ---- reconcile -------------------------------------------------------------------------

  async reconcile(dsKey: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(dsKey);
    const ds = this.dsInformer.get(namespace, name);
    if (!ds) {
      this.forgetExpectations(dsKey);
      return;
    }
    const ref = objectReference('DaemonSet', ds);
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelector(ds.spec?.selector);
    } catch (err) {
      this.logger.warn({ daemonset: dsKey, err: (err as Error).message }, 'invalid selector');
      return;
    }
    if (selector.empty()) {
      this.recorder.event(ref, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata.deletionTimestamp) return;

    const claimed = await this.claimPods(ds, selector);
    const { cur, old } = await constructHistory(ds, selector, {
      client: this.ctx.client,
      history: this.history,
      canAdopt: this.canAdopt(ds),
      pods: () => claimed,
    });
    const hash = revisionHash(cur);
    const generation = await this.ensureTemplateGeneration(ds, hash);
    const nodes = this.nodeInformer.list();
    const satisfied = this.satisfied(dsKey);

    if (!satisfied) {
      // Only status: this sync did not act on the current spec.
      await this.updateStatus(ds, nodes, claimed, hash, false);
      return;
    }
    const requeueAfter: number[] = [];
    let syncError: unknown;
    try {
      await this.manage(ds, dsKey, nodes, claimed, hash, generation, requeueAfter);
      if (this.satisfied(dsKey) && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        const plan = planRollingUpdate(ds, nodes, groupByNode(claimed, false), hash, this.clock.now());
        await this.syncNodes(ds, dsKey, plan.podsToDelete.map((n) => this.podInformer.get(namespace, n)).filter((p): p is KubeObject => !!p), plan.nodesToCreate, hash, generation);
      }
      await cleanupHistory(ds, old, claimed, this.history);
    } catch (err) {
      syncError = err;
    }
    const status = await this.updateStatus(ds, nodes, claimed, hash, true);
    if (syncError !== undefined) throw syncError;
    const minReady: number = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady !== status.numberAvailable) requeueAfter.push(minReady * 1000);
    if (requeueAfter.length) return { requeueAfterMs: Math.min(...requeueAfter) };
  }

  /** Keeps the template generation annotation (template-generation.ts); resolves its value. */
  private async ensureTemplateGeneration(ds: KubeObject, hash: string): Promise<number> {
    const want = this.templateGenerations.desired(ds, hash);
    if (TemplateGenerations.current(ds) === want) {
      this.templateGenerations.record(ds, hash, want);
      return want;
    }
    try {
      await this.ctx.client.patch(
        'daemonsets.apps',
        ds.metadata.name!,
        { metadata: { annotations: { [TEMPLATE_GENERATION_ANNOTATION]: String(want) } } },
        { namespace: ds.metadata.namespace, type: 'merge' },
      );
      this.templateGenerations.record(ds, hash, want);
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
    return want;
  }

  private async claimPods(ds: KubeObject, selector: LabelSelector): Promise<KubeObject[]> {
    const manager = new ControllerRefManager({
      client: this.ctx.client,
      controller: ds,
      controllerKind: DS_KIND,
      resource: 'pods',
      selector,
      canAdopt: this.canAdopt(ds),
    });
    return manager.claim(this.podInformer.list(ds.metadata.namespace));
  }

  /** Re-reads the DaemonSet before adopting anything: a deleted one adopts nothing. */
  private canAdopt(ds: KubeObject): () => Promise<void> {
    return recheckDeletionTimestamp(() => this.ctx.client.get('daemonsets.apps', ds.metadata.name!, { namespace: ds.metadata.namespace }), ds);
  }

  /** Creates and deletes daemon pods so each node has what it should (upstream manage). */
  private async manage(ds: KubeObject, dsKey: string, nodes: KubeObject[], claimed: KubeObject[], hash: string, generation: number, requeueAfter: number[]): Promise<void> {
    const nodeToPods = groupByNode(claimed, true);
    const nodesNeeding: string[] = [];
    const toDelete: KubeObject[] = [];
    for (const node of nodes) {
      const r = this.podsShouldBeOnNode(ds, node, nodeToPods.get(node.metadata.name!), hash, requeueAfter);
      nodesNeeding.push(...r.nodesNeeding);
      toDelete.push(...r.toDelete);
    }
    // Unscheduled pods for a node that no longer exists would never be scheduled (upstream
    // getUnscheduledPodsWithoutNode). Bound ones are the pod GC controller's.
    const known = new Set(nodes.map((n) => n.metadata.name!));
    for (const [nodeName, pods] of nodeToPods) {
      if (known.has(nodeName)) continue;
      toDelete.push(...pods.filter((p) => !p.metadata.deletionTimestamp && !p.spec?.nodeName));
    }
    await this.syncNodes(ds, dsKey, toDelete, nodesNeeding, hash, generation);
  }

  /** Upstream podsShouldBeOnNode: what to create on / delete from one node. */
  private podsShouldBeOnNode(ds: KubeObject, node: KubeObject, pods: KubeObject[] | undefined, hash: string, requeueAfter: number[]): { nodesNeeding: string[]; toDelete: KubeObject[] } {
    const nodeName = node.metadata.name!;
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const nodesNeeding: string[] = [];
    const toDelete: KubeObject[] = [];
    const ref = objectReference('DaemonSet', ds);
    if (shouldRun && !pods) {
      nodesNeeding.push(nodeName);
    } else if (shouldContinueRunning && pods) {
      const running: KubeObject[] = [];
      for (const pod of pods) {
        if (pod.metadata.deletionTimestamp) continue;
        const phase = pod.status?.phase;
        if (phase === 'Failed') {
          // Deleting (and so recreating) a pod the kubelet keeps failing is rate limited.
          const backoffKey = `${ds.metadata.uid}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
          if (this.failedPodsBackoff.isInBackOffSinceUpdate(backoffKey)) {
            requeueAfter.push(this.failedPodsBackoff.get(backoffKey));
            continue;
          }
          this.failedPodsBackoff.next(backoffKey);
          this.recorder.event(ref, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}, will try to kill it`);
          toDelete.push(pod);
        } else if (phase === 'Succeeded') {
          this.recorder.event(ref, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}, will try to delete it`);
          toDelete.push(pod);
        } else {
          running.push(pod);
        }
      }
      running.sort(compareByCreationTimestampAndPhase);
      const { maxSurge } = surgeAndUnavailable(ds, 1);
      if (maxSurge === 0) {
        // Without surge a node keeps its oldest pod only.
        toDelete.push(...running.slice(1));
      } else if (running.length === 0) {
        if (shouldRun) nodesNeeding.push(nodeName);
      } else if (running.length > 1) {
        // With surge a node may hold one old and one new pod: keep the oldest of each, and
        // drop the old one once the new one is available (or the old one is not ready).
        let oldestNew: KubeObject | undefined;
        let oldestOld: KubeObject | undefined;
        for (const pod of running) {
          const isNew = isPodUpdated(pod, hash);
          if (isNew && !oldestNew) oldestNew = pod;
          else if (!isNew && !oldestOld) oldestOld = pod;
          else toDelete.push(pod);
        }
        if (oldestNew && oldestOld) {
          const minReady: number = ds.spec?.minReadySeconds ?? 0;
          if (!isPodReady(oldestOld)) toDelete.push(oldestOld);
          else if (isPodAvailable(oldestNew, minReady, this.clock.now())) toDelete.push(oldestOld);
        }
      }
    } else if (!shouldContinueRunning && pods) {
      toDelete.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
    }
    return { nodesNeeding, toDelete };
  }

  /** Creates pods on `nodesNeeding` and deletes `toDelete`, with expectations (upstream syncNodes). */
  private async syncNodes(ds: KubeObject, dsKey: string, toDelete: KubeObject[], nodesNeeding: string[], hash: string, generation: number): Promise<void> {
    const creates = nodesNeeding.slice(0, DAEMONSET_BURST_REPLICAS);
    const deletes = dedupe(toDelete).slice(0, DAEMONSET_BURST_REPLICAS);
    if (creates.length === 0 && deletes.length === 0) return;
    // Expect before writing: the informer may report the pods before the calls resolve.
    this.creations.expectCreations(dsKey, creates.length);
    this.deletions.expectDeletions(dsKey, deletes.map(podKey));
    let error: unknown;
    if (creates.length > 0) {
      const template = createPodTemplate(ds, generation, hash);
      let next = 0;
      const { successes, error: createError } = await slowStartBatch(creates.length, 1, () => this.createPod(ds, template, creates[next++]!));
      if (createError !== undefined) {
        // Failed and skipped creations will never be observed.
        for (let i = successes; i < creates.length; i++) this.creations.creationObserved(dsKey);
        error = createError;
      }
    }
    const results = await Promise.allSettled(deletes.map((p) => this.deletePodApi(ds, p)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        this.deletions.deletionObserved(dsKey, podKey(deletes[i]!));
        error ??= r.reason;
      }
    });
    if (error !== undefined) throw error;
  }

  private async createPod(ds: KubeObject, template: { metadata: any; spec: any }, nodeName: string): Promise<void> {
    const meta = template.metadata ?? {};
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${ds.metadata.name}-`,
        namespace: ds.metadata.namespace,
        labels: { ...(meta.labels ?? {}) },
        ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
        ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
        ownerReferences: [newControllerRef(ds, DS_KIND.apiVersion, DS_KIND.kind)],
      },
      // The scheduler binds it: the required node affinity names the one node it fits.
      spec: { ...structuredClone(template.spec ?? {}), affinity: replaceNodeNameAffinity(template.spec?.affinity, nodeName) },
    };
    const ref = objectReference('DaemonSet', ds);
    try {
      const created = await this.ctx.client.create<KubeObject>('pods', pod, { namespace: ds.metadata.namespace });
      this.recorder.event(ref, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (err) {
      if (!isNamespaceTerminating(err)) {
        this.recorder.event(ref, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  private async deletePodApi(ds: KubeObject, pod: KubeObject): Promise<void> {
    const ref = objectReference('DaemonSet', ds);
    try {
      await this.ctx.client.delete('pods', pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid! } });
      this.recorder.event(ref, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) {
        // Already gone: its deletion event may never come for this uid.
        this.deletions.deletionObserved(key(ds), podKey(pod));
        return;
      }
      this.recorder.event(ref, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Writes the status computed from the caches when it changed; resolves it. */
  private async updateStatus(ds: KubeObject, nodes: KubeObject[], claimed: KubeObject[], hash: string, updateObservedGeneration: boolean): Promise<DaemonSetStatus> {
    const status = calculateDaemonSetStatus(ds, nodes, groupByNode(claimed, false), hash, this.clock.now());
    if (!daemonSetStatusChanged(ds, status, updateObservedGeneration)) return status;
    let current = ds;
    for (let attempt = 0; ; attempt++) {
      const next = {
        ...(current.status ?? {}),
        ...status,
        observedGeneration: updateObservedGeneration ? current.metadata.generation : current.status?.observedGeneration,
      };
      try {
        await this.ctx.client.updateStatus<KubeObject>('daemonsets.apps', { ...current, status: next });
        return status;
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
        current = await this.ctx.client.get('daemonsets.apps', ds.metadata.name!, { namespace: ds.metadata.namespace });
        if (current.metadata.uid !== ds.metadata.uid) return status;
      }
    }
  }
}

/**
 * Pods by the node they are for. Without `includeDeletedTerminal`, pods being deleted and
 * terminal pods are left out (what status and the rolling update count).
 */
function groupByNode(pods: KubeObject[], includeDeletedTerminal: boolean): Map<string, KubeObject[]> {
  const out = new Map<string, KubeObject[]>();
  for (const pod of pods) {
    if (!includeDeletedTerminal && (pod.metadata.deletionTimestamp || isPodTerminal(pod))) continue;
    const node = getTargetNodeName(pod);
    if (!node) continue;
    const list = out.get(node);
    if (list) list.push(pod);
    else out.set(node, [pod]);
  }
  return out;
}

function dedupe(pods: KubeObject[]): KubeObject[] {
  const seen = new Set<string>();
  return pods.filter((p) => {
    const k = p.metadata.uid ?? podKey(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function key(obj: KubeObject): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}
