// A workqueue with delayed adds (client-go's DelayingInterface). Each waiting key keeps only
// its earliest ready time: addAfter(k, 10s) then addAfter(k, 1s) makes it ready in 1 s, the
// reverse order too. Delays run on the injected clock; shutDown() drops what still waits.

import type { Timer } from '../clock/clock.ts';
import type { WorkQueueOptions } from './work-queue.ts';
import { WorkQueue } from './work-queue.ts';

export class DelayingQueue<T> extends WorkQueue<T> {
  private readonly waiting = new Map<T, { readyAt: number; timer: Timer }>();

  constructor(opts: WorkQueueOptions = {}) {
    super(opts);
  }

  /** Adds `item` once `delayMs` has passed (at once when <= 0). */
  addAfter(item: T, delayMs: number): void {
    if (this.shuttingDown()) return;
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const readyAt = this.clock.now() + delayMs;
    const existing = this.waiting.get(item);
    if (existing) {
      if (existing.readyAt <= readyAt) return;
      existing.timer.cancel();
    }
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, delayMs);
    this.waiting.set(item, { readyAt, timer });
  }

  /** How many keys wait for their delay to pass. */
  waitingCount(): number {
    return this.waiting.size;
  }

  protected override onShutDown(): void {
    for (const w of this.waiting.values()) w.timer.cancel();
    this.waiting.clear();
  }
}
