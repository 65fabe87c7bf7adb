// A token bucket as golang.org/x/time/rate.Limiter (what client-go's flowcontrol and the
// workqueue's BucketRateLimiter use): tokens refill at `qps` per second up to `burst`; taking
// a token when none is left reserves a future one, so callers are spaced 1/qps apart.

import type { Clock } from '../clock/clock.ts';
import { realClock } from '../clock/clock.ts';

export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  /** qps <= 0 means unlimited. */
  constructor(qps: number, burst: number, clock: Clock = realClock) {
    this.qps = qps;
    this.burst = Math.max(1, burst);
    this.clock = clock;
    this.tokens = this.burst;
    this.last = clock.now();
  }

  /**
   * Take one token now and return how long (ms) the caller must wait before using it
   * (0 when one was available). The token is taken either way: a reservation, not a query.
   */
  reserve(): number {
    if (this.qps <= 0) return 0;
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
      this.last = now;
    }
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return Math.ceil((-this.tokens / this.qps) * 1000);
  }

  /**
   * Wait for a token. Resolves false if `signal` aborted first; the reserved token is then
   * given back so an aborted caller does not slow the others.
   */
  async wait(signal?: AbortSignal): Promise<boolean> {
    const delay = this.reserve();
    if (delay === 0) return !signal?.aborted;
    const slept = await this.clock.sleep(delay, signal);
    if (!slept) this.tokens = Math.min(this.burst, this.tokens + 1);
    return slept;
  }
}
