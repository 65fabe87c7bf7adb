// A shared index informer (client-go's cache.SharedIndexInformer): one reflector keeps one
// indexed cache, and every registered handler hears about each change.
//
// Contract for handlers:
// - Events of one informer are delivered in the order the server produced them, each change
//   once, to every handler in registration order. Handlers run synchronously: they should only
//   enqueue keys (a handler that throws is logged and does not affect the others).
// - onAdd(obj, isInInitialList): a new key; onUpdate(old, new): a known key changed, or a
//   relist/resync re-delivered it (old === new, or the same resourceVersion: compare RVs to skip
//   no-op updates); onDelete(obj): the key is gone, with its final (or last known) state.
// - After a relist, the difference with the cache is delivered: keys that vanished get
//   onDelete with the last known state, so no delete is ever missed; a key whose uid changed
//   (deleted and recreated while the watch was down) gets onDelete(old) then onAdd(new).
// - The cache is updated before handlers run, so a handler's lister reads include the change.
// - hasSynced() turns true once the first list is in the cache and delivered.

import type { Logger } from 'pino';
import { pino } from 'pino';
import type { KubeObject } from '../api/types.ts';
import type { Clock } from '../clock/clock.ts';
import { realClock } from '../clock/clock.ts';
import type { Indexers } from './indexer.ts';
import { Indexer } from './indexer.ts';
import { NAMESPACE_INDEX } from './index-funcs.ts';
import type { ListerWatcher } from './list-watch.ts';
import type { ReflectorStore } from './reflector.ts';
import { Reflector } from './reflector.ts';

export interface ResourceEventHandler<T> {
  onAdd?(obj: T, isInInitialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface HandlerRegistration {
  /** Stops deliveries to this handler. */
  remove(): void;
  /** True once this handler has been given everything in the initial list. */
  hasSynced(): boolean;
}

export interface SharedInformerOptions<T extends KubeObject> {
  /** Names the informer in logs and metrics, e.g. "pods". */
  name: string;
  listerWatcher: ListerWatcher<T>;
  indexers?: Indexers<T>;
  /** Resync period for handlers registered without their own (0 = never). */
  defaultResyncPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Passed to the reflector (page size, backoff), mostly for tests. */
  reflector?: { pageSize?: number; initialBackoffMs?: number; maxBackoffMs?: number; minWatchTimeoutSeconds?: number };
}

interface Listener<T> {
  handler: ResourceEventHandler<T>;
  resyncPeriodMs: number;
  synced: boolean;
  removed: boolean;
}

export class SharedIndexInformer<T extends KubeObject = KubeObject> implements ReflectorStore<T> {
  readonly name: string;
  private readonly indexer: Indexer<T>;
  private readonly reflector: Reflector<T>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly defaultResyncPeriodMs: number;
  private listeners: Listener<T>[] = [];
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private runSignal: AbortSignal | undefined;
  private running: Promise<void> | undefined;

  constructor(opts: SharedInformerOptions<T>) {
    this.name = opts.name;
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.defaultResyncPeriodMs = opts.defaultResyncPeriodMs ?? 0;
    this.indexer = new Indexer<T>(opts.indexers ?? {});
    this.reflector = new Reflector<T>({
      name: opts.name,
      listerWatcher: opts.listerWatcher,
      store: this,
      clock: this.clock,
      logger: this.logger,
      ...opts.reflector,
    });
  }

  /**
   * Registers a handler. Registered after the informer synced, it first gets onAdd(obj, true)
   * for everything already cached. `resyncPeriodMs` > 0 re-delivers every cached object as
   * onUpdate(obj, obj) at that period (controllers use it to retry level-based work).
   */
  addEventHandler(handler: ResourceEventHandler<T>, resyncPeriodMs: number = this.defaultResyncPeriodMs): HandlerRegistration {
    const l: Listener<T> = { handler, resyncPeriodMs, synced: false, removed: false };
    this.listeners.push(l);
    if (this.synced) {
      for (const obj of this.indexer.list()) this.call(l, 'onAdd', () => handler.onAdd?.(obj, true));
      l.synced = true;
    }
    if (this.runSignal && resyncPeriodMs > 0) void this.resyncLoop(l, this.runSignal);
    return {
      remove: () => {
        l.removed = true;
        this.listeners = this.listeners.filter((x) => x !== l);
      },
      hasSynced: () => l.synced,
    };
  }

  /** Adds indexers; allowed at any time (existing objects are indexed at once). */
  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  getIndexer(): Indexer<T> {
    return this.indexer;
  }

  /** A cached object by namespace and name ('' namespace for cluster-scoped objects). */
  get(namespace: string, name: string): T | undefined {
    return this.indexer.getByKey(namespace ? `${namespace}/${name}` : name);
  }

  /** Cached objects, of one namespace when given (needs the namespace index to be fast). */
  list(namespace?: string): T[] {
    if (!namespace) return this.indexer.list();
    if (this.indexer.hasIndex(NAMESPACE_INDEX)) return this.indexer.byIndex(NAMESPACE_INDEX, namespace);
    return this.indexer.list().filter((o) => o.metadata.namespace === namespace);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion();
  }

  /** Resolves true once synced, false if `signal` aborts first. */
  waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  /** Lists, watches and resyncs until `signal` aborts; resolves once everything stopped. Runs once. */
  run(signal: AbortSignal): Promise<void> {
    if (this.running) return this.running;
    this.runSignal = signal;
    for (const l of this.listeners) if (l.resyncPeriodMs > 0) void this.resyncLoop(l, signal);
    this.running = this.reflector.run(signal);
    return this.running;
  }

  isRunning(): boolean {
    return this.running !== undefined;
  }

  // ---- ReflectorStore: the reflector's deliveries -------------------------------------------

  replace(items: T[], _resourceVersion: string): void {
    const initial = !this.synced;
    const old = new Map<string, T>();
    for (const k of this.indexer.listKeys()) old.set(k, this.indexer.getByKey(k)!);
    this.indexer.replace(items);
    for (const obj of items) {
      const key = this.indexer.keyFunc(obj);
      const prev = old.get(key);
      old.delete(key);
      if (prev === undefined) this.notifyAdd(obj, initial);
      else if (prev.metadata.uid && obj.metadata.uid && prev.metadata.uid !== obj.metadata.uid) {
        this.notifyDelete(prev);
        this.notifyAdd(obj, false);
      } else this.notifyUpdate(prev, obj);
    }
    // Whatever the cache held and the server no longer has was deleted while we were not
    // watching: its last known state is all anyone will ever get.
    for (const prev of old.values()) this.notifyDelete(prev);
    if (initial) {
      this.synced = true;
      for (const l of this.listeners) l.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  add(obj: T): void {
    this.upsert(obj);
  }

  update(obj: T): void {
    this.upsert(obj);
  }

  delete(obj: T): void {
    const key = this.indexer.keyFunc(obj);
    this.indexer.deleteByKey(key);
    this.notifyDelete(obj);
  }

  private upsert(obj: T): void {
    const prev = this.indexer.get(obj);
    this.indexer.update(obj);
    if (prev === undefined) this.notifyAdd(obj, false);
    else this.notifyUpdate(prev, obj);
  }

  // ---- delivery ----------------------------------------------------------------------------

  private notifyAdd(obj: T, initial: boolean): void {
    for (const l of this.listeners) this.call(l, 'onAdd', () => l.handler.onAdd?.(obj, initial));
  }

  private notifyUpdate(oldObj: T, newObj: T): void {
    for (const l of this.listeners) this.call(l, 'onUpdate', () => l.handler.onUpdate?.(oldObj, newObj));
  }

  private notifyDelete(obj: T): void {
    for (const l of this.listeners) this.call(l, 'onDelete', () => l.handler.onDelete?.(obj));
  }

  private call(l: Listener<T>, what: string, fn: () => void): void {
    if (l.removed) return;
    try {
      fn();
    } catch (err) {
      this.logger.error({ err, informer: this.name, handler: what }, 'event handler failed');
    }
  }

  private async resyncLoop(l: Listener<T>, signal: AbortSignal): Promise<void> {
    while (!l.removed && (await this.clock.sleep(l.resyncPeriodMs, signal))) {
      if (!this.synced || l.removed) continue;
      for (const obj of this.indexer.list()) this.call(l, 'onUpdate', () => l.handler.onUpdate?.(obj, obj));
    }
  }
}
