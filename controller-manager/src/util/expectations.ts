// Controller expectations (upstream's UIDTrackingControllerExpectations): what a controller
// has asked the apiserver to do and not yet seen in its informer cache.
//
// Why: after a ReplicaSet creates 3 pods, its pod cache may not show them for a moment. A
// reconcile in that window would count too few pods and create 3 more. So the controller
// records "expect 3 creations" before writing, the pod informer's handlers lower the count as
// the pods appear, and manageReplicas() runs only once every expectation is met (or has
// expired after 5 minutes, in case an event was lost). Deletions are tracked by pod key, so a
// pod seen first with a deletionTimestamp and then deleted counts once.

import type { Clock } from '@minik8s/shared';
import { realClock } from '@minik8s/shared';

/** Upstream's ExpectationsTimeout: past this, unmet expectations stop blocking syncs. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  /** Keys of the objects whose deletion is awaited. */
  deleting: Set<string>;
  timestamp: number;
}

export class ControllerExpectations {
  private readonly store = new Map<string, Expectation>();
  private readonly clock: Clock;
  private readonly timeoutMs: number;

  constructor(clock: Clock = realClock, timeoutMs = EXPECTATIONS_TIMEOUT_MS) {
    this.clock = clock;
    this.timeoutMs = timeoutMs;
  }

  /**
   * True when the controller `key` may act: nothing is awaited, everything awaited was seen,
   * or the expectations expired. A controller never seen before is satisfied.
   */
  satisfiedExpectations(key: string): boolean {
    const e = this.store.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.timestamp > this.timeoutMs;
  }

  /** Records that `adds` creations are about to be requested (replaces what was there). */
  expectCreations(key: string, adds: number): void {
    this.store.set(key, { add: adds, del: 0, deleting: new Set(), timestamp: this.clock.now() });
  }

  /** Records that the objects with these keys are about to be deleted. */
  expectDeletions(key: string, objectKeys: string[]): void {
    this.store.set(key, { add: 0, del: objectKeys.length, deleting: new Set(objectKeys), timestamp: this.clock.now() });
  }

  /** A creation was observed (or will never happen: a failed create). */
  creationObserved(key: string): void {
    const e = this.store.get(key);
    if (e && e.add > 0) e.add--;
  }

  /** The deletion of `objectKey` was observed (or failed); counts once per object. */
  deletionObserved(key: string, objectKey: string): void {
    const e = this.store.get(key);
    if (!e || !e.deleting.delete(objectKey)) return;
    if (e.del > 0) e.del--;
  }

  /** Forget the controller (it was deleted). */
  deleteExpectations(key: string): void {
    this.store.delete(key);
  }

  /** What is still awaited (tests, logs). */
  get(key: string): { add: number; del: number } | undefined {
    const e = this.store.get(key);
    return e ? { add: e.add, del: e.del } : undefined;
  }
}
