// Pods whose tracking finalizer the Job controller removed and whose update it has not seen yet
// (upstream uidTrackingExpectations): until the pod cache shows the removal, such a pod still
// carries the finalizer there and would be counted a second time.

export class FinalizerExpectations {
  private readonly byJob = new Map<string, Set<string>>();

  expectFinalizersRemoved(jobKey: string, uids: string[]): void {
    let s = this.byJob.get(jobKey);
    if (!s) {
      s = new Set();
      this.byJob.set(jobKey, s);
    }
    for (const uid of uids) s.add(uid);
  }

  /** The pod's update without the finalizer (or its deletion) was seen, or the removal failed. */
  finalizerRemovalObserved(jobKey: string, uid: string): void {
    const s = this.byJob.get(jobKey);
    if (!s) return;
    s.delete(uid);
    if (s.size === 0) this.byJob.delete(jobKey);
  }

  expectedUids(jobKey: string): ReadonlySet<string> {
    return this.byJob.get(jobKey) ?? new Set();
  }

  deleteExpectations(jobKey: string): void {
    this.byJob.delete(jobKey);
  }
}
