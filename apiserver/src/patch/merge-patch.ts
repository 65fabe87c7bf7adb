// JSON Merge Patch (RFC 7386), the `application/merge-patch+json` patch type: objects merge
// recursively, `null` deletes a member, anything else (arrays included) replaces. This is
// what `kubectl label`, `kubectl scale` and `kubectl patch --type=merge` send.

import { PatchError } from './patch-error.ts';
import { cloneJson, getOwn, isObject, setKey, type JsonObject } from './json.ts';

function merge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  const out: JsonObject = {};
  if (isObject(target)) for (const [k, v] of Object.entries(target)) setKey(out, k, cloneJson(v));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else setKey(out, k, merge(getOwn(out, k), v));
  }
  return out;
}

/**
 * Applies an RFC 7386 merge patch and returns a new value; neither input is modified.
 * A patch that is not an object replaces the document, as the RFC says; a `null` patch is
 * refused (PatchError 400 "Invalid JSON Patch", as the apiserver's json-patch library does)
 * because it would delete the whole object.
 */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (patch === null || patch === undefined) throw new PatchError('Invalid JSON Patch', 400);
  return merge(doc, patch);
}
