// The clock every timed loop in the client machinery reads (workqueue backoff, delayed adds,
// reflector backoff, informer resync, leader election). Injecting it lets tests move time by
// hand (FakeClock) instead of waiting: no test of this machinery sleeps.

/** A scheduled callback; cancel() is idempotent and harmless after it fired. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Run `fn` once, `ms` milliseconds from now (ms <= 0: on the next turn, never synchronously). */
  setTimeout(fn: () => void, ms: number): Timer;
  /**
   * Resolve after `ms` milliseconds, or as soon as `signal` aborts. Never rejects: the result
   * says which happened (true = the full time passed), so loops can test their signal after it.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
}

/** Builds sleep() from setTimeout() so both clocks share one abort-aware implementation. */
export function sleepWith(clock: Pick<Clock, 'setTimeout'>, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = () => {
      timer.cancel();
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const t = globalThis.setTimeout(fn, Math.max(0, ms));
    return { cancel: () => globalThis.clearTimeout(t) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    return sleepWith(this, ms, signal);
  }
}

/** The wall clock, backed by the host's timers. */
export const realClock: Clock = new RealClock();
