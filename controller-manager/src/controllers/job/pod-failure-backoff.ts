// The pod failure backoff of Jobs (upstream backoff_utils.go): after n failures since the last
// success, new pods wait base × 2^(n-1) (capped) from the last failure. Upstream's base is
// 10 s and its cap 6 min (DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff); both are
// options of the controller so tests can shorten them.
//
// Records live in memory per Job, updated only once the pods they count were written to the
// Job's status (uncountedTerminatedPods), so each finished pod is counted once.

import type { KubeObject } from '@minik8s/shared';
import { podFinishedTime } from './job-util.ts';

export const DEFAULT_JOB_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_JOB_POD_FAILURE_BACKOFF_MS = 6 * 60_000;

export interface BackoffRecord {
  key: string;
  failuresAfterLastSuccess: number;
  /** When the latest counted failure happened (ms). */
  lastFailureTime?: number;
}

export class PodBackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  /** The record after the newly finished pods of a sync (not stored until updateBackoffRecord). */
  newBackoffRecord(key: string, newSucceeded: KubeObject[], newFailed: KubeObject[], now: number): BackoffRecord {
    const rec: BackoffRecord = { ...(this.records.get(key) ?? { key, failuresAfterLastSuccess: 0 }) };
    const times = (pods: KubeObject[]) => pods.map((p) => podFinishedTime(p, now)).sort((a, b) => a - b);
    const failed = times(newFailed);
    const succeeded = times(newSucceeded);
    if (succeeded.length === 0) {
      if (failed.length === 0) return rec;
      rec.failuresAfterLastSuccess += failed.length;
      rec.lastFailureTime = failed[failed.length - 1];
      return rec;
    }
    // A success resets the count: only failures after the last success still count.
    const lastSuccess = succeeded[succeeded.length - 1]!;
    rec.failuresAfterLastSuccess = 0;
    rec.lastFailureTime = undefined;
    for (let i = failed.length - 1; i >= 0 && failed[i]! > lastSuccess; i--) {
      rec.lastFailureTime ??= failed[i];
      rec.failuresAfterLastSuccess++;
    }
    return rec;
  }

  updateBackoffRecord(rec: BackoffRecord): void {
    this.records.set(rec.key, rec);
  }

  removeBackoffRecord(key: string): void {
    this.records.delete(key);
  }
}

/** How long new pods must still wait at `now` (0: create them now). */
export function remainingBackoffMs(rec: BackoffRecord, now: number, baseMs: number, maxMs: number): number {
  if (rec.failuresAfterLastSuccess === 0 || rec.lastFailureTime === undefined) return 0;
  let backoff = baseMs;
  for (let i = 1; i < rec.failuresAfterLastSuccess; i++) {
    backoff *= 2;
    if (backoff >= maxMs) {
      backoff = maxMs;
      break;
    }
  }
  const elapsed = now - rec.lastFailureTime;
  return backoff < elapsed ? 0 : backoff - elapsed;
}
