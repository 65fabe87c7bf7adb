// The writes this apiserver has in flight, so that the watch event echoing one back reuses the
// object written instead of parsing etcd's copy of it (on a create-heavy load that parse was
// the largest single cost of a write after the etcd call itself).
//
// Contract:
// - expect() is called before the write is sent, with the exact bytes written; the event may
//   arrive before or after the write's answer.
// - An event reuses the written object only when its value is byte for byte what was written,
//   and the object is plain JSON data (isPlainJson): the reused object is then equal in every
//   way to what parsing the value would give. Anything else is parsed as before.
// - The write's answer and its watch event get the same object (resultOf), which is never
//   changed afterwards: the watch cache and the answer share it, and its JSON.
// - Only writes under a prefix being watched are expected (nothing else would take them back).
//   Entries whose event never comes (a failed write is forgotten; a watch that broke leaves
//   some behind) are bounded in number and in bytes: the oldest go first.

import type { KubeObject } from '@minik8s/shared';
import { insertResourceVersion, isPlainJson, rememberJson, withResourceVersion, type ObjectJson } from './object-json.ts';

export interface OwnWrite {
  readonly value: Buffer;
  readonly object: KubeObject;
  /** stringifyObject(object), when object.metadata has no resourceVersion member. */
  readonly json: ObjectJson | undefined;
  /** The object as written at its revision, shared by the write's answer and its watch event. */
  result?: KubeObject;
}

export class OwnWrites {
  private readonly pending = new Map<string, OwnWrite>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private bytes = 0;
  /** Prefixes watched right now, with how many watches each. */
  private readonly watched = new Map<string, number>();

  constructor(opts: { maxEntries?: number; maxBytes?: number } = {}) {
    this.maxEntries = opts.maxEntries ?? 1024;
    this.maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  }

  get size(): number {
    return this.pending.size;
  }

  /** A watch of `prefix` started; returns what to call when it ends. */
  watching(prefix: string): () => void {
    this.watched.set(prefix, (this.watched.get(prefix) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.watched.get(prefix) ?? 1) - 1;
      if (n > 0) this.watched.set(prefix, n);
      else this.watched.delete(prefix);
    };
  }

  /** A write of `value` (the encoding of `object`) to `key` is about to be sent. */
  expect(key: string, value: Buffer, object: KubeObject, json?: ObjectJson): OwnWrite | undefined {
    if (!this.isWatched(key) || !isPlainJson(object)) return undefined;
    const w: OwnWrite = { value, object, json };
    this.remove(key); // re-inserted last: the oldest entry is always first
    this.pending.set(key, w);
    this.bytes += value.length;
    while (this.pending.size > this.maxEntries || this.bytes > this.maxBytes) this.remove(this.pending.keys().next().value!);
    return w;
  }

  /** The write did not land (or its outcome is unknown): no event will match it. */
  forget(key: string, w: OwnWrite | undefined): void {
    if (w && this.pending.get(key) === w) this.remove(key);
  }

  /** The object for a watch event of `key` at `revision` with `value`, when it is a write of ours. */
  take(key: string, value: Buffer, revision: number): KubeObject | undefined {
    const w = this.pending.get(key);
    if (w === undefined || !w.value.equals(value)) return undefined;
    this.remove(key);
    return this.resultOf(w, revision);
  }

  private remove(key: string): void {
    const w = this.pending.get(key);
    if (w === undefined) return;
    this.pending.delete(key);
    this.bytes -= w.value.length;
  }

  private isWatched(key: string): boolean {
    for (const prefix of this.watched.keys()) if (key.startsWith(prefix)) return true;
    return false;
  }

  /** The written object at `revision` (one object per write, whichever of answer and event asks first). */
  resultOf(w: OwnWrite, revision: number): KubeObject {
    const rv = String(revision);
    if (w.result?.metadata.resourceVersion === rv) return w.result;
    const result = withResourceVersion(w.object, revision);
    const json = w.json && insertResourceVersion(w.json, revision);
    if (json !== undefined) rememberJson(result, json);
    w.result = result;
    return result;
  }
}
