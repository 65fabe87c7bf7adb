// The shape of every controller (the ReplicaSet controller's, and controller-runtime's):
//
//   informer events ──> handlers that only compute and enqueue keys ──> rate-limiting queue
//                                                                          │
//          N workers: key ──> reconcile(key) reads informer caches, writes through the API
//
// Contract:
// - Handlers never call the API; they enqueue keys ("namespace/name" or any string the
//   controller chooses). The queue coalesces a burst of events for one key into one reconcile,
//   and never hands the same key to two workers at once.
// - reconcile(key) is level-based and idempotent: it looks at the current state (caches) and
//   moves it one step toward the desired state. Its outcome decides what happens to the key:
//     resolves nothing / {}            -> done; the key's failure history is forgotten
//     resolves { requeueAfterMs: n }   -> done for now; the key comes back after n ms
//     resolves { requeue: true }       -> comes back after the rate limiter's backoff
//     throws                           -> logged, comes back after the backoff (5 ms doubling
//                                         to 1000 s), unless maxRetries failures were reached
// - Workers start only once every informer the controller reads has synced, so the first
//   reconcile never sees a half-filled cache.

import type { Logger } from 'pino';
import type { Clock, KubeObject, RateLimitingQueue, ResourceEventHandler, SharedIndexInformer } from '@minik8s/shared';
import { isConflict, metaNamespaceKey } from '@minik8s/shared';
import type { ControllerContext } from './controller-context.ts';

export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (and forget its failures). */
  requeueAfterMs?: number;
  /** Reconcile this key again after the rate limiter's backoff (a failure without an error). */
  requeue?: boolean;
}

export interface ControllerOptions {
  /** The canonical controller name, e.g. "replicaset-controller"; names the queue and logs. */
  name: string;
  /** Concurrent reconciles of distinct keys. */
  workers: number;
  /** Drop a key after this many consecutive failures (default: never, as the RS controller). */
  maxRetries?: number;
}

/** Anything the controller manager can run: a Controller, or a loop that is not queue-shaped. */
export interface Runnable {
  readonly name: string;
  /** Runs until `signal` aborts; resolves once every worker has returned. */
  run(signal: AbortSignal): Promise<void>;
}

export abstract class Controller implements Runnable {
  readonly name: string;
  protected readonly ctx: ControllerContext;
  protected readonly queue: RateLimitingQueue<string>;
  protected readonly logger: Logger;
  protected readonly clock: Clock;
  private readonly workers: number;
  private readonly maxRetries: number;
  private readonly informers = new Set<SharedIndexInformer<any>>();

  constructor(ctx: ControllerContext, opts: ControllerOptions) {
    this.ctx = ctx;
    this.name = opts.name;
    this.workers = opts.workers;
    this.maxRetries = opts.maxRetries ?? Infinity;
    this.queue = ctx.newQueue(opts.name);
    this.logger = ctx.logger.child({ controller: opts.name });
    this.clock = ctx.clock;
  }

  /** Moves the object named `key` toward its desired state. See the file comment for outcomes. */
  abstract reconcile(key: string): Promise<ReconcileResult | void>;

  /** Registers `handler` on `informer` and makes the workers wait for its sync. */
  protected watch<T extends KubeObject>(informer: SharedIndexInformer<T>, handler: ResourceEventHandler<T>): void {
    this.informers.add(informer);
    informer.addEventHandler(handler);
  }

  /** The workers also wait for this informer (one the controller reads without handlers). */
  protected uses<T extends KubeObject>(informer: SharedIndexInformer<T>): SharedIndexInformer<T> {
    this.informers.add(informer);
    return informer;
  }

  /** Queues an object by its "namespace/name" key, or a key as is. */
  enqueue(objOrKey: KubeObject | string): void {
    this.queue.add(typeof objOrKey === 'string' ? objOrKey : metaNamespaceKey(objOrKey));
  }

  enqueueAfter(objOrKey: KubeObject | string, delayMs: number): void {
    this.queue.addAfter(typeof objOrKey === 'string' ? objOrKey : metaNamespaceKey(objOrKey), delayMs);
  }

  /** Waits for the caches, then runs the workers until `signal` aborts and the queue drains. */
  async run(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.queue.shutDown();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const synced = await Promise.all([...this.informers].map((i) => i.waitForCacheSync(signal)));
      if (!synced.every(Boolean)) return;
      this.logger.info({ workers: this.workers }, `starting ${this.name}`);
      await this.onStart(signal);
      await Promise.all(Array.from({ length: this.workers }, () => this.worker()));
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.queue.shutDown();
      this.logger.info(`shutting down ${this.name}`);
    }
  }

  /** Hook run once the caches synced, before the workers start (periodic loops, initial state). */
  protected async onStart(_signal: AbortSignal): Promise<void> {}

  private async worker(): Promise<void> {
    for (;;) {
      const { item: key, shutdown } = await this.queue.get();
      if (shutdown) return;
      try {
        const result = await this.reconcile(key);
        if (result?.requeue) this.queue.addRateLimited(key);
        else {
          this.queue.forget(key);
          if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
        }
      } catch (err) {
        this.handleError(key, err);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private handleError(key: string, err: unknown): void {
    const failures = this.queue.numRequeues(key);
    if (failures >= this.maxRetries) {
      this.logger.warn({ key, err: errorText(err) }, 'dropping key out of the queue');
      this.queue.forget(key);
      return;
    }
    // A conflict means our cache was behind: the informer will catch up, retry quietly.
    if (isConflict(err)) this.logger.debug({ key, err: errorText(err) }, 'conflict, retrying');
    else this.logger.warn({ key, err: errorText(err) }, 'reconcile failed, retrying');
    this.queue.addRateLimited(key);
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
