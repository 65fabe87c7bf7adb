// The queue controllers use (client-go's RateLimitingInterface): on error, addRateLimited(key)
// re-adds it after the limiter's delay; on success, forget(key) resets its backoff.
//
//   const { item, shutdown } = await queue.get();
//   if (shutdown) return;
//   try { await reconcile(item); queue.forget(item); }
//   catch { queue.addRateLimited(item); }
//   finally { queue.done(item); }

import type { RateLimiter } from './rate-limiters.ts';
import { defaultControllerRateLimiter } from './rate-limiters.ts';
import { DelayingQueue } from './delaying-queue.ts';
import type { WorkQueueOptions } from './work-queue.ts';
import { workqueueMetrics } from './metrics.ts';

export interface RateLimitingQueueOptions<T> extends WorkQueueOptions {
  /** Default: defaultControllerRateLimiter on the queue's clock. */
  rateLimiter?: RateLimiter<T>;
}

export class RateLimitingQueue<T> extends DelayingQueue<T> {
  readonly rateLimiter: RateLimiter<T>;

  constructor(opts: RateLimitingQueueOptions<T> = {}) {
    super(opts);
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
  }

  /** Re-adds `item` once the rate limiter allows (records a failure). */
  addRateLimited(item: T): void {
    if (this.shuttingDown()) return;
    if (this.name) workqueueMetrics().retry(this.name);
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Clears `item`'s failure history; it does not remove it from the queue. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }
}
