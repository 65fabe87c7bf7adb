// A clock that moves only when a test says so, as k8s.io/utils/clock/testing.FakeClock.
// Timers fire in due order during step()/setTime(); between two firings the microtask queue
// and one macrotask turn drain, so async code woken by one timer runs (and may schedule the
// next) before later timers fire. Code that waits on real I/O still needs the test to poll.

import type { Clock, Timer } from './clock.ts';
import { sleepWith } from './clock.ts';

interface PendingTimer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const t: PendingTimer = { due: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return {
      cancel: () => {
        t.cancelled = true;
        this.timers = this.timers.filter((x) => x !== t);
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    return sleepWith(this, ms, signal);
  }

  /** How many timers are scheduled and not yet fired or cancelled (k8s' HasWaiters, counted). */
  waiters(): number {
    return this.timers.length;
  }

  hasWaiters(): boolean {
    return this.timers.length > 0;
  }

  /** When the earliest pending timer is due, or undefined when none is. */
  nextDue(): number | undefined {
    let min: number | undefined;
    for (const t of this.timers) if (min === undefined || t.due < min) min = t.due;
    return min;
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way, in order. */
  async step(ms: number): Promise<void> {
    await this.setTime(this.current + ms);
  }

  /** Move time to `to` (never backwards), firing due timers in order. */
  async setTime(to: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.popDue(to);
      if (!next) break;
      this.current = Math.max(this.current, next.due);
      next.fn();
      await settle();
    }
    this.current = Math.max(this.current, to);
    await settle();
  }

  private popDue(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (t.due > limit) continue;
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    if (best) this.timers = this.timers.filter((x) => x !== best);
    return best;
  }
}
