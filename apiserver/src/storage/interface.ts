// The narrow, revision-based storage interface (kine's four transaction shapes plus reads and
// watch). Everything above it (the watch cache, the registry) is storage-agnostic; one
// conformance suite (apiserver/test/storage/conformance.ts) runs against each implementation.
//
// Contract:
// - Objects are stored without metadata.resourceVersion; every object handed out carries
//   resourceVersion = the revision at which it was last modified (etcd's mod_revision).
// - A list's revision is the store revision it was read at.
// - Errors are StorageError values; the registry translates them into API Status errors.

import type { KubeObject } from '@minik8s/shared';

export type StorageEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StorageEvent {
  type: StorageEventType;
  key: string;
  /** The object after the change; for DELETED, the last state before deletion. */
  object: KubeObject;
  /** For MODIFIED and DELETED: the state before the change. */
  prevObject?: KubeObject;
  /** The revision of this change (for DELETED, the revision of the deletion). */
  revision: number;
}

export interface ListOptions {
  /** Read at this revision (0 or absent: the latest). Older than compaction -> Expired. */
  revision?: number;
  /** Return at most this many keys (before any filtering by the caller). */
  limit?: number;
  /** Start at this key (inclusive); must lie under the prefix. */
  startKey?: string;
}

export interface ListResult {
  items: KubeObject[];
  keys: string[];
  revision: number;
  /** Set when limit cut the result: the next key to continue from. */
  nextKey?: string;
  /** How many keys remain after this page (when known). */
  remaining?: number;
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

/**
 * Computes the next state from the current one. Pure: it may be called again with a fresher
 * `current` after a conflict. Throwing aborts the update with that error (e.g. a Conflict when
 * the caller's resourceVersion does not match, which must not be retried).
 */
export type TryUpdate = (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>;

export interface GuaranteedUpdateOptions {
  /** When the key is missing: call tryUpdate(undefined) and create (else NotFound). */
  ignoreNotFound?: boolean;
  preconditions?: Preconditions;
  /** An object the caller already holds (from a cache): used for the first attempt only. */
  suggestion?: KubeObject;
}

export interface DeleteOptions {
  preconditions?: Preconditions;
  /** Called with the current object before deleting; throwing aborts the delete. */
  validateDeletion?: (current: KubeObject) => void | Promise<void>;
}

export interface WatchHandle {
  /** Stop the watch; the iterator ends. */
  stop(): void;
}

export interface StorageWatcher extends AsyncIterable<StorageEvent>, WatchHandle {}

export interface Storage {
  get(key: string): Promise<KubeObject | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  create(key: string, obj: KubeObject): Promise<KubeObject>;
  guaranteedUpdate(key: string, tryUpdate: TryUpdate, opts?: GuaranteedUpdateOptions): Promise<KubeObject>;
  delete(key: string, opts?: DeleteOptions): Promise<KubeObject>;
  /** Events under prefix with revision > fromRevision, in order; ends with an error when that is compacted. */
  watch(prefix: string, fromRevision: number): StorageWatcher;
  currentRevision(): Promise<number>;
  /** True while the backing store answers. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
