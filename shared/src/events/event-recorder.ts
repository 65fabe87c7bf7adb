// core/v1 Events about what a component does (Scheduled, SuccessfulCreate, ScalingReplicaSet,
// NodeNotReady, Started...), as client-go's record.EventRecorder with its correlator: the same event
// (object, type, reason, message, source) repeated bumps the existing Event's count and
// lastTimestamp instead of creating another one.
//
// Contract: recording never blocks, throws or fails a reconcile. Writes are asynchronous and
// bounded (maxInFlight at once, maxQueued waiting); beyond that events are dropped and counted,
// as upstream's broadcaster drops when its channel is full.

import type { Logger } from 'pino';
import type { KubeObject } from '../api/types.ts';
import { RESOURCES, groupVersion } from '../api/resources.ts';
import { isNotFound } from '../api/status-error.ts';

/** The part of the REST client the recorder needs (RestClient satisfies it). */
export interface EventClient {
  create(resource: 'events', obj: KubeObject, opts: { namespace?: string }): Promise<unknown>;
  patch(resource: 'events', name: string, patch: unknown, opts: { namespace?: string; type: 'merge' }): Promise<unknown>;
}

export type EventType = 'Normal' | 'Warning';

/** core/v1 ObjectReference: what an event is about. */
export interface ObjectReference {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** A reference to `obj` of `kind` (objects from informer caches carry no kind/apiVersion). */
export function objectReference(kind: string, obj: KubeObject): ObjectReference {
  const info = RESOURCES.find((r) => r.kind === kind);
  const ref: ObjectReference = {
    kind,
    apiVersion: obj.apiVersion ?? (info ? groupVersion(info) : 'v1'),
    name: obj.metadata.name ?? '',
  };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  if (obj.metadata.uid) ref.uid = obj.metadata.uid;
  if (obj.metadata.resourceVersion) ref.resourceVersion = obj.metadata.resourceVersion;
  return ref;
}

/** upstream's limit on an event's message (validation.NoteLengthLimit). */
export const NOTE_LENGTH_LIMIT = 1024;

export function truncateMessage(message: string): string {
  if (message.length <= NOTE_LENGTH_LIMIT) return message;
  return message.slice(0, NOTE_LENGTH_LIMIT - 4) + ' ...';
}

/** metav1.Time: RFC 3339 in UTC, whole seconds. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export interface EventRecorderOptions {
  client: EventClient;
  /** source.component and reportingComponent, e.g. replicaset-controller. */
  component: string;
  /** reportingInstance: this process' identity. */
  instance?: string;
  /** source.host: the node, for events a kubelet records. */
  host?: string;
  logger?: Logger;
  now?: () => number;
  maxInFlight?: number;
  maxQueued?: number;
  /** How many distinct events are remembered for aggregation (upstream's LRU of 4096). */
  cacheSize?: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

type Job = () => Promise<void>;

export class EventRecorder {
  readonly component: string;
  private readonly client: EventClient;
  private readonly instance: string;
  private readonly host: string | undefined;
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
  /** Events dropped because the queue was full. */
  dropped = 0;

  constructor(opts: EventRecorderOptions) {
    this.client = opts.client;
    this.component = opts.component;
    this.instance = opts.instance ?? opts.host ?? opts.component;
    this.host = opts.host;
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
    this.maxInFlight = opts.maxInFlight ?? 4;
    this.maxQueued = opts.maxQueued ?? 1000;
    this.cacheSize = opts.cacheSize ?? 4096;
  }

  /** Records an event about the object `ref` names; `action` is what the component was doing (Binding, Scheduling). */
  event(ref: ObjectReference, type: EventType, reason: string, message: string, action?: string): void {
    const msg = truncateMessage(message);
    // Cluster-scoped objects (nodes, namespaces) get their events in "default", as upstream.
    const namespace = ref.namespace || 'default';
    const key = JSON.stringify([ref.kind, ref.namespace ?? '', ref.name, ref.uid ?? '', ref.fieldPath ?? '', type, reason, msg]);
    const at = rfc3339(this.now());
    const seen = this.seen.get(key);
    if (seen) {
      seen.count++;
      const count = seen.count;
      this.seen.delete(key); // most recently used last: the first key is the one to evict
      this.seen.set(key, seen);
      this.enqueue(async () => {
        try {
          await this.client.patch('events', seen.name, { count, lastTimestamp: at, message: msg }, { namespace: seen.namespace, type: 'merge' });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          await this.create(ref, namespace, type, reason, msg, at, key, action);
        }
      });
      return;
    }
    this.enqueue(() => this.create(ref, namespace, type, reason, msg, at, key, action));
  }

  /** Resolves once every queued write has finished (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.inFlight > 0 || this.queue.length > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private async create(ref: ObjectReference, namespace: string, type: EventType, reason: string, message: string, at: string, key: string, action?: string): Promise<void> {
    // Upstream names events <object>.<unix nanoseconds in hex>; the counter keeps names unique.
    const nanos = BigInt(this.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const name = `${ref.name}.${nanos.toString(16)}`;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: { ...ref },
      reason,
      message,
      type,
      source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      eventTime: null,
      reportingComponent: this.component,
      reportingInstance: this.instance,
      ...(action ? { action } : {}),
    };
    // Remember it before the write so a repeat arriving meanwhile aggregates into it.
    this.seen.set(key, { name, namespace, count: 1 });
    if (this.seen.size > this.cacheSize) this.seen.delete(this.seen.keys().next().value!);
    try {
      await this.client.create('events', event, { namespace });
    } catch (err) {
      this.seen.delete(key);
      throw err;
    }
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
        .catch((err) => this.logger?.debug({ err: (err as Error).message }, 'could not write event'))
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
