// The workqueue of client-go's util/workqueue (Type): a FIFO of keys with three sets.
//
// Contract (the reason controllers use it):
// - `dirty` holds every key that needs processing; adding a key already dirty is a no-op, so
//   a burst of events for one object costs one reconcile.
// - `processing` holds keys handed out by get() and not yet done(). A key is never handed to
//   two workers at once: a key added while processing is only marked dirty, and done()
//   puts it back in the queue, so the change is not lost either.
// - After shutDown() adds are ignored; get() keeps handing out what is queued and answers
//   `shutdown: true` once the queue is empty. shutDownWithDrain() also waits until every key
//   handed out is done().
// Node runs one thread, so the sets need no lock; "workers" are concurrent async loops.

import type { Clock } from '../clock/clock.ts';
import { realClock } from '../clock/clock.ts';
import { workqueueMetrics } from './metrics.ts';

export interface WorkQueueOptions {
  /** Names the queue in metrics; unnamed queues report none. */
  name?: string;
  clock?: Clock;
}

export type GetResult<T> = { item: T; shutdown: false } | { item?: undefined; shutdown: true };

export class WorkQueue<T> {
  readonly name: string | undefined;
  protected readonly clock: Clock;
  private queue: T[] = [];
  private head = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly addedAt = new Map<T, number>();
  private readonly startedAt = new Map<T, number>();
  private getWaiters: (() => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private shuttingDownFlag = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.name = opts.name;
    this.clock = opts.clock ?? realClock;
  }

  /** Marks `item` as needing processing. */
  add(item: T): void {
    if (this.shuttingDownFlag || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.name) workqueueMetrics().add(this.name);
    if (!this.addedAt.has(item)) this.addedAt.set(item, this.clock.now());
    if (this.processing.has(item)) return;
    this.push(item);
  }

  /** How many keys wait in the queue (not counting those being processed). */
  len(): number {
    return this.queue.length - this.head;
  }

  /**
   * The next key to process, waiting for one if the queue is empty. The caller must call
   * done(item) when finished. `shutdown: true` means stop: the queue is shut down and empty.
   */
  async get(): Promise<GetResult<T>> {
    while (this.len() === 0 && !this.shuttingDownFlag) {
      await new Promise<void>((resolve) => this.getWaiters.push(resolve));
    }
    if (this.len() === 0) return { shutdown: true };
    const item = this.queue[this.head];
    this.queue[this.head] = undefined as T;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.processing.add(item);
    this.dirty.delete(item);
    const now = this.clock.now();
    this.startedAt.set(item, now);
    if (this.name) {
      const m = workqueueMetrics();
      m.depth(this.name, this.len());
      const added = this.addedAt.get(item);
      if (added !== undefined) m.queueLatency(this.name, (now - added) / 1000);
    }
    this.addedAt.delete(item);
    return { item, shutdown: false };
  }

  /** Ends processing of `item`; if it was added meanwhile, it is queued again. */
  done(item: T): void {
    if (!this.processing.delete(item)) return;
    const started = this.startedAt.get(item);
    this.startedAt.delete(item);
    if (this.name && started !== undefined) workqueueMetrics().workDuration(this.name, (this.clock.now() - started) / 1000);
    if (this.dirty.has(item)) this.push(item);
    else if (this.processing.size === 0) this.wakeDrainers();
  }

  /** Stops accepting adds and lets waiting get() calls return once the queue is empty. */
  shutDown(): void {
    if (this.shuttingDownFlag) return;
    this.shuttingDownFlag = true;
    this.onShutDown();
    const waiters = this.getWaiters;
    this.getWaiters = [];
    for (const w of waiters) w();
  }

  /** shutDown(), then wait until every key handed out has been done(). */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    while (this.processing.size > 0) {
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
  }

  shuttingDown(): boolean {
    return this.shuttingDownFlag;
  }

  /** Hook for subclasses (cancel pending delayed adds). */
  protected onShutDown(): void {}

  private push(item: T): void {
    this.queue.push(item);
    if (this.name) workqueueMetrics().depth(this.name, this.len());
    this.getWaiters.shift()?.();
  }

  private wakeDrainers(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
