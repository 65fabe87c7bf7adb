// The reflector (client-go's tools/cache.Reflector): keeps a store equal to the server's
// collection by listing, then watching from the list's resourceVersion.
//
// The loop, until the signal aborts:
//  1. List, page by page (limit + continue), as one consistent read (resourceVersion unset,
//     so a relist never goes back in time); hand the items to store.replace(items, rv).
//     A continue token that expired (410) restarts the list without paging.
//  2. Watch from the last resourceVersion seen, with bookmarks, so a quiet collection still
//     advances it. Each event goes to the store in order and moves the resourceVersion.
//  3. Stream closed (server timeout, apiserver restart): watch again from that resourceVersion.
//     A watch that fails to start or breaks for a transport reason also re-watches, after
//     backoff: no relist is needed while the server can still serve the resourceVersion.
//  4. 410 Expired (an answer or an ERROR event): the resourceVersion is gone, relist (1).
//     Any other error: back off, then relist.
// Backoff doubles from initialBackoffMs to maxBackoffMs on the injected clock and resets
// after a watch that delivered events.

import type { Logger } from 'pino';
import { pino } from 'pino';
import type { KubeObject } from '../api/types.ts';
import { isExpired, isStatusError } from '../api/status-error.ts';
import type { Clock } from '../clock/clock.ts';
import { realClock } from '../clock/clock.ts';
import type { ListerWatcher } from './list-watch.ts';
import { informerMetrics } from './metrics.ts';

/** Where a reflector delivers what it learns (the informer implements it). */
export interface ReflectorStore<T> {
  /** The complete collection as of `resourceVersion` (initial list and every relist). */
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  /** `obj` is the object's final state as the DELETED event carries it. */
  delete(obj: T): void;
}

export interface ReflectorOptions<T extends KubeObject> {
  /** Names the reflector in logs and metrics, e.g. "pods" or "pods/default". */
  name: string;
  listerWatcher: ListerWatcher<T>;
  store: ReflectorStore<T>;
  clock?: Clock;
  logger?: Logger;
  /** Page size of lists (default 500, as client-go); 0 lists in one answer. */
  pageSize?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Watch timeouts are drawn in [min, 2*min) seconds so reflectors do not re-watch in step (default 300). */
  minWatchTimeoutSeconds?: number;
}

type WatchOutcome = 'closed' | 'relist' | 'transport-error' | 'error';

const TRANSPORT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function isTransportError(err: unknown): boolean {
  if (isStatusError(err)) return err.code === 429 || err.code >= 500;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && TRANSPORT_CODES.has(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.some(isTransportError)) return true;
  return e.cause !== undefined && isTransportError(e.cause);
}

export class Reflector<T extends KubeObject = KubeObject> {
  readonly name: string;
  private readonly lw: ListerWatcher<T>;
  private readonly store: ReflectorStore<T>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly pageSize: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly minWatchTimeoutSeconds: number;
  private backoffMs: number;
  private lastRV = '';

  constructor(opts: ReflectorOptions<T>) {
    this.name = opts.name;
    this.lw = opts.listerWatcher;
    this.store = opts.store;
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.pageSize = opts.pageSize ?? 500;
    this.initialBackoffMs = opts.initialBackoffMs ?? 800;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.minWatchTimeoutSeconds = opts.minWatchTimeoutSeconds ?? 300;
    this.backoffMs = this.initialBackoffMs;
  }

  /** The resourceVersion the store is known to be current at ('' before the first list). */
  lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  /** Runs the list/watch loop until `signal` aborts; never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.list(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.logger.warn({ err, reflector: this.name }, 'list failed');
        await this.backoff(signal);
        continue;
      }
      // Watch until the resourceVersion is lost or an error calls for a relist.
      for (;;) {
        if (signal.aborted) return;
        const outcome = await this.watchOnce(signal);
        if (signal.aborted) return;
        if (outcome === 'relist') break;
        if (outcome === 'error') {
          await this.backoff(signal);
          break;
        }
        if (outcome === 'transport-error') await this.backoff(signal);
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    informerMetrics().list(this.name);
    let items: T[] = [];
    let rv = '';
    let cont: string | undefined;
    let paging = this.pageSize > 0;
    for (;;) {
      let page;
      try {
        page = await this.lw.list({ limit: paging ? this.pageSize : undefined, continue: cont, signal });
      } catch (err) {
        if (cont && isExpired(err)) {
          // The continue token outlived the etcd compaction window: one unpaged read instead.
          this.logger.info({ reflector: this.name }, 'continue token expired, listing without paging');
          items = [];
          cont = undefined;
          paging = false;
          continue;
        }
        throw err;
      }
      items.push(...page.items);
      if (!cont) rv = page.metadata?.resourceVersion ?? '';
      cont = page.metadata?.continue || undefined;
      if (!cont) {
        // Pages share the first page's snapshot; the last page's RV is that snapshot too.
        rv = page.metadata?.resourceVersion || rv;
        break;
      }
    }
    this.store.replace(items, rv);
    this.lastRV = rv;
    this.logger.debug({ reflector: this.name, items: items.length, resourceVersion: rv }, 'listed');
  }

  private async watchOnce(signal: AbortSignal): Promise<WatchOutcome> {
    informerMetrics().watch(this.name);
    const timeoutSeconds = this.minWatchTimeoutSeconds + Math.floor(Math.random() * this.minWatchTimeoutSeconds);
    const started = this.clock.now();
    let events = 0;
    try {
      const stream = this.lw.watch({ resourceVersion: this.lastRV, allowWatchBookmarks: true, timeoutSeconds, signal });
      for await (const ev of stream) {
        if (signal.aborted) return 'closed';
        events++;
        informerMetrics().watchEvent(this.name, ev.type);
        const rv = ev.object?.metadata?.resourceVersion;
        switch (ev.type) {
          case 'ADDED':
            this.store.add(ev.object);
            break;
          case 'MODIFIED':
            this.store.update(ev.object);
            break;
          case 'DELETED':
            this.store.delete(ev.object);
            break;
          case 'BOOKMARK':
            break;
        }
        if (rv) this.lastRV = rv;
        if (events === 1) this.backoffMs = this.initialBackoffMs;
      }
    } catch (err) {
      if (signal.aborted) return 'closed';
      if (isExpired(err)) {
        this.logger.info({ reflector: this.name, resourceVersion: this.lastRV, reason: (err as Error).message }, 'watch expired, relisting');
        return 'relist';
      }
      if (isTransportError(err)) {
        this.logger.info({ reflector: this.name, err: (err as Error).message }, 'watch broken, re-watching');
        return 'transport-error';
      }
      this.logger.warn({ err, reflector: this.name }, 'watch failed, relisting');
      return 'error';
    }
    // A stream that closes at once without a single event is treated as a failure, so a
    // misbehaving server does not make us spin (client-go's "very short watch").
    if (events === 0 && this.clock.now() - started < 1000) return 'transport-error';
    return 'closed';
  }

  private async backoff(signal: AbortSignal): Promise<void> {
    const d = this.backoffMs;
    this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
    await this.clock.sleep(d, signal);
  }
}
