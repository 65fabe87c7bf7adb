// Records core/v1 Events about pods (FailedScheduling, Scheduled), as client-go's recorder
// with its correlator does: an event repeated for the same object, reason and message bumps
// the existing Event's count and lastTimestamp instead of creating another.
//
// Writes are asynchronous and bounded: at most `maxInFlight` requests at once and at most
// `maxQueued` waiting; beyond that events are dropped (and counted), as upstream's broadcaster
// drops when its queue is full. Recording never blocks or fails scheduling.

import type { Logger } from 'pino';
import type { KubeObject } from '@minik8s/shared';
import { isNotFound } from '@minik8s/shared';

/** The part of the REST client the recorder needs (RestClient satisfies it). */
export interface EventClient {
  create(resource: 'events', obj: KubeObject, opts: { namespace?: string }): Promise<unknown>;
  patch(resource: 'events', name: string, patch: unknown, opts: { namespace?: string; type: 'merge' }): Promise<unknown>;
}

export interface EventRecorderOptions {
  client: EventClient;
  /** source.component and reportingComponent, e.g. default-scheduler. */
  component: string;
  /** reportingInstance (this process' identity). */
  instance?: string;
  logger?: Logger;
  now?: () => number;
  maxInFlight?: number;
  maxQueued?: number;
  /** How many distinct events are remembered for aggregation. */
  cacheSize?: number;
}

export type EventType = 'Normal' | 'Warning';

/** upstream's limit on an event's message (validation.NoteLengthLimit), with " ..." when cut. */
export const NOTE_LENGTH_LIMIT = 1024;

export function truncateMessage(message: string): string {
  if (message.length <= NOTE_LENGTH_LIMIT) return message;
  const suffix = ' ...';
  return message.slice(0, NOTE_LENGTH_LIMIT - suffix.length) + suffix;
}

/** metav1.Time: RFC 3339 in UTC, whole seconds. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

type Job = () => Promise<void>;

export class EventRecorder {
  private readonly client: EventClient;
  private readonly component: string;
  private readonly instance: string;
  private readonly logger: Logger | undefined;
  private readonly now: () => number;
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly cacheSize: number;
  private readonly seen = new Map<string, Seen>();
  private readonly queue: Job[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private seq = 0;
  dropped = 0;

  constructor(opts: EventRecorderOptions) {
    this.client = opts.client;
    this.component = opts.component;
    this.instance = opts.instance ?? opts.component;
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
    this.maxInFlight = opts.maxInFlight ?? 8;
    this.maxQueued = opts.maxQueued ?? 10_000;
    this.cacheSize = opts.cacheSize ?? 4096;
  }

  /** Records an event about `obj` (a pod); `action` is what the component was doing (Scheduling, Binding). */
  event(obj: KubeObject, type: EventType, reason: string, action: string, message: string): void {
    const meta = obj.metadata;
    const namespace = meta.namespace || 'default';
    const msg = truncateMessage(message);
    const key = JSON.stringify([meta.uid, meta.namespace, meta.name, type, reason, msg]);
    const at = rfc3339(this.now());
    const seen = this.seen.get(key);
    if (seen) {
      seen.count++;
      const count = seen.count;
      // Most recently used last, so the oldest entry is the first one to evict.
      this.seen.delete(key);
      this.seen.set(key, seen);
      this.enqueue(async () => {
        try {
          await this.client.patch('events', seen.name, { count, lastTimestamp: at, message: msg }, { namespace: seen.namespace, type: 'merge' });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          // The Event expired or was deleted: start a new one.
          await this.create(obj, namespace, type, reason, action, msg, at, key);
        }
      });
      return;
    }
    this.enqueue(() => this.create(obj, namespace, type, reason, action, msg, at, key));
  }

  /** Resolves once every queued write has finished (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.inFlight > 0 || this.queue.length > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private async create(obj: KubeObject, namespace: string, type: EventType, reason: string, action: string, message: string, at: string, key: string): Promise<void> {
    const meta = obj.metadata;
    // Upstream names events <object>.<unix nanoseconds in hex>; the counter keeps names unique within a millisecond.
    const nanos = BigInt(this.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const name = `${meta.name}.${nanos.toString(16)}`;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        kind: obj.kind ?? 'Pod',
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        apiVersion: obj.apiVersion ?? 'v1',
        resourceVersion: meta.resourceVersion,
      },
      reason,
      message,
      type,
      action,
      source: { component: this.component },
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      eventTime: null,
      reportingComponent: this.component,
      reportingInstance: this.instance,
    };
    await this.client.create('events', event, { namespace });
    this.seen.set(key, { name, namespace, count: 1 });
    if (this.seen.size > this.cacheSize) this.seen.delete(this.seen.keys().next().value!);
  }

  private enqueue(job: Job): void {
    if (this.queue.length >= this.maxQueued) {
      this.dropped++;
      return;
    }
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.inFlight++;
      job()
        .catch((err) => this.logger?.warn({ err: (err as Error).message }, 'could not write event'))
        .finally(() => {
          this.inFlight--;
          this.pump();
          if (this.inFlight === 0 && this.queue.length === 0) {
            const w = this.idleWaiters;
            this.idleWaiters = [];
            for (const f of w) f();
          }
        });
    }
  }
}
