// The etcd implementation of Storage on the `etcd3` package. Only the four transaction shapes
// Kubernetes needs are used: create-if-absent, update-if-mod-equals, delete-if-mod-equals,
// and reads (plus watch). Objects are JSON without resourceVersion; mod_revision is the RV.

import { noop } from 'cockatiel';
import { Etcd3, type ICompare, type IKeyValue, type IRequestOp, type ITxnResponse } from 'etcd3';
import type { KubeObject } from '@minik8s/shared';
import type {
  DeleteOptions,
  GuaranteedUpdateOptions,
  ListOptions,
  ListResult,
  Preconditions,
  Storage,
  StorageEvent,
  StorageWatcher,
  TryUpdate,
} from './interface.ts';
import { StorageError } from './storage-error.ts';
import { AsyncEventQueue } from './async-event-queue.ts';
import { insertResourceVersion, rememberJson, stringifyObject, withResourceVersion as withRV } from './object-json.ts';
import { OwnWrites } from './own-writes.ts';

export interface EtcdStoreOptions {
  endpoints: string[];
  /** Per-request deadline so a dead etcd fails requests instead of hanging them. */
  requestTimeoutMs?: number;
}

export class EtcdStore implements Storage {
  readonly client: Etcd3;
  private readonly timeoutMs: number;
  /** Watches open against etcd right now (the watch cache holds one per resource). */
  activeWatchCount = 0;
  /** Writes in flight, whose watch events reuse the object written (own-writes.ts). */
  private readonly ownWrites = new OwnWrites();

  constructor(opts: EtcdStoreOptions) {
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.client = new Etcd3({
      hosts: opts.endpoints,
      dialTimeout: 2_000,
      // Each request succeeds or fails on its own, as upstream's etcd client: no retries (a
      // Txn whose answer was lost may have landed, and its retry would report a conflict) and
      // no circuit breaker (the package's default turns three failed calls, a slow health
      // check included, into seconds of refusing every request).
      faultHandling: { host: () => noop, global: noop },
      // A deadline for unary calls only: a watch is a stream that must live on.
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + this.timeoutMs }),
    });
  }

  async get(key: string): Promise<KubeObject | undefined> {
    const res = await this.call(key, () => this.client.kv.range({ key: Buffer.from(key) }));
    const kv = res.kvs[0];
    return kv ? decode(kv, key) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const start = opts.startKey ?? prefix;
    const limit = opts.limit ?? 0;
    const res = await this.call(prefix, () =>
      this.client.kv.range({
        key: Buffer.from(start),
        range_end: Buffer.from(prefixEnd(prefix)),
        revision: opts.revision ?? 0,
        limit,
      }),
    );
    const items: KubeObject[] = [];
    const keys: string[] = [];
    for (const kv of res.kvs) {
      const k = kv.key.toString();
      keys.push(k);
      items.push(decode(kv, k));
    }
    const revision = Number(res.header.revision);
    const result: ListResult = { items, keys, revision };
    if (res.more && keys.length > 0) {
      result.nextKey = `${keys[keys.length - 1]}\x00`;
      result.remaining = Number(res.count) - keys.length;
    }
    return result;
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    // A new object has no resourceVersion member: its JSON is the stored form as it is, and the
    // JSON of what is returned is that with the revision inserted (object-json.ts).
    const fresh = !Object.hasOwn(obj.metadata, 'resourceVersion');
    const json = fresh ? stringifyObject(obj) : undefined;
    const value = Buffer.from(json ? json.text : encode(obj));
    const own = this.ownWrites.expect(key, value, obj, json);
    let res: ITxnResponse;
    try {
      const k = Buffer.from(key);
      res = await this.txn(key, absent(k), [{ request_put: { key: k, value } }], []);
    } catch (e) {
      this.ownWrites.forget(key, own);
      throw e;
    }
    if (!res.succeeded) {
      this.ownWrites.forget(key, own);
      throw new StorageError('KeyExists', key, `key ${key} already exists`);
    }
    const revision = Number(res.header.revision);
    if (own) return this.ownWrites.resultOf(own, revision);
    const result = withRV(obj, revision);
    const text = json && insertResourceVersion(json, revision);
    if (text !== undefined) rememberJson(result, text);
    return result;
  }

  async guaranteedUpdate(key: string, tryUpdate: TryUpdate, opts: GuaranteedUpdateOptions = {}): Promise<KubeObject> {
    let current: KubeObject | undefined = opts.suggestion ?? (await this.get(key));
    let fromSuggestion = opts.suggestion !== undefined;
    for (;;) {
      if (!current && !opts.ignoreNotFound) throw new StorageError('KeyNotFound', key, `key ${key} not found`);
      if (current) checkPreconditions(key, current, opts.preconditions);
      let next: KubeObject;
      try {
        next = await tryUpdate(current === undefined ? undefined : structuredClone(current));
      } catch (e) {
        // A stale suggestion may be why tryUpdate refused: retry once against etcd itself.
        if (fromSuggestion) {
          fromSuggestion = false;
          current = await this.get(key);
          continue;
        }
        throw e;
      }
      const value = encode(next);
      if (current) {
        const rv = Number(current.metadata.resourceVersion);
        if (value === encode(current)) return current; // nothing to write: no new revision
        const k = Buffer.from(key);
        const bytes = Buffer.from(value);
        const own = this.ownWrites.expect(key, bytes, next);
        const res = await this.txn(key, modifiedAt(k, rv), [{ request_put: { key: k, value: bytes } }], [get(k)]).catch((e: unknown) => {
          this.ownWrites.forget(key, own);
          throw e;
        });
        if (res.succeeded) return own ? this.ownWrites.resultOf(own, Number(res.header.revision)) : withRV(next, Number(res.header.revision));
        this.ownWrites.forget(key, own);
        current = firstRangeKv(res, key);
      } else {
        const k = Buffer.from(key);
        const bytes = Buffer.from(value);
        const own = this.ownWrites.expect(key, bytes, next);
        const res = await this.txn(key, absent(k), [{ request_put: { key: k, value: bytes } }], [get(k)]).catch((e: unknown) => {
          this.ownWrites.forget(key, own);
          throw e;
        });
        if (res.succeeded) return own ? this.ownWrites.resultOf(own, Number(res.header.revision)) : withRV(next, Number(res.header.revision));
        this.ownWrites.forget(key, own);
        current = firstRangeKv(res, key);
      }
      fromSuggestion = false;
    }
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    let current = await this.get(key);
    for (;;) {
      if (!current) throw new StorageError('KeyNotFound', key, `key ${key} not found`);
      checkPreconditions(key, current, opts.preconditions);
      if (opts.validateDeletion) await opts.validateDeletion(current);
      const rv = Number(current.metadata.resourceVersion);
      const k = Buffer.from(key);
      const res = await this.txn(key, modifiedAt(k, rv), [{ request_delete_range: { key: k } }], [get(k)]);
      if (res.succeeded) return withRV(current, Number(res.header.revision));
      current = firstRangeKv(res, key);
    }
  }

  watch(prefix: string, fromRevision: number): StorageWatcher {
    const queue = new AsyncEventQueue<StorageEvent>();
    let lastRevision = fromRevision;
    let stopped = false;
    const pending = this.client
      .watch()
      .prefix(prefix)
      .startRevision(String(fromRevision + 1))
      .withPreviousKV()
      .create();
    pending
      .then((watcher) => {
        if (stopped) {
          void watcher.cancel();
          return;
        }
        stopHook = () => void watcher.cancel();
        watcher.on('put', (kv: IKeyValue, prev?: IKeyValue) => {
          const key = kv.key.toString();
          const revision = Number(kv.mod_revision);
          lastRevision = revision;
          // Our own write echoed back: the object written, not a parse of etcd's copy of it.
          const object = this.ownWrites.take(key, kv.value, revision) ?? decode(kv, key);
          const created = kv.create_revision === kv.mod_revision;
          const ev: StorageEvent = { type: created ? 'ADDED' : 'MODIFIED', key, object, revision };
          if (prev && !created) ev.prevObject = decode(prev, key);
          queue.push(ev);
        });
        watcher.on('delete', (kv: IKeyValue, prev?: IKeyValue) => {
          const key = kv.key.toString();
          const revision = Number(kv.mod_revision);
          lastRevision = revision;
          const object = prev ? withRV(decode(prev, key), revision) : { metadata: { resourceVersion: String(revision) } };
          queue.push({ type: 'DELETED', key, object, revision, ...(prev ? { prevObject: decode(prev, key) } : {}) });
        });
        // A progress notification (no events) says every change up to its header revision has
        // been delivered: a quiet resource's resume point moves on, so a later reconnect does not
        // ask for a revision that compaction has since removed.
        watcher.on('data', (res: { events: unknown[]; header: { revision: string } }) => {
          if (res.events.length === 0) lastRevision = Math.max(lastRevision, Number(res.header.revision));
        });
        // etcd3 resumes a broken watch from the revision in the latest response header, which
        // can skip history not yet delivered. Resume from the last event we really saw instead.
        watcher.on('disconnected', () => {
          (watcher as unknown as { request: { start_revision: string } }).request.start_revision = String(lastRevision + 1);
        });
        // etcd cancels a watch from its side when the revision asked for is compacted (etcd
        // 3.4 gives no reason text, only compact_revision, which etcd3 drops). Any server-side
        // cancel means the history is gone: the consumer must relist.
        watcher.on('error', (err: Error) => {
          release();
          void watcher.cancel();
          queue.fail(new StorageError('Expired', prefix, `watch on ${prefix} ended: ${err.message || 'required revision has been compacted'}`, lastRevision));
        });
      })
      .catch((err: unknown) => {
        release();
        queue.fail(translate(err, prefix));
      });
    let stopHook: () => void = () => {};
    this.activeWatchCount++;
    const unwatch = this.ownWrites.watching(prefix);
    let counted = true;
    const release = () => {
      if (counted) this.activeWatchCount--;
      counted = false;
      unwatch();
    };
    const stop = () => {
      release();
      stopped = true;
      stopHook();
      queue.end();
    };
    return Object.assign(queue, { stop });
  }

  async currentRevision(): Promise<number> {
    const res = await this.call('', () => this.client.kv.range({ key: Buffer.from('/'), limit: 1, count_only: true } as never));
    return Number(res.header.revision);
  }

  async healthy(): Promise<boolean> {
    try {
      await this.client.kv.range({ key: Buffer.from('health') }, { deadline: Date.now() + 2_000 });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }

  /**
   * One transaction `if compare then success else failure`, as the request etcd takes: the same
   * as the client's if().then().else().commit() builder, without its per-call promise plumbing
   * (this is every write's hot path).
   */
  private txn(key: string, compare: ICompare, success: IRequestOp[], failure: IRequestOp[]): Promise<ITxnResponse> {
    return this.call(key, () => this.client.kv.txn({ compare: [compare], success, failure }));
  }

  private async call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw translate(e, key);
    }
  }
}

// The pieces of the transactions above, as etcd's TxnRequest has them.

/** The key does not exist (its create_revision is 0). */
function absent(key: Buffer): ICompare {
  return { key, target: 'Create', result: 'Equal', create_revision: 0 };
}

/** The key was last modified at revision rv. */
function modifiedAt(key: Buffer, rv: number): ICompare {
  return { key, target: 'Mod', result: 'Equal', mod_revision: rv };
}

function get(key: Buffer): IRequestOp {
  return { request_range: { key, limit: 1 } };
}

function translate(e: unknown, key: string): StorageError {
  if (e instanceof StorageError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/compacted/i.test(msg)) return new StorageError('Expired', key, msg);
  return new StorageError('Unavailable', key, `etcd: ${msg}`);
}

function checkPreconditions(key: string, current: KubeObject, pre?: Preconditions): void {
  if (!pre) return;
  if (pre.uid && current.metadata.uid !== pre.uid) {
    throw new StorageError(
      'Conflict',
      key,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`,
      'uid',
    );
  }
  if (pre.resourceVersion && current.metadata.resourceVersion !== pre.resourceVersion) {
    throw new StorageError(
      'Conflict',
      key,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`,
      'resourceVersion',
    );
  }
}

function firstRangeKv(res: { responses: Array<{ response_range?: { kvs: IKeyValue[] } }> }, key: string): KubeObject | undefined {
  const kv = res.responses[0]?.response_range?.kvs[0];
  return kv ? decode(kv, key) : undefined;
}

export function prefixEnd(prefix: string): string {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i]++;
      return end.toString('latin1');
    }
  }
  return '\x00';
}

/** The stored form: the object's JSON without metadata.resourceVersion (the revision is etcd's). */
function encode(obj: KubeObject): string {
  // A create has no resourceVersion: its JSON is the stored form as it is, without a copy.
  if (obj.metadata.resourceVersion === undefined) return JSON.stringify(obj);
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}

function decode(kv: IKeyValue, key: string): KubeObject {
  let obj: KubeObject;
  try {
    obj = JSON.parse(kv.value.toString());
  } catch (e) {
    throw new StorageError('InvalidObject', key, `cannot decode ${key}: ${(e as Error).message}`);
  }
  // The parsed object is this call's own: stamp the revision in place rather than copy it
  // (every watch event and every read from etcd comes through here).
  const meta = obj?.metadata as unknown;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return withRV(obj, Number(kv.mod_revision));
  obj.metadata.resourceVersion = String(Number(kv.mod_revision));
  return obj;
}

