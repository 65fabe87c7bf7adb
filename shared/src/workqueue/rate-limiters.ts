// How long to wait before retrying a key (client-go's workqueue rate limiters). when() is
// called once per failure and counts it; forget() resets the key once it succeeded.

import type { Clock } from '../clock/clock.ts';
import { realClock } from '../clock/clock.ts';
import { TokenBucket } from '../client/token-bucket.ts';

export interface RateLimiter<T> {
  /** The delay (ms) before `item` may be retried; records one more failure. */
  when(item: T): number;
  /** Stop tracking `item` (it succeeded): its next failure starts from the base delay. */
  forget(item: T): void;
  /** How many failures of `item` are recorded. */
  numRequeues(item: T): number;
}

/** base * 2^failures, capped at max: 5 ms, 10 ms, 20 ms, ... 1000 s for controllers. */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(baseMs: number, maxMs: number) {
    this.baseMs = baseMs;
    this.maxMs = maxMs;
  }

  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    // 2^n overflows to Infinity long after it passed max: min() still gives max.
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** An overall limit shared by every key: a token bucket (qps, burst). Counts no failures. */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private readonly bucket: TokenBucket;

  constructor(qps: number, burst: number, clock: Clock = realClock) {
    this.bucket = new TokenBucket(qps, burst, clock);
  }

  when(_item: T): number {
    return this.bucket.reserve();
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The longest delay any of its limiters asks for (each limiter records the failure). */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/**
 * client-go's DefaultControllerRateLimiter: per-key exponential backoff from 5 ms to 1000 s,
 * and an overall bucket of 10 qps with a burst of 100 so a mass failure does not spin.
 */
export function defaultControllerRateLimiter<T>(clock: Clock = realClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>(5, 1000_000),
    new BucketRateLimiter<T>(10, 100, clock),
  );
}
