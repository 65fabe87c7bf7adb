// What the EndpointSlice controller last wrote per service (upstream endpointSliceTracker), so
// it does not act on a slice cache that has not caught up with its own writes: acting then
// would create a second slice for pods it already placed, or update an old version.

import type { KubeObject } from '@minik8s/shared';

/** Past this, an unseen write is assumed lost (the cache relisted meanwhile) and ignored. */
const STALE_AFTER_MS = 10_000;

interface Written {
  /** The resourceVersion we wrote, or undefined for a deletion. */
  resourceVersion: string | undefined;
  at: number;
}

export class SliceTracker {
  private readonly byService = new Map<string, Map<string, Written>>();

  wrote(serviceKey: string, slice: KubeObject, now: number): void {
    this.entry(serviceKey).set(slice.metadata.uid!, { resourceVersion: slice.metadata.resourceVersion, at: now });
  }

  deleted(serviceKey: string, slice: KubeObject, now: number): void {
    this.entry(serviceKey).set(slice.metadata.uid!, { resourceVersion: undefined, at: now });
  }

  /** True when `cached` (the service's slices in the cache) reflects every write we made. */
  caughtUp(serviceKey: string, cached: KubeObject[], now: number): boolean {
    const writes = this.byService.get(serviceKey);
    if (!writes) return true;
    const byUid = new Map(cached.map((s) => [s.metadata.uid!, s]));
    for (const [uid, w] of writes) {
      const seen = byUid.get(uid);
      const ok = w.resourceVersion === undefined ? !seen : !!seen && rvAtLeast(seen.metadata.resourceVersion, w.resourceVersion);
      if (ok || now - w.at > STALE_AFTER_MS) writes.delete(uid);
    }
    if (writes.size === 0) {
      this.byService.delete(serviceKey);
      return true;
    }
    return false;
  }

  private entry(serviceKey: string): Map<string, Written> {
    let m = this.byService.get(serviceKey);
    if (!m) this.byService.set(serviceKey, (m = new Map()));
    return m;
  }
}

/** resourceVersions are etcd revisions here: compare them as numbers. */
function rvAtLeast(have: string | undefined, want: string): boolean {
  if (have === undefined) return false;
  try {
    return BigInt(have) >= BigInt(want);
  } catch {
    return have === want;
  }
}
