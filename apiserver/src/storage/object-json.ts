// The JSON text of stored objects, computed once per object.
//
// Objects that storage hands out (what a write returns, what the watch cache holds) are never
// changed afterwards, so their JSON can be remembered beside them: the create answer, every
// watch event and every list item of one object then share one string. A new object's JSON is
// even had for free: the text written to etcd is the object without resourceVersion, and the
// answer is that text with the revision inserted at the end of its metadata.

import type { KubeObject } from '@minik8s/shared';

const texts = new WeakMap<KubeObject, string>();

/** JSON.stringify(obj), when it was remembered. */
export function knownJson(obj: KubeObject): string | undefined {
  return texts.get(obj);
}

/** Records that `json` is JSON.stringify(obj). obj must never change afterwards. */
export function rememberJson(obj: KubeObject, json: string): void {
  texts.set(obj, json);
}

/** An object with metadata.resourceVersion set to rv (a copy of the object and of its metadata). */
export function withResourceVersion(obj: KubeObject, rv: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
}

/** JSON.stringify(obj), and the offset just past its top-level metadata object (-1 when there is none). */
export interface ObjectJson {
  text: string;
  metadataEnd: number;
}

/**
 * JSON.stringify(obj), built member by member (the same members in the same order, each
 * stringified the same way) so that where the metadata object ends is known.
 */
export function stringifyObject(obj: KubeObject): ObjectJson {
  let text = '{';
  let metadataEnd = -1;
  for (const k of Object.keys(obj)) {
    const member = JSON.stringify((obj as Record<string, unknown>)[k]) as string | undefined;
    if (member === undefined) continue; // undefined, functions and symbols are left out, as JSON.stringify does
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(k)}:${member}`;
    if (k === 'metadata' && member.charCodeAt(0) === OPEN_BRACE) metadataEnd = text.length;
  }
  return { text: `${text}}`, metadataEnd };
}

const OPEN_BRACE = 0x7b;

/**
 * JSON.stringify(withResourceVersion(obj, rv)), given stringifyObject(obj) of an object whose
 * metadata has no resourceVersion member (so the copy has it last); undefined without metadata.
 */
export function insertResourceVersion(json: ObjectJson, rv: number): string | undefined {
  if (json.metadataEnd < 0) return undefined;
  const close = json.metadataEnd - 1; // the metadata object's closing brace
  const sep = json.text.charCodeAt(close - 1) === OPEN_BRACE ? '' : ','; // only `{}` has a brace before its last one
  return `${json.text.slice(0, close)}${sep}"resourceVersion":"${rv}"${json.text.slice(close)}`;
}

/**
 * Whether `value` is plain JSON data: what JSON.parse(JSON.stringify(value)) gives back equal
 * in every way (no undefined members or holes, no -0, NaN or Infinity, no Dates, Buffers,
 * class instances, functions or symbols). Far cheaper than that round trip.
 */
export function isPlainJson(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i])) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      // for-in (twice as fast as Object.keys here) sees the own enumerable keys, and inherited
      // ones only if Object.prototype was given some: checking those too errs on the safe side.
      for (const k in value) if (!isPlainJson((value as Record<string, unknown>)[k])) return false;
      return true;
    }
    default:
      return false;
  }
}
