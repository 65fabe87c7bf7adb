// Per-key exponential backoff (client-go flowcontrol.Backoff), for daemon pods that keep
// failing on a node: the DaemonSet controller deletes a failed pod (and so recreates it) at
// most once per backoff period, 1 s doubling to 15 min, instead of hot-looping with a kubelet
// that rejects it.

import type { Clock } from '@minik8s/shared';

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class FailedPodsBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(clock: Clock, initialMs = 1000, maxMs = 15 * 60 * 1000) {
    this.clock = clock;
    this.initialMs = initialMs;
    this.maxMs = maxMs;
  }

  /** The current backoff of `key` (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Starts or doubles the backoff of `key` (restarting it when it was idle for 2 × max). */
  next(key: string): void {
    const now = this.clock.now();
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: now });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = now;
  }

  /** Whether less than the current backoff passed since the last next(). */
  isInBackOffSinceUpdate(key: string): boolean {
    const e = this.entries.get(key);
    return !!e && this.clock.now() - e.lastUpdate < e.backoffMs;
  }

  /** Forgets entries idle for 2 × max (upstream GC, called from time to time). */
  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }
}
