// The watch cache: one storage watch per resource feeds an in-memory copy of every object and
// a bounded window of recent events. HTTP watches and resourceVersion=0 reads are served from
// it, so a thousand watchers cost one etcd watch.
//
// Contract:
// - Events reach each watcher in revision order, each exactly once; a watcher started at
//   revision N sees exactly the events with revision > N (or, from 0, a synthetic ADDED for
//   every current object first).
// - A watch from a revision older than the window fails with Expired (410); the client relists.
// - When the storage watch itself is lost for good (compaction), the cache relists and ends
//   every watcher with Expired rather than let it miss a change.

import type { KubeObject } from '@minik8s/shared';
import type { Storage, StorageEvent, StorageEventType } from './interface.ts';
import { StorageError } from './storage-error.ts';
import { AsyncEventQueue } from './async-event-queue.ts';

/** An event as the cache hands it out; its objects are shared and must not be mutated. */
export type CachedEvent = StorageEvent;

export interface WatchFilter {
  /** Only keys under this prefix (e.g. one namespace). */
  keyPrefix: string;
  /** Label/field predicate; undefined means everything. */
  matches?: (obj: KubeObject) => boolean;
}

export interface WatchCacheOptions {
  /** How many recent events to keep for watches that start in the past. */
  capacity?: number;
  /** A watcher whose backlog grows past this is ended (it re-watches from its last RV). */
  maxWatcherBacklog?: number;
  onError?: (err: unknown) => void;
}

export class CacheWatcher {
  readonly events = new AsyncEventQueue<CachedEvent>();
  readonly filter: WatchFilter;
  readonly fromRevision: number;
  private readonly owner: WatchCache;

  constructor(owner: WatchCache, filter: WatchFilter, fromRevision: number) {
    this.owner = owner;
    this.filter = filter;
    this.fromRevision = fromRevision;
  }

  /** Offer a change; delivers it if it concerns this watcher, as ADDED/MODIFIED/DELETED per the filter. */
  offer(ev: CachedEvent): void {
    if (ev.revision <= this.fromRevision || !ev.key.startsWith(this.filter.keyPrefix)) return;
    const m = this.filter.matches;
    if (!m) {
      this.events.push(ev);
      return;
    }
    const cur = ev.type !== 'DELETED' && m(ev.object);
    const prev = ev.type === 'ADDED' ? false : ev.prevObject ? m(ev.prevObject) : ev.type === 'DELETED' && m(ev.object);
    let type: StorageEventType;
    if (cur && prev) type = 'MODIFIED';
    else if (cur) type = 'ADDED';
    else if (prev) type = 'DELETED';
    else return;
    if (type === ev.type) this.events.push(ev);
    else {
      const object = type === 'DELETED' ? { ...ev.prevObject!, metadata: { ...ev.prevObject!.metadata, resourceVersion: String(ev.revision) } } : ev.object;
      this.events.push({ type, key: ev.key, object, revision: ev.revision });
    }
  }

  stop(): void {
    this.owner.removeWatcher(this);
    this.events.end();
  }
}

export class WatchCache {
  private readonly storage: Storage;
  readonly prefix: string;
  private readonly capacity: number;
  private readonly maxBacklog: number;
  private readonly onError: (err: unknown) => void;

  private objects = new Map<string, KubeObject>();
  private sortedKeys: string[] | undefined;
  /**
   * The recent events, in revision order, are window[windowHead..]; the slots before windowHead
   * held dropped events and are cleared. Dropping one event from the front of a 10,000-event
   * array would move the whole array on every write once the window is full, so the front is
   * cut off in batches instead (see trimWindow).
   */
  private window: Array<CachedEvent | undefined> = [];
  private windowHead = 0;
  /** Events with revision > windowStart are all in the window. */
  private windowStart = 0;
  private revision = 0;
  private readonly watchers = new Set<CacheWatcher>();
  private readonly freshWaiters = new Set<{ rv: number; resolve: () => void }>();
  private ready = false;
  private stopped = false;
  private storageWatch: { stop(): void } | undefined;
  private readyPromise: Promise<void>;
  private markReady!: () => void;

  constructor(storage: Storage, prefix: string, opts: WatchCacheOptions = {}) {
    this.storage = storage;
    this.prefix = prefix;
    this.capacity = opts.capacity ?? 10_000;
    this.maxBacklog = opts.maxWatcherBacklog ?? 50_000;
    this.onError = opts.onError ?? (() => {});
    this.readyPromise = new Promise((r) => (this.markReady = r));
  }

  /** Start listing and watching; resolves once the first list is in memory. Retries while storage is down. */
  start(): Promise<void> {
    void this.run();
    return this.readyPromise;
  }

  isReady(): boolean {
    return this.ready;
  }

  waitReady(): Promise<void> {
    return this.readyPromise;
  }

  get resourceVersion(): number {
    return this.revision;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  stop(): void {
    this.stopped = true;
    this.storageWatch?.stop();
    for (const w of [...this.watchers]) w.stop();
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** Every object under keyPrefix, in key order, at the cache's revision. */
  list(keyPrefix: string): { items: KubeObject[]; keys: string[]; revision: number } {
    if (!this.sortedKeys) this.sortedKeys = [...this.objects.keys()].sort();
    const keys = keyPrefix === this.prefix ? this.sortedKeys : this.sortedKeys.filter((k) => k.startsWith(keyPrefix));
    return { items: keys.map((k) => this.objects.get(k)!), keys, revision: this.revision };
  }

  /** Resolves when the cache has seen revision rv, or rejects after timeoutMs. */
  waitUntilFresh(rv: number, timeoutMs: number): Promise<void> {
    if (this.revision >= rv) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        rv,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      };
      const t = setTimeout(() => {
        this.freshWaiters.delete(w);
        reject(new StorageError('Unavailable', this.prefix, `Too large resource version: ${rv}, current resource version: ${this.revision}`, rv));
      }, timeoutMs);
      this.freshWaiters.add(w);
    });
  }

  /**
   * Start a watcher. fromRevision 0: synthetic ADDED events for the current objects, then
   * changes. Otherwise changes after fromRevision; older than the window -> Expired.
   */
  watch(fromRevision: number, filter: WatchFilter): CacheWatcher {
    if (fromRevision !== 0 && fromRevision < this.windowStart) {
      throw new StorageError('Expired', this.prefix, `too old resource version: ${fromRevision} (${this.windowStart + 1})`, this.windowStart);
    }
    if (fromRevision === 0) {
      const w = new CacheWatcher(this, filter, this.revision);
      for (const obj of this.list(filter.keyPrefix).items) {
        if (filter.matches && !filter.matches(obj)) continue;
        const rv = Number(obj.metadata.resourceVersion);
        w.events.push({ type: 'ADDED', key: '', object: obj, revision: rv });
      }
      this.watchers.add(w);
      return w;
    }
    const w = new CacheWatcher(this, filter, fromRevision);
    // Replay the part of the window after fromRevision (binary search: window is in order).
    let lo = this.windowHead;
    let hi = this.window.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.window[mid]!.revision <= fromRevision) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.window.length; i++) w.offer(this.window[i]!);
    this.watchers.add(w);
    return w;
  }

  removeWatcher(w: CacheWatcher): void {
    this.watchers.delete(w);
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.stopped) {
      try {
        const listed = await this.listAll();
        this.reset(listed.items, listed.keys, listed.revision);
        backoff = 100;
        const watcher = this.storage.watch(this.prefix, listed.revision);
        this.storageWatch = watcher;
        for await (const ev of watcher) this.apply(ev);
        if (this.stopped) return;
      } catch (err) {
        if (this.stopped) return;
        this.onError(err);
        this.ready = false;
        // Watchers may have missed changes: end them with Expired so they relist.
        for (const w of [...this.watchers]) {
          this.watchers.delete(w);
          w.events.fail(new StorageError('Expired', this.prefix, 'the watch cache was reset; please relist', this.revision));
        }
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  private async listAll(): Promise<{ items: KubeObject[]; keys: string[]; revision: number }> {
    const items: KubeObject[] = [];
    const keys: string[] = [];
    let revision = 0;
    let startKey: string | undefined;
    do {
      const page = await this.storage.list(this.prefix, { limit: 10_000, revision, ...(startKey ? { startKey } : {}) });
      revision = page.revision;
      items.push(...page.items);
      keys.push(...page.keys);
      startKey = page.nextKey;
    } while (startKey);
    return { items, keys, revision };
  }

  private reset(items: KubeObject[], keys: string[], revision: number): void {
    this.objects = new Map(keys.map((k, i) => [k, items[i]]));
    this.sortedKeys = undefined;
    this.window = [];
    this.windowHead = 0;
    this.windowStart = revision;
    this.revision = revision;
    this.ready = true;
    this.markReady();
    this.notifyFresh();
  }

  private apply(ev: CachedEvent): void {
    const existed = this.objects.has(ev.key);
    if (ev.type === 'DELETED') {
      this.objects.delete(ev.key);
      if (existed) this.sortedKeys = undefined;
    } else {
      this.objects.set(ev.key, ev.object);
      if (!existed) this.sortedKeys = undefined;
    }
    this.revision = ev.revision;
    this.window.push(ev);
    this.trimWindow();
    for (const w of this.watchers) {
      w.offer(ev);
      if (w.events.size > this.maxBacklog) {
        this.watchers.delete(w);
        w.events.end();
      }
    }
    this.notifyFresh();
  }

  /** Keeps the last `capacity` events; windowStart moves to the newest event dropped. */
  private trimWindow(): void {
    const drop = this.window.length - this.windowHead - this.capacity;
    if (drop <= 0) return;
    const end = this.windowHead + drop;
    this.windowStart = this.window[end - 1]!.revision;
    this.window.fill(undefined, this.windowHead, end);
    this.windowHead = end;
    // Compact once the dead front is a quarter of the window (or 1,024 slots): each kept event
    // is moved O(1) times on average.
    if (this.windowHead >= Math.max(1024, this.capacity >> 2)) {
      this.window = this.window.slice(this.windowHead);
      this.windowHead = 0;
    }
  }

  private notifyFresh(): void {
    if (this.freshWaiters.size === 0) return;
    for (const w of [...this.freshWaiters]) {
      if (this.revision >= w.rv) {
        this.freshWaiters.delete(w);
        w.resolve();
      }
    }
  }
}
