// Job vocabulary shared by the Job, TTL-after-finished and CronJob controllers (upstream
// pkg/controller/job/util and the batch/v1 constants).

import type { KubeObject } from '@minik8s/shared';
import { rfc3339 } from '@minik8s/shared';

/** batch.JobTrackingFinalizer: a pod keeps it until the Job controller has counted it. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** batch.JobCompletionIndexAnnotation (also the label, PodIndexLabel). */
export const JOB_COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** Jobs with spec.managedBy set to anything else are left to that controller. */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export interface JobCondition {
  type: 'Complete' | 'Failed' | 'Suspended' | 'FailureTarget' | 'SuccessCriteriaMet' | string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export function conditionsOf(job: KubeObject): JobCondition[] {
  return (job.status?.conditions ?? []) as JobCondition[];
}

export function findCondition(conditions: JobCondition[], type: string): JobCondition | undefined {
  return conditions.find((c) => c.type === type);
}

/** The Complete or Failed condition that is True, if any (upstream FinishedCondition). */
export function finishedCondition(job: KubeObject): JobCondition | undefined {
  return conditionsOf(job).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

export function isJobFinished(job: KubeObject): boolean {
  return finishedCondition(job) !== undefined;
}

export function isJobSucceeded(job: KubeObject): boolean {
  return finishedCondition(job)?.type === 'Complete';
}

export function newCondition(type: string, status: 'True' | 'False', reason: string, message: string, now: number): JobCondition {
  const t = rfc3339(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
}

/**
 * Sets the condition of `type` to `status` (upstream ensureJobConditionStatus): replaced when
 * status, reason or message differ; appended when missing unless it would be False.
 * Resolves the new list and whether it changed.
 */
export function ensureJobConditionStatus(list: JobCondition[], type: string, status: 'True' | 'False', reason: string, message: string, now: number): { conditions: JobCondition[]; changed: boolean } {
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i]!;
    if (c.status === status && (c.reason ?? '') === reason && (c.message ?? '') === message) return { conditions: list, changed: false };
    const out = [...list];
    out[i] = newCondition(type, status, reason, message, now);
    return { conditions: out, changed: true };
  }
  if (status === 'False') return { conditions: list, changed: false };
  return { conditions: [...list, newCondition(type, status, reason, message, now)], changed: true };
}

export function hasJobTrackingFinalizer(pod: KubeObject): boolean {
  return (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

export function isIndexedJob(job: KubeObject): boolean {
  return job.spec?.completionMode === 'Indexed';
}

export function isJobSuspended(job: KubeObject): boolean {
  return job.spec?.suspend === true;
}

/** podReplacementPolicy Failed: a replacement waits until the old pod is fully terminal. */
export function onlyReplaceFailedPods(job: KubeObject): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;
}

/**
 * The pod counts as failed (upstream isPodFailed): phase Failed, or, unless only failed pods
 * are replaced, being deleted before it succeeded (an evicted or deleted pod never reaches
 * Failed on its own).
 */
export function isPodFailed(pod: KubeObject, job: KubeObject): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** Being deleted and not yet terminal (upstream CountTerminatingPods counts these). */
export function isPodTerminating(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return !!pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/**
 * When the pod finished (upstream getFinishedTime): its last container termination, else
 * when it stopped being Ready, else its deletion time, else `now`.
 */
export function podFinishedTime(pod: KubeObject, now: number): number {
  let latest: number | undefined;
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])] as { state?: { terminated?: { finishedAt?: string } } }[]) {
    const t = Date.parse(s.state?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(t) && (latest === undefined || t > latest)) latest = t;
  }
  if (latest !== undefined) return latest;
  const ready = ((pod.status?.conditions ?? []) as { type: string; status: string; lastTransitionTime?: string }[]).find((c) => c.type === 'Ready');
  if (ready?.status === 'False' && ready.lastTransitionTime) {
    const t = Date.parse(ready.lastTransitionTime);
    if (!Number.isNaN(t)) return t;
  }
  const deleted = Date.parse(pod.metadata.deletionTimestamp ?? '');
  return Number.isNaN(deleted) ? now : deleted;
}

/** The completion index a pod carries, or -1 (upstream getCompletionIndex). */
export function getCompletionIndex(pod: KubeObject): number {
  const v = pod.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^[0-9]+$/.test(v)) return -1;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : -1;
}

/** restartPolicy OnFailure: container restarts of running pods count as failures. */
export function pastBackoffLimitOnFailure(job: KubeObject, pods: KubeObject[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    const phase = p.status?.phase;
    if (phase !== 'Running' && phase !== 'Pending') continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])] as { restartCount?: number }[]) restarts += s.restartCount ?? 0;
  }
  const limit: number = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}
