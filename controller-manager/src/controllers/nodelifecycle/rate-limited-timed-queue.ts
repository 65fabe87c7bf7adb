// upstream's RateLimitedTimedQueue (scheduler/rate_limited_queue.go): nodes waiting for an
// action (here: a NoExecute taint), taken in the order they were added, at most `qps` per
// second (burst 1), each no earlier than its processAt time. A qps of 0 stops all actions
// (a zone in full disruption must not lose its pods).

import type { Clock } from '@minik8s/shared';

export interface TimedValue {
  value: string;
  uid: string;
  addedAt: number;
  processAt: number;
}

/** A token bucket that is asked, never waited on (flowcontrol's TryAccept). */
export class TryTokenBucket {
  readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  constructor(qps: number, burst: number, clock: Clock) {
    this.qps = qps;
    this.burst = Math.max(1, burst);
    this.clock = clock;
    this.tokens = this.burst;
    this.last = clock.now();
  }

  /** Takes a token if one is there; qps <= 0 never has one. */
  tryAccept(): boolean {
    if (this.qps <= 0) return false;
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class RateLimitedTimedQueue {
  private items: TimedValue[] = [];
  private limiter: TryTokenBucket;
  private readonly clock: Clock;

  constructor(qps: number, clock: Clock) {
    this.clock = clock;
    this.limiter = new TryTokenBucket(qps, 1, clock);
  }

  get qps(): number {
    return this.limiter.qps;
  }

  /** Adds `value` unless it is queued already; true when added. */
  add(value: string, uid: string): boolean {
    if (this.items.some((i) => i.value === value)) return false;
    const now = this.clock.now();
    this.items.push({ value, uid, addedAt: now, processAt: now });
    return true;
  }

  remove(value: string): boolean {
    const n = this.items.length;
    this.items = this.items.filter((i) => i.value !== value);
    return this.items.length !== n;
  }

  has(value: string): boolean {
    return this.items.some((i) => i.value === value);
  }

  clear(): void {
    this.items = [];
  }

  /** A new rate (full disruption -> 0, partial -> the secondary rate); same qps keeps the bucket. */
  swapLimiter(qps: number): void {
    if (qps === this.limiter.qps) return;
    this.limiter = new TryTokenBucket(qps, 1, this.clock);
  }

  /**
   * Processes due items in order while tokens last. `fn` resolves ok (done, drop it) or not
   * (retry it after `retryAfterMs`).
   */
  async try(fn: (v: TimedValue) => Promise<{ ok: boolean; retryAfterMs?: number }>): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const head = [...this.items].filter((i) => i.processAt <= now).sort((a, b) => a.processAt - b.processAt || a.addedAt - b.addedAt)[0];
      if (!head) return;
      if (!this.limiter.tryAccept()) return;
      const { ok, retryAfterMs } = await fn(head);
      if (ok) this.remove(head.value);
      else head.processAt = this.clock.now() + (retryAfterMs ?? 0) + 1;
    }
  }
}
