// The kubelet's core/v1 Events (Pulling, Pulled, Created, Started, Killing, BackOff,
// Unhealthy, ...), as client-go's recorder with its correlator writes them: source
// {component: kubelet, host: <node>}, the container as involvedObject.fieldPath
// (`spec.containers{name}`), and a repeat of the same event bumping count and lastTimestamp
// instead of creating another.
//
// Writes are asynchronous and bounded (at most `maxInFlight` at once, `maxQueued` waiting,
// the rest dropped and counted): recording never blocks or fails a pod worker.

import type { Logger } from 'pino';
import type { KubeObject, RestClient } from '@minik8s/shared';
import { isNotFound } from '@minik8s/shared';
import { rfc3339 } from '../api/pod.ts';

export type EventType = 'Normal' | 'Warning';

/** What an event is about. */
export interface ObjectReference {
  kind: string;
  apiVersion?: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EventRecorderOptions {
  client: Pick<RestClient, 'create' | 'patch'>;
  /** The node: source.host and reportingInstance. */
  host: string;
  component?: string;
  logger?: Logger;
  now?: () => number;
  maxInFlight?: number;
  maxQueued?: number;
}

/** upstream's limit on an event's message (validation.NoteLengthLimit), with " ..." when cut. */
const NOTE_LENGTH_LIMIT = 1024;

function truncate(message: string): string {
  return message.length <= NOTE_LENGTH_LIMIT ? message : `${message.slice(0, NOTE_LENGTH_LIMIT - 4)} ...`;
}

/** A reference to a pod, or to one of its containers (`spec.containers{name}`). */
export function podRef(pod: KubeObject, fieldPath?: string): ObjectReference {
  const ref: ObjectReference = {
    kind: 'Pod',
    apiVersion: 'v1',
    namespace: pod.metadata.namespace,
    name: pod.metadata.name!,
    uid: pod.metadata.uid,
    resourceVersion: pod.metadata.resourceVersion,
  };
  if (fieldPath) ref.fieldPath = fieldPath;
  return ref;
}

/** The node reference the kubelet uses for node events (its uid is the node's name, as upstream). */
export function nodeRef(nodeName: string): ObjectReference {
  return { kind: 'Node', name: nodeName, uid: nodeName };
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

export class EventRecorder {
  /** Events that could not be queued. */
  dropped = 0;
  private readonly opts: EventRecorderOptions;
  private readonly component: string;
  private readonly now: () => number;
  private readonly seen = new Map<string, Seen>();
  private readonly queue: (() => Promise<void>)[] = [];
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private seq = 0;

  constructor(opts: EventRecorderOptions) {
    this.opts = opts;
    this.component = opts.component ?? 'kubelet';
    this.now = opts.now ?? Date.now;
  }

  event(ref: ObjectReference, type: EventType, reason: string, message: string): void {
    const msg = truncate(message);
    const namespace = ref.namespace || 'default';
    const key = JSON.stringify([ref.kind, ref.namespace, ref.name, ref.uid, ref.fieldPath, type, reason, msg]);
    const at = rfc3339(this.now());
    const seen = this.seen.get(key);
    if (seen) {
      seen.count++;
      const count = seen.count;
      this.seen.delete(key);
      this.seen.set(key, seen);
      this.enqueue(async () => {
        try {
          await this.opts.client.patch('events', seen.name, { count, lastTimestamp: at }, { namespace: seen.namespace, type: 'merge' });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          await this.create(ref, namespace, type, reason, msg, at, key);
        }
      });
      return;
    }
    this.enqueue(() => this.create(ref, namespace, type, reason, msg, at, key));
  }

  /** Resolves once every queued write is done (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.inFlight > 0 || this.queue.length > 0) await new Promise<void>((r) => this.idle.push(r));
  }

  private async create(ref: ObjectReference, namespace: string, type: EventType, reason: string, message: string, at: string, key: string): Promise<void> {
    // <object>.<unix nanoseconds in hex>, as upstream; the counter keeps names of one millisecond apart.
    const nanos = BigInt(this.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const name = `${ref.name}.${nanos.toString(16)}`;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      source: { component: this.component, host: this.opts.host },
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      eventTime: null,
      reportingComponent: this.component,
      reportingInstance: this.opts.host,
    };
    await this.opts.client.create('events', event, { namespace });
    this.seen.set(key, { name, namespace, count: 1 });
    if (this.seen.size > 4096) this.seen.delete(this.seen.keys().next().value!);
  }

  private enqueue(job: () => Promise<void>): void {
    if (this.queue.length >= (this.opts.maxQueued ?? 10_000)) {
      this.dropped++;
      return;
    }
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < (this.opts.maxInFlight ?? 8) && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.inFlight++;
      job()
        .catch((err) => this.opts.logger?.warn({ err: (err as Error).message }, 'could not write event'))
        .finally(() => {
          this.inFlight--;
          this.pump();
          if (this.inFlight === 0 && this.queue.length === 0) {
            const w = this.idle;
            this.idle = [];
            for (const f of w) f();
          }
        });
    }
  }
}
