// How the Job controller counts finished pods exactly once (upstream
// trackJobStatusAndRemoveFinalizers, its pure part): which pods' tracking finalizers may go,
// what they add to status.uncountedTerminatedPods (or, Indexed, to completedIndexes), the
// interim and final conditions. The controller writes the status and patches the pods.

import type { KubeObject } from '@minik8s/shared';
import { rfc3339 } from '@minik8s/shared';
import { OrderedIntervals } from './indexed-job.ts';
import {
  conditionsOf,
  ensureJobConditionStatus,
  findCondition,
  getCompletionIndex,
  hasJobTrackingFinalizer,
  isIndexedJob,
  isPodFailed,
  newCondition,
  type JobCondition,
} from './job-util.ts';
import type { BackoffRecord } from './pod-failure-backoff.ts';

/** upstream MaxUncountedPods: keeps status.uncountedTerminatedPods under ~20 KB. */
export const MAX_UNCOUNTED_PODS = 500;

/** What one sync knows about a Job (upstream syncJobCtx). */
export interface SyncCtx {
  job: KubeObject;
  pods: KubeObject[];
  activePods: KubeObject[];
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  uncounted: { succeeded: Set<string>; failed: Set<string> };
  expectedRmFinalizers: ReadonlySet<string>;
  finished?: JobCondition;
  prevSucceededIndexes?: OrderedIntervals;
  succeededIndexes?: OrderedIntervals;
  newBackoffRecord: BackoffRecord;
}

/** Finished pods not yet in the status or its uncounted lists (upstream getNewFinishedPods). */
export function newFinishedPods(sctx: SyncCtx): { newSucceeded: KubeObject[]; newFailed: KubeObject[] } {
  const valid = (p: KubeObject, uncounted: Set<string>) => {
    const uid = p.metadata.uid!;
    // Without the finalizer a pod was counted already (or is in the uncounted lists).
    if (!hasJobTrackingFinalizer(p) || uncounted.has(uid) || sctx.expectedRmFinalizers.has(uid)) return false;
    if (isIndexedJob(sctx.job)) {
      const ix = getCompletionIndex(p);
      if (ix < 0 || ix >= (sctx.job.spec?.completions ?? 0)) return false;
    }
    return true;
  };
  return {
    newSucceeded: sctx.pods.filter((p) => valid(p, sctx.uncounted.succeeded) && p.status?.phase === 'Succeeded'),
    newFailed: sctx.pods.filter((p) => valid(p, sctx.uncounted.failed) && isPodFailed(p, sctx.job)),
  };
}

export interface FinishedPods {
  /** Finished pods (or all, when the Job ends) whose finalizer may now go. */
  podsToRemoveFinalizer: KubeObject[];
  /** Uids of pods still holding the finalizer (not already being released). */
  uidsWithFinalizer: Set<string>;
  /** The status gained something to write before the finalizers go. */
  needsFlush: boolean;
  /** MAX_UNCOUNTED_PODS reached: the rest waits for the next sync. */
  reachedMaxUncounted: boolean;
}

/**
 * Step 1 of counting (mutates sctx.job.status and sctx.finished): finished pods holding the
 * finalizer go to status.uncountedTerminatedPods (Indexed: their index to completedIndexes),
 * pods already released move to the counters, and an interim condition (FailureTarget,
 * SuccessCriteriaMet) is added while sctx.finished becomes the final one (Failed, Complete).
 */
export function collectFinishedPods(sctx: SyncCtx, now: number): FinishedPods {
  let needsFlush = false;
  const job = sctx.job;
  const status = job.status;
  const indexed = isIndexedJob(job);
  const completions: number = job.spec?.completions ?? 0;
  const uncounted = status.uncountedTerminatedPods as { succeeded?: string[]; failed?: string[] };
  const pods = indexed ? [...sctx.pods].sort((a, b) => getCompletionIndex(a) - getCompletionIndex(b)) : sctx.pods;
  const uidsWithFinalizer = new Set<string>();
  for (const p of pods) if (hasJobTrackingFinalizer(p) && !sctx.expectedRmFinalizers.has(p.metadata.uid!)) uidsWithFinalizer.add(p.metadata.uid!);
  if (cleanUncountedPodsWithoutFinalizers(status, uidsWithFinalizer)) needsFlush = true;

  const podsToRemoveFinalizer: KubeObject[] = [];
  const newSucceededIndexes: number[] = [];
  let reachedMaxUncounted = false;
  for (const pod of pods) {
    const uid = pod.metadata.uid!;
    if (!hasJobTrackingFinalizer(pod) || sctx.expectedRmFinalizers.has(uid)) continue; // counted in an earlier sync
    const considerFailed = isPodFailed(pod, job);
    const canRemove = !!job.metadata.deletionTimestamp || !!sctx.finished || pod.status?.phase === 'Succeeded' || considerFailed;
    if (!canRemove) continue;
    podsToRemoveFinalizer.push(pod);
    if (pod.status?.phase === 'Succeeded' && !sctx.uncounted.failed.has(uid)) {
      if (indexed) {
        // The index is enough to never count a success twice.
        const ix = getCompletionIndex(pod);
        if (ix >= 0 && ix < completions && !sctx.prevSucceededIndexes?.has(ix)) {
          newSucceededIndexes.push(ix);
          needsFlush = true;
        }
      } else if (!sctx.uncounted.succeeded.has(uid)) {
        needsFlush = true;
        (uncounted.succeeded ??= []).push(uid);
      }
    } else if (considerFailed || (sctx.finished && sctx.finished.type !== 'SuccessCriteriaMet')) {
      // Once the Job is finishing, every pod still not succeeded counts as failed.
      const ix = getCompletionIndex(pod);
      if (!sctx.uncounted.failed.has(uid) && (!indexed || (ix >= 0 && ix < completions))) {
        needsFlush = true;
        (uncounted.failed ??= []).push(uid);
      }
    }
    if (newSucceededIndexes.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) >= MAX_UNCOUNTED_PODS) {
      // The status and pod updates bring the Job back for the rest.
      reachedMaxUncounted = true;
      break;
    }
  }
  if (indexed) {
    sctx.succeededIndexes = (sctx.succeededIndexes ?? new OrderedIntervals()).withOrderedIndexes(newSucceededIndexes.sort((a, b) => a - b));
    const text = sctx.succeededIndexes.toString();
    if (text !== (status.completedIndexes ?? '')) needsFlush = true;
    status.succeeded = sctx.succeededIndexes.total();
    if (text) status.completedIndexes = text;
    else delete status.completedIndexes;
  }
  if (sctx.finished?.type === 'FailureTarget') {
    // The interim condition records why before the pods' finalizers go.
    status.conditions = [...conditionsOf(job), sctx.finished];
    needsFlush = true;
    sctx.finished = newCondition('Failed', 'True', sctx.finished.reason ?? '', sctx.finished.message ?? '', now);
  }
  if (sctx.finished?.type === 'SuccessCriteriaMet') {
    if (!findCondition(conditionsOf(job), 'SuccessCriteriaMet')) {
      status.conditions = [...conditionsOf(job), sctx.finished];
      needsFlush = true;
    }
    sctx.finished = newCondition('Complete', 'True', sctx.finished.reason ?? '', sctx.finished.message ?? '', now);
  }
  return { podsToRemoveFinalizer, uidsWithFinalizer, needsFlush, reachedMaxUncounted };
}

/**
 * Moves uids whose pods lost their finalizer from the uncounted lists to the counters
 * (upstream cleanUncountedPodsWithoutFinalizers); resolves whether anything moved.
 */
export function cleanUncountedPodsWithoutFinalizers(status: any, uidsWithFinalizer: Set<string>): boolean {
  const uncounted = (status.uncountedTerminatedPods ??= {}) as { succeeded?: string[]; failed?: string[] };
  let updated = false;
  for (const kind of ['succeeded', 'failed'] as const) {
    const list = uncounted[kind] ?? [];
    const keep = list.filter((uid) => uidsWithFinalizer.has(uid));
    if (keep.length !== list.length) {
      updated = true;
      status[kind] = (status[kind] ?? 0) + (list.length - keep.length);
      if (keep.length) uncounted[kind] = keep;
      else delete uncounted[kind];
    }
  }
  return updated;
}

/** Sets Complete or Failed when nothing is left to count (upstream enactJobFinished). */
export function enactJobFinished(sctx: SyncCtx, now: number): boolean {
  const cond = sctx.finished;
  if (!cond) return false;
  const status = sctx.job.status;
  const uncounted = status.uncountedTerminatedPods ?? {};
  if ((uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) > 0) return false;
  if (sctx.terminating > 0) return false; // 1.32 waits for terminating pods before the terminal condition
  const r = ensureJobConditionStatus(conditionsOf(sctx.job), cond.type, 'True', cond.reason ?? '', cond.message ?? '', now);
  status.conditions = r.conditions;
  if (cond.type === 'Complete') status.completionTime = findCondition(r.conditions, 'Complete')?.lastTransitionTime ?? rfc3339(now);
  return true;
}
