// One allocation range kept in etcd through the storage layer, as upstream's
// rangeallocation.RangeRegistry: a RangeAllocation object (`range` + bitmap `data`) at
// `<prefix>/ranges/serviceips` or `<prefix>/ranges/servicenodeports`, changed only by
// storage.guaranteedUpdate. So two apiservers (or two requests of one) never hand out the same
// value: each change is a compare-and-swap on the object's revision and is recomputed from the
// fresher bitmap on conflict.
//
// Contract:
// - apply() changes the bitmap atomically: every explicit offset is taken, `takeNext` more are
//   chosen, `free` ones are released, or nothing changes at all.
// - Changes from this process are serialised (one compare-and-swap at a time), so concurrent
//   requests do not make each other retry; other processes may still cause a retry.
// - Until the range object exists (the repair creates it at start-up) nothing can be allocated:
//   apply() throws RangeNotReadyError, as upstream refuses "at this time".

import type { KubeObject } from '@minik8s/shared';
import type { Storage } from '../../storage/interface.ts';
import { isStorageError } from '../../storage/storage-error.ts';
import { AllocationBitmap } from './allocation-bitmap.ts';

export interface RangeChange {
  /** Offsets to allocate; if one is taken already, the whole change is refused. */
  take?: readonly number[];
  /** How many offsets to pick (see AllocationBitmap.allocateNext). */
  takeNext?: number;
  /** Offsets to release; releasing a free offset is a no-op. */
  free?: readonly number[];
}

export type RangeOutcome =
  | { ok: true; taken: number[] }
  | { ok: false; reason: 'Allocated'; offset: number }
  | { ok: false; reason: 'Full' };

export class RangeNotReadyError extends Error {
  constructor(resource: string) {
    super(`cannot allocate resources of type ${resource} at this time`);
  }
}

export interface RangeSnapshot {
  bitmap: AllocationBitmap;
  /** Revision of the stored object; undefined when it does not exist yet. */
  resourceVersion: string | undefined;
  /** The `range` the stored object was written for (undefined when missing). */
  range: string | undefined;
}

export interface RangeRegistryOptions {
  storage: Storage;
  key: string;
  /** e.g. `10.96.0.0/12` or `30000-32767`: written into the object, checked when read. */
  range: string;
  size: number;
  dynamicOffset: number;
  /** Offsets allocateNext never picks (10.96.0.1, the `kubernetes` Service's address). */
  reserved?: readonly number[];
  /** Upstream's resource name in errors: serviceipallocations, servicenodeportallocations. */
  resource: string;
}

const REFUSED = new Error('range change refused');

export class RangeRegistry {
  readonly key: string;
  readonly range: string;
  readonly size: number;
  readonly dynamicOffset: number;
  private readonly storage: Storage;
  private readonly resource: string;
  private readonly reserved: ReadonlySet<number>;
  private tail: Promise<unknown> = Promise.resolve();
  private cached: { object: KubeObject; bitmap: AllocationBitmap } | undefined;
  private cursor: number;

  constructor(opts: RangeRegistryOptions) {
    this.storage = opts.storage;
    this.key = opts.key;
    this.range = opts.range;
    this.size = opts.size;
    this.dynamicOffset = opts.dynamicOffset;
    this.resource = opts.resource;
    this.reserved = new Set(opts.reserved ?? []);
    this.cursor = opts.dynamicOffset;
  }

  /** Applies `change` in one compare-and-swap (see the file comment). */
  apply(change: RangeChange): Promise<RangeOutcome> {
    return this.serialize(async () => {
      let outcome: RangeOutcome = { ok: true, taken: [] };
      let next: AllocationBitmap | undefined;
      try {
        const written = await this.storage.guaranteedUpdate(
          this.key,
          (current) => {
            if (!current) throw new RangeNotReadyError(this.resource);
            next = this.decode(current).clone();
            outcome = applyChange(next, change, this.cursor, this.reserved);
            if (!outcome.ok) throw REFUSED;
            return this.encode(current, next);
          },
          this.cached ? { suggestion: this.cached.object } : {},
        );
        this.cached = { object: written, bitmap: next! };
      } catch (e) {
        if (e === REFUSED) return outcome;
        if (isStorageError(e, 'KeyNotFound')) throw new RangeNotReadyError(this.resource);
        throw e;
      }
      if (outcome.ok && outcome.taken.length) this.cursor = outcome.taken[outcome.taken.length - 1]! + 1;
      return outcome;
    });
  }

  /** The stored bitmap, read from storage now (an empty one when the object does not exist). */
  async read(): Promise<RangeSnapshot> {
    const obj = await this.storage.get(this.key);
    if (!obj) return { bitmap: new AllocationBitmap(this.size, this.dynamicOffset), resourceVersion: undefined, range: undefined };
    return { bitmap: this.decode(obj), resourceVersion: obj.metadata.resourceVersion, range: (obj as RangeObject).range };
  }

  /**
   * Replaces the stored bitmap if the object is still at `resourceVersion` (undefined: if it
   * still does not exist). Resolves false when it changed meanwhile (the caller starts over).
   */
  replace(resourceVersion: string | undefined, bitmap: AllocationBitmap): Promise<boolean> {
    return this.serialize(async () => {
      try {
        const written = await this.storage.guaranteedUpdate(
          this.key,
          (current) => {
            if (current?.metadata.resourceVersion !== resourceVersion) throw REFUSED;
            return this.encode(current ?? { apiVersion: 'v1', kind: 'RangeAllocation', metadata: { name: this.key.split('/').pop()! } }, bitmap);
          },
          { ignoreNotFound: true },
        );
        this.cached = { object: written, bitmap: bitmap.clone() };
        return true;
      } catch (e) {
        if (e === REFUSED) return false;
        throw e;
      }
    });
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private decode(obj: KubeObject): AllocationBitmap {
    if (this.cached && this.cached.object.metadata.resourceVersion === obj.metadata.resourceVersion && obj.metadata.resourceVersion !== undefined) {
      return this.cached.bitmap;
    }
    const r = obj as RangeObject;
    // A snapshot written for another range (the flag changed) is not ours to read: start empty
    // and let the repair rebuild it from the Services.
    if (r.range !== undefined && r.range !== this.range) return new AllocationBitmap(this.size, this.dynamicOffset);
    const data = typeof r.data === 'string' ? Buffer.from(r.data, 'base64') : new Uint8Array();
    return AllocationBitmap.fromSnapshot(this.size, this.dynamicOffset, data);
  }

  private encode(base: KubeObject, bitmap: AllocationBitmap): KubeObject {
    const { resourceVersion: _rv, ...metadata } = base.metadata;
    const out: RangeObject = { apiVersion: 'v1', kind: 'RangeAllocation', metadata, range: this.range, data: Buffer.from(bitmap.snapshot()).toString('base64') };
    return out;
  }
}

interface RangeObject extends KubeObject {
  range?: string;
  data?: string;
}

function applyChange(bitmap: AllocationBitmap, change: RangeChange, cursor: number, reserved: ReadonlySet<number>): RangeOutcome {
  for (const offset of change.take ?? []) {
    if (!bitmap.allocate(offset) && bitmap.has(offset)) return { ok: false, reason: 'Allocated', offset };
  }
  const taken: number[] = [];
  for (let i = 0; i < (change.takeNext ?? 0); i++) {
    const offset = bitmap.allocateNext(taken.length ? taken[taken.length - 1]! + 1 : cursor, reserved);
    if (offset === undefined) return { ok: false, reason: 'Full' };
    taken.push(offset);
  }
  for (const offset of change.free ?? []) bitmap.release(offset);
  return { ok: true, taken };
}
