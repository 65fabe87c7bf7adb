// A bounded-frequency runner (upstream's pkg/util/async.BoundedFrequencyRunner): runs `fn`
// when asked, but never more often than minInterval allows (with a burst of a few runs), and at
// least once every maxInterval even when nobody asks.
//
// Contract:
// - run() asks for a run and returns at once. Requests made while `fn` runs or while waiting
//   for the rate limit are coalesced into one later run: `fn` always reads the newest state.
// - `fn` never runs twice at once.
// - A rejected `fn` is reported to onError; the next run comes from the next request, a
//   retryAfter(), or the maxInterval timer.
// - Runs are rate-limited by a token bucket of `burstRuns` tokens refilled one per minInterval
//   (minInterval 0: no limit).

import type { Clock, Timer } from '@minik8s/shared';
import { realClock } from '@minik8s/shared';

export interface BoundedFrequencyRunnerOptions {
  name: string;
  fn: () => Promise<void>;
  minIntervalMs: number;
  maxIntervalMs: number;
  burstRuns?: number;
  clock?: Clock;
  onError?: (err: unknown) => void;
}

export class BoundedFrequencyRunner {
  readonly name: string;
  private readonly fn: () => Promise<void>;
  private readonly minIntervalMs: number;
  private readonly maxIntervalMs: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private readonly onError: (err: unknown) => void;
  private tokens: number;
  private lastRefill: number;
  private running = false;
  private pending = false;
  /** When a retryAfter() asked for the next run (0: as soon as allowed). */
  private notBefore = 0;
  private timer: Timer | undefined;
  private timerDue = Infinity;
  private stopped = true;
  private idle: (() => void)[] = [];

  constructor(opts: BoundedFrequencyRunnerOptions) {
    if (opts.maxIntervalMs < opts.minIntervalMs) throw new Error(`${opts.name}: maxInterval (${opts.maxIntervalMs}ms) must be >= minInterval (${opts.minIntervalMs}ms)`);
    this.name = opts.name;
    this.fn = opts.fn;
    this.minIntervalMs = opts.minIntervalMs;
    this.maxIntervalMs = opts.maxIntervalMs;
    this.burst = Math.max(1, opts.burstRuns ?? 2);
    this.clock = opts.clock ?? realClock;
    this.onError = opts.onError ?? (() => {});
    this.tokens = this.burst;
    this.lastRefill = this.clock.now();
  }

  /** Runs until `signal` aborts; resolves after the run in progress (if any) finished. */
  async loop(signal: AbortSignal): Promise<void> {
    this.stopped = false;
    this.schedule(this.maxIntervalMs);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.running) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** Asks for a run as soon as the rate limit allows. */
  run(): void {
    if (this.stopped) return;
    this.pending = true;
    this.notBefore = 0;
    if (this.running) return; // the run in progress schedules the next one
    this.schedule(this.untilToken());
  }

  /** Asks for a run `ms` from now (sooner if something else asks). */
  retryAfter(ms: number): void {
    if (this.stopped) return;
    const wasPending = this.pending;
    this.pending = true;
    // An earlier plain request stays as soon as allowed.
    if (!wasPending || this.notBefore > 0) this.notBefore = Math.max(this.notBefore, this.clock.now() + ms);
    if (!this.running) this.schedule(this.untilPending());
  }

  private refill(): void {
    const now = this.clock.now();
    if (this.minIntervalMs <= 0) {
      this.tokens = this.burst;
    } else {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.lastRefill) / this.minIntervalMs);
    }
    this.lastRefill = now;
  }

  /** Milliseconds until a token is available (0: now). */
  private untilToken(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return Math.ceil((1 - this.tokens) * this.minIntervalMs);
  }

  /** Fires the timer in `ms` unless it is due sooner already. */
  private schedule(ms: number): void {
    if (this.stopped) return;
    const due = this.clock.now() + ms;
    if (this.timer && this.timerDue <= due) return;
    this.timer?.cancel();
    this.timerDue = due;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      void this.tryRun();
    }, ms);
  }

  private async tryRun(): Promise<void> {
    if (this.stopped || this.running) return;
    const wait = this.untilToken();
    if (wait > 0) {
      this.schedule(wait);
      return;
    }
    this.tokens -= 1;
    this.running = true;
    this.pending = false;
    this.notBefore = 0;
    try {
      await this.fn();
    } catch (err) {
      this.onError(err);
    } finally {
      this.running = false;
      for (const resolve of this.idle.splice(0)) resolve();
    }
    if (this.stopped) return;
    // The periodic run, and the coalesced request that came in meanwhile.
    this.schedule(this.maxIntervalMs);
    if (this.pending) this.schedule(this.untilPending());
  }

  /** Milliseconds until the pending request may run. */
  private untilPending(): number {
    return Math.max(this.untilToken(), this.notBefore - this.clock.now());
  }
}
