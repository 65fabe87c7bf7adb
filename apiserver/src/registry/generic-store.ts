// The generic registry store: create, get, list, update, patch, delete and watch for any
// resource, with the resource's behaviour supplied by its Strategy. Every read-modify-write
// goes through storage.guaranteedUpdate (the one place of optimistic concurrency); the
// functions given to it are pure and may run again on a conflict.

import { randomUUID } from 'node:crypto';
import {
  StatusError,
  alreadyExists,
  badRequest,
  conflict,
  expired,
  internalError,
  invalid,
  notFound,
  serviceUnavailable,
  type FieldError,
  type KubeObject,
  type ResourceInfo,
} from '@minik8s/shared';
import type { Storage } from '../storage/interface.ts';
import { StorageError, isStorageError } from '../storage/storage-error.ts';
import { WatchCache, type CacheWatcher } from '../storage/watch-cache.ts';
import { KeyFunc } from './keys.ts';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import type { DeleteRequest, Strategy } from './strategy.ts';
import type { Admission } from '../admission/admission.ts';
import { recordUpdate } from './managed-fields.ts';
import { listKeysFor } from './list-keys.ts';

export interface ListQuery {
  namespace?: string;
  labelSelector?: (labels: Record<string, string> | undefined) => boolean;
  fieldSelector?: (field: (name: string) => string | undefined) => boolean;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WriteOptions {
  dryRun?: boolean;
  /** The field manager of this write; its changed fields are recorded in managedFields. */
  manager?: string;
  /** The write is a server-side apply that recorded ownership itself. */
  apply?: boolean;
}

export interface UpdateResult {
  object: KubeObject;
  created: boolean;
}

export type DeleteOutcome = { object: KubeObject; deleted: boolean };


const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export class GenericStore {
  readonly info: ResourceInfo;
  readonly strategy: Strategy;
  readonly keys: KeyFunc;
  readonly cache: WatchCache;
  private readonly storage: Storage;
  private readonly admission: Admission;
  private readonly now: () => Date;

  constructor(opts: { info: ResourceInfo; strategy: Strategy; storage: Storage; etcdPrefix: string; admission: Admission; now?: () => Date; cacheCapacity?: number; onCacheError?: (e: unknown) => void }) {
    this.info = opts.info;
    this.strategy = opts.strategy;
    this.storage = opts.storage;
    this.admission = opts.admission;
    this.now = opts.now ?? (() => new Date());
    this.keys = new KeyFunc(opts.etcdPrefix, opts.info);
    this.cache = new WatchCache(opts.storage, this.keys.root, {
      ...(opts.cacheCapacity ? { capacity: opts.cacheCapacity } : {}),
      ...(opts.onCacheError ? { onError: opts.onCacheError } : {}),
    });
  }

  private gr() {
    return { group: this.info.group, resource: this.info.resource };
  }

  /** Storage errors -> API Status errors, naming this resource. */
  translate(e: unknown, name: string): unknown {
    if (!isStorageError(e)) return e;
    switch (e.code) {
      case 'KeyNotFound':
        return notFound(this.gr(), name);
      case 'KeyExists':
        return alreadyExists(this.gr(), name);
      case 'Conflict':
        return conflict(this.gr(), name, e.message);
      case 'Expired':
        return expired(e.message.startsWith('too old') ? e.message : `The resourceVersion for the provided list is too old.`);
      case 'Unavailable':
        return serviceUnavailable(e.message);
      default:
        return internalError(e);
    }
  }

  private async guard<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.translate(e, name);
    }
  }

  // ---- reads ----------------------------------------------------------------------------

  async get(namespace: string | undefined, name: string, resourceVersion?: string): Promise<KubeObject> {
    const key = this.keys.object(namespace, name);
    let obj: KubeObject | undefined;
    if (resourceVersion === '0' && this.cache.isReady()) obj = this.cache.get(key);
    else obj = await this.guard(name, () => this.storage.get(key));
    if (!obj) throw notFound(this.gr(), name);
    return obj;
  }

  async list(q: ListQuery): Promise<ListPage> {
    const prefix = this.keys.collection(q.namespace);
    const matches = this.predicate(q);
    const rv = q.resourceVersion;
    const limit = q.limit && q.limit > 0 ? q.limit : 0;
    // resourceVersion=0 (any) or NotOlderThan N without continue: serve from the watch cache.
    const fromCache = !q.continue && rv !== undefined && rv !== '' && q.resourceVersionMatch !== 'Exact' && this.cache.isReady();
    if (fromCache) {
      if (rv !== '0') await this.waitFresh(Number(rv));
      const snap = this.cache.list(prefix);
      // The cache has no history for pagination: a list from it is complete (as upstream for RV=0).
      const items = matches ? snap.items.filter(matches) : snap.items;
      return { items, resourceVersion: String(snap.revision) };
    }
    return this.guard('', () => this.listFromStorage(prefix, matches, limit, q));
  }

  private async waitFresh(rv: number): Promise<void> {
    if (!Number.isFinite(rv) || rv < 0) throw badRequest(`invalid resource version: ${rv}`);
    try {
      await this.cache.waitUntilFresh(rv, 3_000);
    } catch (e) {
      const err = StatusError.from(504, 'Timeout', (e as Error).message, { retryAfterSeconds: 1 });
      throw err;
    }
  }

  private async listFromStorage(prefix: string, matches: ((o: KubeObject) => boolean) | undefined, limit: number, q: ListQuery): Promise<ListPage> {
    let revision = 0;
    let startKey: string | undefined;
    if (q.continue) {
      const tok = decodeContinue(q.continue, this.keys.root);
      if (!tok.start.startsWith(prefix)) throw badRequest('continue key is not valid: it does not belong to this list');
      revision = tok.rv;
      startKey = tok.start;
    } else if (q.resourceVersionMatch === 'Exact' && q.resourceVersion) {
      revision = Number(q.resourceVersion);
    }
    const items: KubeObject[] = [];
    for (;;) {
      const want = limit ? Math.max(limit - items.length, 1) : 0;
      const page = await this.storage.list(prefix, { revision, limit: want, ...(startKey ? { startKey } : {}) }).catch((e) => {
        if (isStorageError(e, 'Expired') && q.continue) {
          throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
        }
        throw e;
      });
      revision = page.revision;
      for (const obj of page.items) if (!matches || matches(obj)) items.push(obj);
      startKey = page.nextKey;
      if (!startKey) return { items, resourceVersion: String(revision) };
      if (limit && items.length >= limit) {
        const out: ListPage = { items, resourceVersion: String(revision), continue: encodeContinue(revision, startKey, this.keys.root) };
        if (!matches && page.remaining !== undefined) out.remainingItemCount = page.remaining;
        return out;
      }
    }
  }

  predicate(q: Pick<ListQuery, 'labelSelector' | 'fieldSelector'>): ((o: KubeObject) => boolean) | undefined {
    const { labelSelector, fieldSelector } = q;
    if (!labelSelector && !fieldSelector) return undefined;
    return (o) =>
      (!labelSelector || labelSelector(o.metadata.labels)) &&
      (!fieldSelector || fieldSelector((f) => this.strategy.fieldValue(o, f)));
  }

  /** A watch served by the cache. Throws 410 Expired when resourceVersion is older than its window. */
  watch(q: ListQuery): CacheWatcher {
    const prefix = this.keys.collection(q.namespace);
    const rv = q.resourceVersion ? Number(q.resourceVersion) : 0;
    if (!Number.isFinite(rv) || rv < 0) throw badRequest(`invalid resource version: ${q.resourceVersion}`);
    const matches = this.predicate(q);
    try {
      return this.cache.watch(rv, { keyPrefix: prefix, ...(matches ? { matches } : {}) });
    } catch (e) {
      throw this.translate(e, '');
    }
  }

  // ---- writes ---------------------------------------------------------------------------

  /** Creates `obj`, which becomes the store's own: callers pass a fresh object and do not reuse it. */
  async create(namespace: string | undefined, obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    this.setNamespace(obj, namespace);
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = generateName(obj.metadata.generateName);
    const name = obj.metadata.name ?? '';
    // Server-owned metadata: whatever the client sent is replaced.
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = rfc3339(this.now());
    delete obj.metadata.resourceVersion;
    delete obj.metadata.deletionTimestamp;
    delete obj.metadata.deletionGracePeriodSeconds;
    this.strategy.prepareForCreate(obj);
    this.strategy.applyDefaults(obj);
    this.check(obj, this.strategy.validate(obj));
    this.recordManager(undefined, obj, opts);
    await this.admission.admit({ operation: 'CREATE', info: this.info, object: obj, namespace });
    if (opts.dryRun) return obj;
    await this.strategy.allocate?.(obj, undefined);
    try {
      return await this.storage.create(this.keys.object(namespace, name), obj);
    } catch (e) {
      await this.strategy.release?.(obj, undefined, 'failed');
      throw this.translate(e, name);
    }
  }

  /**
   * PUT semantics. `transform` maps the incoming object onto the stored one (the main resource
   * takes it whole; /status and /scale take a part). The client's resourceVersion, when given,
   * must match the stored one: a mismatch is a Conflict that is never retried.
   */
  async update(
    namespace: string | undefined,
    name: string,
    compute: (existing: KubeObject | undefined) => KubeObject | Promise<KubeObject>,
    opts: WriteOptions & { subresource?: string; forceAllowCreate?: boolean } = {},
  ): Promise<UpdateResult> {
    const key = this.keys.object(namespace, name);
    let created = false;
    let result: KubeObject;
    let dryRunResult: KubeObject | undefined;
    try {
      result = await this.storage.guaranteedUpdate(
        key,
        async (existing) => {
          created = false;
          const incoming = structuredClone(await compute(existing));
          this.setNamespace(incoming, namespace);
          if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
            throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
          }
          incoming.metadata.name = name;
          if (!existing) {
            if (!(this.strategy.allowCreateOnUpdate || opts.forceAllowCreate) || opts.subresource) throw notFound(this.gr(), name);
            created = true;
            const fresh = await this.prepareCreateOnUpdate(namespace, incoming);
            this.recordManager(undefined, fresh, opts);
            if (opts.dryRun) {
              dryRunResult = fresh;
              throw DRY_RUN;
            }
            await this.strategy.allocate?.(fresh, undefined);
            return fresh;
          }
          const next = this.prepareUpdate(incoming, existing, opts.subresource);
          this.recordManager(existing, next, opts);
          await this.admission.admit({ operation: 'UPDATE', info: this.info, object: next, oldObject: existing, namespace });
          if (opts.dryRun) {
            dryRunResult = { ...next, metadata: { ...next.metadata, resourceVersion: existing.metadata.resourceVersion } };
            throw DRY_RUN;
          }
          if (!opts.subresource) await this.strategy.allocate?.(next, existing);
          return next;
        },
        { ignoreNotFound: true },
      );
    } catch (e) {
      if (e === DRY_RUN && dryRunResult) return { object: dryRunResult, created };
      throw this.translate(e, name);
    }
    // Removing the last finalizer of an object being deleted deletes it.
    if (!created && this.finalized(result)) await this.deleteFinalized(key, name, result);
    return { object: result, created };
  }

  private async prepareCreateOnUpdate(namespace: string | undefined, obj: KubeObject): Promise<KubeObject> {
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = rfc3339(this.now());
    delete obj.metadata.resourceVersion;
    this.strategy.prepareForCreate(obj);
    this.strategy.applyDefaults(obj);
    this.check(obj, this.strategy.validate(obj));
    await this.admission.admit({ operation: 'CREATE', info: this.info, object: obj, namespace });
    return obj;
  }

  private recordManager(old: KubeObject | undefined, next: KubeObject, opts: WriteOptions & { subresource?: string }): void {
    if (opts.apply) return;
    if (old && next.metadata.managedFields === undefined && old.metadata.managedFields) next.metadata.managedFields = old.metadata.managedFields;
    if (!opts.manager) return;
    recordUpdate({
      old,
      next,
      manager: opts.manager,
      apiVersion: this.info.group ? `${this.info.group}/${this.info.version}` : this.info.version,
      now: rfc3339(this.now()),
      listKeysAt: listKeysFor(this.info.group, this.info.version, this.info.kind),
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
    });
  }

  private prepareUpdate(incoming: KubeObject, existing: KubeObject, subresource?: string): KubeObject {
    const name = existing.metadata.name ?? '';
    const rv = incoming.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (!this.strategy.allowUnconditionalUpdate) {
        throw invalid(this.info.kind, this.info.group, name, [
          { type: 'FieldValueInvalid', field: 'metadata.resourceVersion', detail: 'Invalid value: 0x0: must be specified for an update' },
        ]);
      }
    } else if (rv !== existing.metadata.resourceVersion) {
      throw conflict(this.gr(), name);
    }
    if (incoming.metadata.uid && incoming.metadata.uid !== existing.metadata.uid) {
      throw conflict(this.gr(), name, `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${existing.metadata.uid}`);
    }
    const next = incoming;
    // Fields only the server sets are carried over from the stored object.
    next.metadata.uid = existing.metadata.uid;
    next.metadata.creationTimestamp = existing.metadata.creationTimestamp;
    next.metadata.resourceVersion = existing.metadata.resourceVersion;
    if (existing.metadata.deletionTimestamp) {
      next.metadata.deletionTimestamp = existing.metadata.deletionTimestamp;
      if (existing.metadata.deletionGracePeriodSeconds !== undefined) next.metadata.deletionGracePeriodSeconds = existing.metadata.deletionGracePeriodSeconds;
    } else {
      delete next.metadata.deletionTimestamp;
      delete next.metadata.deletionGracePeriodSeconds;
    }
    if (subresource === 'status') {
      // /status changes only status (and nothing of spec or metadata but what the server keeps).
      const out: KubeObject = { ...structuredClone(existing), status: next.status };
      if (next.status === undefined) delete out.status;
      out.metadata.resourceVersion = existing.metadata.resourceVersion;
      this.check(out, this.strategy.validateStatusUpdate(out, existing));
      return out;
    }
    this.strategy.prepareForUpdate(next, existing);
    this.strategy.applyDefaults(next);
    this.check(next, this.strategy.validateUpdate(next, existing));
    return next;
  }

  /**
   * A read-modify-write that bypasses the strategy: for subresources whose rules are their own
   * (pods/binding, namespaces/finalize). `fn` is pure and may run again on a conflict.
   */
  async guaranteedUpdateRaw(namespace: string | undefined, name: string, fn: (existing: KubeObject) => KubeObject): Promise<KubeObject> {
    const key = this.keys.object(namespace, name);
    const result = await this.guard(name, () =>
      this.storage.guaranteedUpdate(key, (cur) => {
        if (!cur) throw notFound(this.gr(), name);
        return fn(structuredClone(cur));
      }),
    );
    if (this.finalized(result)) await this.deleteFinalized(key, name, result);
    return result;
  }

  /** An object being deleted whose grace period is over and whose finalizers are all gone goes now. */
  private finalized(obj: KubeObject): boolean {
    const m = obj.metadata;
    return !!m.deletionTimestamp && (m.deletionGracePeriodSeconds ?? 0) === 0 && !this.strategy.hasPendingFinalizers(obj);
  }

  /** The object's last finalizer is gone: delete it (unless it changed meanwhile) and release what it held. */
  private async deleteFinalized(key: string, name: string, obj: KubeObject): Promise<void> {
    try {
      const deleted = await this.storage.delete(key, { preconditions: { resourceVersion: obj.metadata.resourceVersion! } });
      await this.strategy.release?.(deleted, undefined, 'deleted');
    } catch (e) {
      if (!isStorageError(e, 'KeyNotFound') && !isStorageError(e, 'Conflict')) throw this.translate(e, name);
    }
  }

  async delete(namespace: string | undefined, name: string, req: DeleteRequest & { preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: boolean } = {}): Promise<DeleteOutcome> {
    const key = this.keys.object(namespace, name);
    return this.guard(name, async () => {
      const current = await this.storage.get(key);
      if (!current) throw notFound(this.gr(), name);
      if (req.preconditions?.uid && req.preconditions.uid !== current.metadata.uid) {
        throw conflict(this.gr(), name, `Precondition failed: UID in precondition: ${req.preconditions.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (req.preconditions?.resourceVersion && req.preconditions.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(this.gr(), name, `Precondition failed: ResourceVersion in precondition: ${req.preconditions.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
      }
      await this.admission.admit({ operation: 'DELETE', info: this.info, object: current, namespace });
      if (req.dryRun) return { object: current, deleted: false };
      const grace = this.strategy.gracePeriodSeconds ? this.strategy.gracePeriodSeconds(current, req) : 0;
      const finalizers = finalizersFor(current, req);
      if (grace > 0 || finalizers.length > 0 || this.strategy.hasPendingFinalizers(current)) {
        return this.markDeleting(key, name, grace, finalizers);
      }
      const deleted = await this.storage.delete(key, { preconditions: { uid: current.metadata.uid! } });
      await this.strategy.release?.(deleted, undefined, 'deleted');
      return { object: deleted, deleted: true };
    });
  }

  /** Graceful deletion / finalizers: set deletionTimestamp; the object goes when they are done. */
  private async markDeleting(key: string, name: string, grace: number, finalizers: string[]): Promise<DeleteOutcome> {
    const now = this.now();
    let goesNow = false;
    const obj = await this.storage.guaranteedUpdate(key, (cur) => {
      if (!cur) throw notFound(this.gr(), name);
      const next = structuredClone(cur);
      const meta = next.metadata;
      const merged = [...new Set([...(meta.finalizers ?? []), ...finalizers])];
      if (merged.length) meta.finalizers = merged;
      if (!meta.deletionTimestamp) {
        meta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
        meta.deletionGracePeriodSeconds = grace;
        this.strategy.beforeDelete?.(next);
      } else if (meta.deletionGracePeriodSeconds !== undefined && grace < meta.deletionGracePeriodSeconds) {
        // A second delete may only shorten the grace period.
        meta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
        meta.deletionGracePeriodSeconds = grace;
      }
      goesNow = meta.deletionGracePeriodSeconds === 0 && !this.strategy.hasPendingFinalizers(next);
      return next;
    });
    if (goesNow) {
      const deleted = await this.storage.delete(key, { preconditions: { uid: obj.metadata.uid! } }).catch((e) => {
        if (isStorageError(e, 'KeyNotFound')) return undefined;
        throw e;
      });
      if (deleted) await this.strategy.release?.(deleted, undefined, 'deleted');
      return { object: deleted ?? obj, deleted: true };
    }
    return { object: obj, deleted: false };
  }

  async deleteCollection(q: ListQuery, req: DeleteRequest & { dryRun?: boolean }): Promise<KubeObject[]> {
    const page = await this.list({ ...q, limit: 0, continue: undefined, resourceVersion: undefined });
    const out: KubeObject[] = [];
    for (const item of page.items) {
      try {
        const r = await this.delete(item.metadata.namespace, item.metadata.name!, req);
        out.push(r.object);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
    return out;
  }

  // ---- helpers --------------------------------------------------------------------------

  private setNamespace(obj: KubeObject, namespace: string | undefined): void {
    if (!this.info.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = namespace;
  }

  private check(obj: KubeObject, errs: FieldError[]): void {
    if (errs.length) throw invalid(this.info.kind, this.info.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  }
}

const DRY_RUN = new Error('dry run');


/** The finalizers a delete adds: orphan / foregroundDeletion, as the propagation policy asks. */
function finalizersFor(obj: KubeObject, req: DeleteRequest): string[] {
  const existing = obj.metadata.finalizers ?? [];
  const policy = req.propagationPolicy ?? (req.orphanDependents === true ? 'Orphan' : undefined);
  const add: string[] = [];
  if (policy === 'Orphan') add.push('orphan');
  if (policy === 'Foreground') add.push('foregroundDeletion');
  return [...existing, ...add.filter((f) => !existing.includes(f))];
}

export function generateName(base: string): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)];
  return base.slice(0, 63 - 5) + s;
}

let lastSecond = NaN;
let lastText = '';

/** RFC 3339 with second precision, as metav1.Time serializes. */
export function rfc3339(d: Date): string {
  // Every write stamps one or two times, mostly within the same second: format each second once.
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}

export { StorageError };
