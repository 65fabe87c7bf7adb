// Per-key exponential backoff with the semantics of client-go's flowcontrol.Backoff, which the
// kubelet uses for restarting crashed containers (CrashLoopBackOff) and pulling images
// (ImagePullBackOff).
//
// For a crashing container (key = pod uid + container name, eventTime = when it exited):
//   isInBackOffSince(key, exit) is false the first time: the container restarts at once and
//   next(key) arms 10 s; after the next exit it is true for 10 s, then next() doubles to 20 s,
//   and so on up to max (5 min). A key untouched for 2 x max starts again from the initial delay.

import type { Clock } from '@minik8s/shared';
import { realClock } from '@minik8s/shared';

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly clock: Clock;

  constructor(initialMs: number, maxMs: number, clock: Clock = realClock) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.clock = clock;
  }

  /** The current delay of `key` (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Arms the next delay: the initial one for a new or expired key, else double (capped at max). */
  next(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    const now = this.clock.now();
    if (!e || this.hasExpired(eventTime, e.lastUpdate)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: now });
      return this.initialMs;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = now;
    return e.backoffMs;
  }

  /** True while less than the current delay has passed since `eventTime`. */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.hasExpired(eventTime, e.lastUpdate)) return false;
    return this.clock.now() - eventTime < e.backoffMs;
  }

  /** True while less than the current delay has passed since the last next() (image pulls). */
  isInBackOffSinceUpdate(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    const now = this.clock.now();
    if (this.hasExpired(now, e.lastUpdate)) return false;
    return now - e.lastUpdate < e.backoffMs;
  }

  /** When the back-off armed by the last next() ends (ms since the epoch). */
  backOffEndSinceUpdate(key: string): number {
    const e = this.entries.get(key);
    return e ? e.lastUpdate + e.backoffMs : 0;
  }

  /** When the back-off that started at `eventTime` ends (ms since the epoch). */
  backOffEnd(key: string, eventTime: number): number {
    return eventTime + this.get(key);
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets keys untouched for 2 x max (the kubelet's periodic GC). */
  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }

  /** Forgets every key starting with `prefix` (a pod that is gone). */
  deletePrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  private hasExpired(eventTime: number, lastUpdate: number): boolean {
    return eventTime - lastUpdate > 2 * this.maxMs;
  }
}
