// The Job controller (upstream pkg/controller/job, as in 1.32): runs pods until
// spec.completions succeed (or, without completions, until one succeeds and the rest
// stopped), at most spec.parallelism at once, and fails the Job past spec.backoffLimit
// failures or spec.activeDeadlineSeconds.
//
// Pods are counted exactly once through the tracking finalizer (batch.kubernetes.io/job-tracking)
// every pod is created with: a finished pod is first written to
// status.uncountedTerminatedPods, then its finalizer is removed, then it moves to the
// succeeded / failed counters (trackJobStatusAndRemoveFinalizers). A crash between steps
// repeats a step, never counts twice.
//
// The end takes two steps as in 1.32: first the interim condition (SuccessCriteriaMet or
// FailureTarget) while remaining pods are deleted and counted, then Complete (with
// completionTime) or Failed once no pod is uncounted or terminating.
//
// reconcile(key): "ns/name" syncs a Job; "orphan-pod:ns/name" removes the finalizer from a pod
// no unfinished Job owns (upstream's orphan queue, here in the same queue).
//
// Not implemented: podFailurePolicy, backoffLimitPerIndex / maxFailedIndexes, successPolicy
// (validated by the apiserver, ignored here: failures count against backoffLimit).

import type { EventRecorder, KubeObject, LabelSelector, SharedIndexInformer } from '@minik8s/shared';
import {
  OWNER_UID_INDEX,
  isConflict,
  isNotFound,
  isNamespaceTerminating,
  objectReference,
  ownerUidIndexFunc,
  rfc3339,
  selectorFromLabelSelector,
  splitMetaNamespaceKey,
} from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import { ControllerExpectations } from '../../util/expectations.ts';
import { ControllerRefManager, getControllerOf, newControllerRef, recheckDeletionTimestamp } from '../../util/controller-ref.ts';
import { deepEqual } from '../../util/equality.ts';
import { isPodActive, isPodReady, podKey } from '../../util/pod-util.ts';
import { slowStartBatch } from '../../util/slow-start.ts';
import { FinalizerExpectations } from './finalizer-expectations.ts';
import { OrderedIntervals, activePodsForRemoval, calculateSucceededIndexes, firstPendingIndexes, indexedPodTemplate } from './indexed-job.ts';
import {
  JOB_CONTROLLER_NAME,
  JOB_TRACKING_FINALIZER,
  conditionsOf,
  ensureJobConditionStatus,
  findCondition,
  hasJobTrackingFinalizer,
  isIndexedJob,
  isJobFinished,
  isJobSuspended,
  isPodTerminating,
  newCondition,
  onlyReplaceFailedPods,
  pastBackoffLimitOnFailure,
  type JobCondition,
} from './job-util.ts';
import { cleanUncountedPodsWithoutFinalizers, collectFinishedPods, enactJobFinished, newFinishedPods, type SyncCtx } from './job-tracking.ts';
import { DEFAULT_JOB_POD_FAILURE_BACKOFF_MS, MAX_JOB_POD_FAILURE_BACKOFF_MS, PodBackoffStore, remainingBackoffMs } from './pod-failure-backoff.ts';

export { MAX_UNCOUNTED_PODS } from './job-tracking.ts';
export const JOB_CONTROLLER = 'job-controller';
/** upstream MaxPodCreateDeletePerSync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** upstream syncJobBatchPeriod: pod events are batched into one sync per Job per second. */
export const SYNC_JOB_BATCH_PERIOD_MS = 1000;
const ORPHAN_POD_PREFIX = 'orphan-pod:';
const JOB_KIND = { apiVersion: 'batch/v1', kind: 'Job' };

export interface JobControllerOptions {
  /** First pod failure backoff (10 s upstream); doubles per failure. */
  podFailureBackoffMs?: number;
  /** Its cap (6 min upstream). */
  maxPodFailureBackoffMs?: number;
  /** Delay batching pod events into one sync (1 s upstream). */
  syncBatchPeriodMs?: number;
}

export class JobController extends Controller {
  readonly expectations: ControllerExpectations;
  private readonly finalizerExpectations = new FinalizerExpectations();
  private readonly backoffStore = new PodBackoffStore();
  private readonly jobInformer: SharedIndexInformer;
  private readonly podInformer: SharedIndexInformer;
  private readonly recorder: EventRecorder;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly batchMs: number;

  constructor(ctx: ControllerContext, opts: JobControllerOptions = {}) {
    const workers = ctx.options.concurrentJobSyncs;
    super(ctx, { name: JOB_CONTROLLER, workers });
    this.backoffMs = opts.podFailureBackoffMs ?? DEFAULT_JOB_POD_FAILURE_BACKOFF_MS;
    this.maxBackoffMs = opts.maxPodFailureBackoffMs ?? MAX_JOB_POD_FAILURE_BACKOFF_MS;
    this.batchMs = opts.syncBatchPeriodMs ?? SYNC_JOB_BATCH_PERIOD_MS;
    this.expectations = new ControllerExpectations(ctx.clock);
    this.recorder = ctx.eventRecorder(JOB_CONTROLLER);
    this.jobInformer = ctx.informerFactory.informerFor('jobs.batch');
    this.podInformer = ctx.informerFactory.informerFor('pods', { indexers: { [OWNER_UID_INDEX]: ownerUidIndexFunc } });

    this.watch(this.jobInformer, {
      onAdd: (job) => this.enqueue(job),
      onUpdate: (old, cur) => this.updateJob(old, cur),
      onDelete: (job) => {
        this.enqueue(job);
        this.cleanupPodFinalizers(job);
      },
    });
    this.watch(this.podInformer, {
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.deletePod(pod, true),
    });
  }

  // ---- event handlers: only compute keys -------------------------------------------------

  private enqueueBatched(job: KubeObject): void {
    this.enqueueAfter(job, this.batchMs);
  }

  private enqueueOrphanPod(pod: KubeObject): void {
    this.enqueue(`${ORPHAN_POD_PREFIX}${podKey(pod)}`);
  }

  private resolveControllerRef(namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): KubeObject | undefined {
    if (!ref || ref.kind !== 'Job' || !namespace) return undefined;
    const job = this.jobInformer.get(namespace, ref.name);
    return job && job.metadata.uid === ref.uid ? job : undefined;
  }

  private jobsSelecting(pod: KubeObject): KubeObject[] {
    return this.jobInformer.list(pod.metadata.namespace).filter((job) => {
      try {
        const sel = selectorFromLabelSelector(job.spec?.selector);
        return !sel.empty() && sel.matches(pod.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  private updateJob(old: KubeObject, cur: KubeObject): void {
    if (old.metadata.uid !== cur.metadata.uid) this.expectations.deleteExpectations(key(old));
    // A spec change syncs at once; status updates (mostly our own) are batched.
    if (old.metadata.generation === cur.metadata.generation) this.enqueueBatched(cur);
    else this.enqueue(cur);
    // Backup: a finished Job releases every pod it still holds.
    if (isJobFinished(cur)) this.cleanupPodFinalizers(cur);
    const ads = cur.spec?.activeDeadlineSeconds;
    const start = Date.parse(cur.status?.startTime ?? '');
    if (typeof ads === 'number' && !Number.isNaN(start) && ads !== old.spec?.activeDeadlineSeconds) {
      this.enqueueAfter(cur, Math.max(0, start + ads * 1000 - this.clock.now()));
    }
  }

  private cleanupPodFinalizers(job: KubeObject): void {
    for (const pod of this.podInformer.getIndexer().byIndex(OWNER_UID_INDEX, job.metadata.uid!)) {
      if (hasJobTrackingFinalizer(pod)) this.enqueueOrphanPod(pod);
    }
  }

  private addPod(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) {
      // Seen first while being deleted (after a restart): not a creation we wait for.
      this.deletePod(pod, false);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const job = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!job) return;
      this.expectations.creationObserved(key(job));
      this.enqueueBatched(job);
      return;
    }
    if (hasJobTrackingFinalizer(pod)) this.enqueueOrphanPod(pod);
    for (const job of this.jobsSelecting(pod)) this.enqueueBatched(job);
  }

  private updatePod(old: KubeObject, cur: KubeObject): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) {
      // Counted as gone now, so a replacement need not wait for the grace period.
      this.deletePod(cur, false);
      return;
    }
    const finalizerRemoved = !hasJobTrackingFinalizer(cur);
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = !deepEqual(curRef, oldRef);
    if (refChanged && oldRef) {
      const job = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (job) {
        if (finalizerRemoved) this.finalizerExpectations.finalizerRemovalObserved(key(job), cur.metadata.uid!);
        this.enqueueBatched(job);
      }
    }
    if (curRef) {
      const job = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!job) return;
      if (finalizerRemoved) this.finalizerExpectations.finalizerRemovalObserved(key(job), cur.metadata.uid!);
      this.enqueueBatched(job);
      return;
    }
    if (hasJobTrackingFinalizer(cur)) this.enqueueOrphanPod(cur);
    if (refChanged || !deepEqual(old.metadata.labels, cur.metadata.labels)) for (const job of this.jobsSelecting(cur)) this.enqueueBatched(job);
  }

  /** `final`: the pod is gone from the API; otherwise it just got a deletionTimestamp. */
  private deletePod(pod: KubeObject, final: boolean): void {
    const ref = getControllerOf(pod);
    const hasFinalizer = hasJobTrackingFinalizer(pod);
    if (!ref) {
      if (hasFinalizer) this.enqueueOrphanPod(pod);
      return;
    }
    const job = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (!job || isJobFinished(job)) {
      // No sync will remove this finalizer.
      if (hasFinalizer) this.enqueueOrphanPod(pod);
      return;
    }
    const jobKey = key(job);
    this.expectations.deletionObserved(jobKey, podKey(pod));
    if (final || !hasFinalizer) this.finalizerExpectations.finalizerRemovalObserved(jobKey, pod.metadata.uid!);
    this.enqueueBatched(job);
  }

  // ---- reconcile -------------------------------------------------------------------------

  async reconcile(k: string): Promise<ReconcileResult | void> {
    if (k.startsWith(ORPHAN_POD_PREFIX)) return this.syncOrphanPod(k.slice(ORPHAN_POD_PREFIX.length));
    return this.syncJob(k);
  }

  /** Removes the tracking finalizer from a pod no unfinished Job of ours owns. */
  private async syncOrphanPod(podKeyStr: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(podKeyStr);
    const pod = this.podInformer.get(namespace, name);
    if (!pod || !hasJobTrackingFinalizer(pod)) return;
    const ref = getControllerOf(pod);
    if (ref) {
      // Owned by something that is not a batch/v1 Job: not ours to touch.
      if (ref.kind !== JOB_KIND.kind || ref.apiVersion !== JOB_KIND.apiVersion) return;
      const job = this.resolveControllerRef(namespace, ref);
      if (job && job.spec?.managedBy && job.spec.managedBy !== JOB_CONTROLLER_NAME) return;
      if (job && !isJobFinished(job)) return; // adopted again: its Job counts it
    }
    try {
      await this.removeFinalizerPatch(pod);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async syncJob(jobKey: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(jobKey);
    const cached = this.jobInformer.get(namespace, name);
    if (!cached) {
      this.expectations.deleteExpectations(jobKey);
      this.finalizerExpectations.deleteExpectations(jobKey);
      this.backoffStore.removeBackoffRecord(jobKey);
      return;
    }
    if (cached.spec?.managedBy && cached.spec.managedBy !== JOB_CONTROLLER_NAME) return;
    if (isJobFinished(cached)) {
      this.backoffStore.removeBackoffRecord(jobKey);
      return;
    }
    const mode = cached.spec?.completionMode;
    if (mode && mode !== 'NonIndexed' && mode !== 'Indexed') {
      this.recorder.event(objectReference('Job', cached), 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
      return;
    }
    const job = structuredClone(cached);
    const status = (job.status ??= {});
    status.uncountedTerminatedPods ??= {};
    const now = this.clock.now();
    // Read expectations before the pods: a pod arriving in between is seen next sync.
    const satisfied = this.expectations.satisfiedExpectations(jobKey);
    const pods = await this.getPodsForJob(job);
    const activePods = pods.filter(isPodActive);
    const uncountedStatus = status.uncountedTerminatedPods as { succeeded?: string[]; failed?: string[] };
    const sctx: SyncCtx = {
      job,
      pods,
      activePods,
      ready: activePods.filter(isPodReady).length,
      terminating: pods.filter(isPodTerminating).length,
      succeeded: 0,
      failed: 0,
      uncounted: { succeeded: new Set(uncountedStatus.succeeded ?? []), failed: new Set(uncountedStatus.failed ?? []) },
      expectedRmFinalizers: new Set(this.finalizerExpectations.expectedUids(jobKey)),
      newBackoffRecord: { key: jobKey, failuresAfterLastSuccess: 0 },
    };
    let active = activePods.length;
    const { newSucceeded, newFailed } = newFinishedPods(sctx);
    sctx.succeeded = (status.succeeded ?? 0) + newSucceeded.length + sctx.uncounted.succeeded.size;
    sctx.failed = (status.failed ?? 0) + newFailed.length + sctx.uncounted.failed.size;

    // First start: StartTime, unless created suspended.
    let startTimeSet = false;
    if (!status.startTime && !isJobSuspended(job)) {
      status.startTime = rfc3339(now);
      startTimeSet = true;
    }
    sctx.newBackoffRecord = this.backoffStore.newBackoffRecord(jobKey, newSucceeded, newFailed, now);

    const requeueAfter: number[] = [];
    const conditions = conditionsOf(job);
    const criteriaMet = findCondition(conditions, 'SuccessCriteriaMet');
    if (criteriaMet?.status === 'True') sctx.finished = criteriaMet;
    if (!sctx.finished) {
      const target = findCondition(conditions, 'FailureTarget');
      if (target?.status === 'True') sctx.finished = newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now);
    }
    if (!sctx.finished) {
      const backoffLimit: number = job.spec?.backoffLimit ?? 6;
      if (sctx.failed > backoffLimit || pastBackoffLimitOnFailure(job, pods)) {
        sctx.finished = newCondition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      } else if (this.pastActiveDeadline(job, now)) {
        sctx.finished = newCondition('FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
      } else if (typeof job.spec?.activeDeadlineSeconds === 'number' && !isJobSuspended(job)) {
        requeueAfter.push(Math.max(0, Date.parse(status.startTime) + job.spec.activeDeadlineSeconds * 1000 - now));
      }
    }
    if (isIndexedJob(job)) {
      const { prev, succeeded } = calculateSucceededIndexes(job, pods);
      sctx.prevSucceededIndexes = prev;
      sctx.succeededIndexes = succeeded;
      sctx.succeeded = succeeded.total();
    }

    let manageError: unknown;
    let suspendCondChanged = false;
    if (sctx.finished) {
      // Finishing: stop what still runs (finalizers stay until the pods are counted).
      const r = await this.deleteActivePods(job, activePods);
      if (r.deleted !== active || !satisfied) sctx.finished = undefined; // not everything is seen yet
      active -= r.deleted;
      sctx.terminating += r.deleted;
      sctx.ready -= r.deletedReady;
      manageError = r.error;
    } else {
      let manageCalled = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        const r = await this.manageJob(job, jobKey, sctx, now);
        active = r.active;
        manageError = r.error;
        if (r.requeueAfterMs !== undefined) requeueAfter.push(r.requeueAfterMs);
        manageCalled = true;
      }
      const completions: number | undefined = job.spec?.completions ?? undefined;
      // Without completions, the first success ends the Job once nothing else runs.
      const complete = completions === undefined ? sctx.succeeded > 0 && active === 0 : sctx.succeeded >= completions && active === 0;
      if (complete) {
        sctx.finished = newCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      } else if (manageCalled) {
        const ref = objectReference('Job', job);
        if (isJobSuspended(job)) {
          const r = ensureJobConditionStatus(conditionsOf(job), 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
          status.conditions = r.conditions;
          if (r.changed) {
            suspendCondChanged = true;
            this.recorder.event(ref, 'Normal', 'Suspended', 'Job suspended');
          }
        } else {
          const r = ensureJobConditionStatus(conditionsOf(job), 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
          status.conditions = r.conditions;
          if (r.changed) {
            suspendCondChanged = true;
            this.recorder.event(ref, 'Normal', 'Resumed', 'Job resumed');
            // activeDeadlineSeconds counts time continuously active: it restarts on resume.
            status.startTime = rfc3339(now);
          }
        }
      }
    }

    const needsStatusUpdate =
      suspendCondChanged || startTimeSet || active !== (status.active ?? 0) || sctx.ready !== status.ready || sctx.terminating !== status.terminating;
    status.active = active;
    status.ready = sctx.ready;
    status.terminating = sctx.terminating;
    await this.trackJobStatusAndRemoveFinalizers(jobKey, sctx, needsStatusUpdate, now);
    if (manageError !== undefined) throw manageError;
    if (requeueAfter.length) return { requeueAfterMs: Math.min(...requeueAfter) };
  }

  private pastActiveDeadline(job: KubeObject, now: number): boolean {
    const ads = job.spec?.activeDeadlineSeconds;
    const start = Date.parse(job.status?.startTime ?? '');
    if (typeof ads !== 'number' || Number.isNaN(start) || isJobSuspended(job)) return false;
    return now - start >= ads * 1000;
  }

  /** Claims the namespace's pods; adopted pods get the tracking finalizer (upstream getPodsForJob). */
  private async getPodsForJob(job: KubeObject): Promise<KubeObject[]> {
    const selector: LabelSelector = selectorFromLabelSelector(job.spec?.selector);
    const candidates = this.podInformer.list(job.metadata.namespace);
    const manager = new ControllerRefManager({
      client: this.ctx.client,
      controller: job,
      controllerKind: JOB_KIND,
      resource: 'pods',
      selector,
      canAdopt: recheckDeletionTimestamp(() => this.ctx.client.get('jobs.batch', job.metadata.name!, { namespace: job.metadata.namespace }), job),
    });
    const claimed = await manager.claim(candidates);
    const out: KubeObject[] = [];
    for (const pod of claimed) {
      const adopted = !(pod.metadata.ownerReferences ?? []).some((r) => r.uid === job.metadata.uid);
      if (!adopted || hasJobTrackingFinalizer(pod) || pod.metadata.deletionTimestamp) {
        out.push(pod);
        continue;
      }
      // Upstream adds the finalizer with the adoption itself: without it the pod is never counted.
      const finalizers = [...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
      try {
        await this.ctx.client.patch('pods', pod.metadata.name!, { metadata: { uid: pod.metadata.uid, finalizers } }, { namespace: pod.metadata.namespace, type: 'merge' });
        out.push({ ...pod, metadata: { ...pod.metadata, finalizers } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    return out;
  }

  /**
   * Creates or deletes pods toward the wanted number of active ones (upstream manageJob).
   * Resolves the resulting active count; creation waits out the pod failure backoff.
   */
  private async manageJob(job: KubeObject, jobKey: string, sctx: SyncCtx, now: number): Promise<{ active: number; error?: unknown; requeueAfterMs?: number }> {
    let active = sctx.activePods.length;
    const parallelism: number = job.spec?.parallelism ?? 1;
    if (isJobSuspended(job)) {
      const toDelete = activePodsForRemoval(job, sctx.activePods, active);
      this.expectations.expectDeletions(jobKey, toDelete.map(podKey));
      const r = await this.deleteJobPods(job, jobKey, toDelete);
      sctx.terminating += r.deleted;
      sctx.ready -= r.deletedReady;
      return { active: active - r.deleted, error: r.error };
    }
    const completions: number | undefined = job.spec?.completions ?? undefined;
    let wantActive: number;
    if (completions === undefined) wantActive = sctx.succeeded > 0 ? active : parallelism;
    else wantActive = Math.max(0, Math.min(completions - sctx.succeeded, parallelism));

    const toDelete = activePodsForRemoval(job, sctx.activePods, Math.max(0, active - wantActive)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (toDelete.length > 0) {
      // Deleting takes precedence: one kind of change per sync.
      this.expectations.expectDeletions(jobKey, toDelete.map(podKey));
      const r = await this.deleteJobPods(job, jobKey, toDelete);
      sctx.terminating += r.deleted;
      sctx.ready -= r.deletedReady;
      return { active: active - r.deleted, error: r.error };
    }
    // With podReplacementPolicy Failed, a pod still terminating holds its place.
    const terminating = onlyReplaceFailedPods(job) ? sctx.terminating : 0;
    let diff = wantActive - terminating - active;
    if (diff <= 0) return { active };
    const remaining = remainingBackoffMs(sctx.newBackoffRecord, now, this.backoffMs, this.maxBackoffMs);
    if (remaining > 0) return { active, requeueAfterMs: Math.max(remaining, this.batchMs) };
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: number[] = [];
    if (isIndexedJob(job)) {
      indexes = firstPendingIndexes(sctx.activePods, sctx.succeededIndexes ?? new OrderedIntervals(), diff, completions ?? 0);
      diff = indexes.length;
      if (diff === 0) return { active };
    }
    // Expect before writing: the pods' add events may arrive before create() resolves.
    this.expectations.expectCreations(jobKey, diff);
    let next = 0;
    const { successes, error } = await slowStartBatch(diff, 1, () => this.createPod(job, isIndexedJob(job) ? indexes[next++] : undefined));
    for (let i = successes; i < diff; i++) this.expectations.creationObserved(jobKey);
    active += successes;
    return { active, error };
  }

  private async createPod(job: KubeObject, index: number | undefined): Promise<void> {
    const template = index === undefined ? structuredClone(job.spec?.template ?? {}) : indexedPodTemplate(job, job.spec?.template, index);
    const meta = template.metadata ?? {};
    const finalizers: string[] = [...(meta.finalizers ?? [])];
    if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: index === undefined ? `${job.metadata.name}-` : `${job.metadata.name}-${index}-`,
        namespace: job.metadata.namespace,
        ...(meta.labels ? { labels: { ...meta.labels } } : {}),
        ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
        finalizers,
        ownerReferences: [newControllerRef(job, JOB_KIND.apiVersion, JOB_KIND.kind)],
      },
      spec: template.spec ?? {},
    };
    const ref = objectReference('Job', job);
    try {
      const created = await this.ctx.client.create<KubeObject>('pods', pod, { namespace: job.metadata.namespace });
      this.recorder.event(ref, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (err) {
      if (!isNamespaceTerminating(err)) {
        this.recorder.event(ref, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  /** Deletes active pods of a finishing Job, keeping their finalizers (upstream deleteActivePods). */
  private async deleteActivePods(job: KubeObject, pods: KubeObject[]): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
    let deleted = 0;
    let deletedReady = 0;
    let error: unknown;
    await Promise.all(
      pods.map(async (pod) => {
        try {
          await this.deletePodApi(job, pod);
          deleted++;
          if (isPodReady(pod)) deletedReady++;
        } catch (err) {
          error ??= err;
        }
      }),
    );
    return { deleted, deletedReady, error };
  }

  /** Removes the finalizer, then deletes each pod (upstream deleteJobPods: surplus or suspended pods). */
  private async deleteJobPods(job: KubeObject, jobKey: string, pods: KubeObject[]): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
    let deleted = 0;
    let deletedReady = 0;
    let error: unknown;
    await Promise.all(
      pods.map(async (pod) => {
        try {
          if (hasJobTrackingFinalizer(pod)) await this.removeFinalizerPatch(pod);
          await this.deletePodApi(job, pod);
          deleted++;
          if (isPodReady(pod)) deletedReady++;
        } catch (err) {
          // The informer will not report this deletion.
          this.expectations.deletionObserved(jobKey, podKey(pod));
          if (!isNotFound(err)) error ??= err;
        }
      }),
    );
    return { deleted, deletedReady, error };
  }

  private async deletePodApi(job: KubeObject, pod: KubeObject): Promise<void> {
    const ref = objectReference('Job', job);
    try {
      await this.ctx.client.delete('pods', pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid! } });
      this.recorder.event(ref, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.recorder.event(ref, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  }

  private removeFinalizerPatch(pod: KubeObject): Promise<unknown> {
    return this.ctx.client.patch(
      'pods',
      pod.metadata.name!,
      { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } },
      { namespace: pod.metadata.namespace, type: 'strategic' },
    );
  }

  /**
   * Counts finished pods exactly once (upstream trackJobStatusAndRemoveFinalizers):
   *  1. finished pods holding the finalizer go to status.uncountedTerminatedPods (or, Indexed,
   *     their index to completedIndexes), and an interim condition is added;
   *  2. that status is written, then their finalizers are removed;
   *  3. pods without the finalizer move from the uncounted lists to the counters;
   *  4. Complete / Failed once nothing is uncounted or terminating; status written again.
   * At most MAX_UNCOUNTED_PODS pods per sync.
   */
  private async trackJobStatusAndRemoveFinalizers(jobKey: string, sctx: SyncCtx, needsFlushIn: boolean, now: number): Promise<void> {
    // 1. Which pods to release and what they add to the status.
    const plan = collectFinishedPods(sctx, now);
    let needsFlush = needsFlushIn || plan.needsFlush;
    const { podsToRemoveFinalizer, uidsWithFinalizer } = plan;

    // 2. Flush the uncounted pods, then remove finalizers.
    if (needsFlush) {
      sctx.job = await this.updateJobStatus(sctx.job);
      this.backoffStore.updateBackoffRecord(sctx.newBackoffRecord);
      needsFlush = false;
    }
    let rmError: unknown;
    if (podsToRemoveFinalizer.length > 0) {
      const r = await this.removeTrackingFinalizerFromPods(jobKey, podsToRemoveFinalizer);
      r.succeeded.forEach((ok, i) => {
        if (ok) uidsWithFinalizer.delete(podsToRemoveFinalizer[i]!.metadata.uid!);
      });
      rmError = r.error;
    }
    // 3. Pods without finalizers move to the counters.
    if (cleanUncountedPodsWithoutFinalizers(sctx.job.status, uidsWithFinalizer)) needsFlush = true;
    if (rmError !== undefined) {
      if (needsFlush) await this.updateJobStatus(sctx.job);
      throw rmError;
    }
    // 4. The final condition.
    const finished = !plan.reachedMaxUncounted && enactJobFinished(sctx, now);
    if (finished) needsFlush = true;
    if (needsFlush) {
      sctx.job = await this.updateJobStatus(sctx.job);
      if (finished) this.recordJobFinished(sctx.job, sctx.finished!);
    }
  }

  private async removeTrackingFinalizerFromPods(jobKey: string, pods: KubeObject[]): Promise<{ succeeded: boolean[]; error?: unknown }> {
    this.finalizerExpectations.expectFinalizersRemoved(jobKey, pods.map((p) => p.metadata.uid!));
    let error: unknown;
    const succeeded = await Promise.all(
      pods.map(async (pod) => {
        if (!hasJobTrackingFinalizer(pod)) return true;
        try {
          await this.removeFinalizerPatch(pod);
          return true;
        } catch (err) {
          // No update will show this removal.
          this.finalizerExpectations.finalizerRemovalObserved(jobKey, pod.metadata.uid!);
          if (isNotFound(err)) return true;
          error ??= err;
          return false;
        }
      }),
    );
    return { succeeded, error };
  }

  private recordJobFinished(job: KubeObject, cond: JobCondition): void {
    const ref = objectReference('Job', job);
    if (cond.type === 'Complete') {
      const completions = job.spec?.completions;
      if (typeof completions === 'number' && (job.status?.succeeded ?? 0) > completions) {
        this.recorder.event(ref, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
      }
      this.recorder.event(ref, 'Normal', 'Completed', 'Job completed');
    } else {
      this.recorder.event(ref, 'Warning', cond.reason ?? 'Failed', cond.message ?? '');
    }
  }

  private async updateJobStatus(job: KubeObject): Promise<KubeObject> {
    const out = await this.ctx.client.updateStatus<KubeObject>('jobs.batch', job);
    // Keep working on what we sent, with the new resourceVersion for the next write.
    return { ...job, metadata: { ...job.metadata, resourceVersion: out.metadata.resourceVersion } };
  }
}

function key(obj: KubeObject): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}
