// JSON Patch (RFC 6902), the `application/json-patch+json` patch type: an ordered list of
// add / remove / replace / move / copy / test operations addressed by JSON Pointers (RFC 6901).
// The operations apply in order to a private copy of the document; the first one that
// cannot apply aborts the whole patch. Messages follow github.com/evanphx/json-patch, the
// library the real apiserver uses, so clients see familiar texts.

import { PatchError } from './patch-error.ts';
import { cloneJson, hasOwn, isObject, jsonEqual, setKey, type JsonObject } from './json.ts';

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/** Splits a JSON Pointer into unescaped tokens (`~1` is `/`, `~0` is `~`); `""` is the root. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`JSON pointer must be empty or start with a "/": ${JSON.stringify(pointer)}`, 422);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Builds a JSON Pointer from raw tokens. */
export function formatJsonPointer(tokens: readonly string[]): string {
  return tokens.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

type Container = JsonObject | unknown[];

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

/** The container holding the last token, or undefined when some step of the way is missing. */
function parentOf(root: unknown, tokens: readonly string[]): Container | undefined {
  let cur: unknown = root;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t);
      cur = i !== undefined && i < cur.length ? cur[i] : undefined;
    } else if (isObject(cur)) {
      cur = hasOwn(cur, t) ? cur[t] : undefined;
    } else {
      return undefined;
    }
  }
  return isContainer(cur) ? cur : undefined;
}

/** RFC 6901 array index: `0` or digits without a leading zero. */
function arrayIndex(token: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : undefined;
}

const MISSING = Symbol('missing');

function getAt(root: unknown, tokens: readonly string[]): unknown {
  if (tokens.length === 0) return root;
  const parent = parentOf(root, tokens);
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const i = arrayIndex(key);
    return i !== undefined && i < parent.length ? parent[i] : MISSING;
  }
  if (parent && hasOwn(parent, key)) return (parent as JsonObject)[key];
  return MISSING;
}

/** Index for an operation on an existing array element; `-` or out of range is an error. */
function existingIndex(arr: unknown[], key: string, op: string, path: string): number {
  const i = arrayIndex(key);
  if (i === undefined) throw new PatchError(`error in ${op} for path: '${path}': value was not a proper array index: '${key}'`, 422);
  if (i >= arr.length) throw new PatchError(`error in ${op} for path: '${path}': Unable to access invalid index: ${i}: invalid index referenced`, 422);
  return i;
}

/** RFC 6902 add; returns the new root (add at `""` replaces the whole document). */
function add(root: unknown, path: string, value: unknown, op = 'add'): unknown {
  const tokens = parseJsonPointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(root, tokens);
  if (!parent) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`, 422);
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    if (key === '-') {
      parent.push(value);
      return root;
    }
    const i = arrayIndex(key);
    if (i === undefined) throw new PatchError(`error in ${op} for path: '${path}': value was not a proper array index: '${key}'`, 422);
    if (i > parent.length) throw new PatchError(`error in ${op} for path: '${path}': Unable to access invalid index: ${i}: invalid index referenced`, 422);
    parent.splice(i, 0, value);
  } else {
    setKey(parent, key, value);
  }
  return root;
}

/** RFC 6902 remove; returns the removed value. */
function remove(root: unknown, path: string, op = 'remove'): unknown {
  const tokens = parseJsonPointer(path);
  if (tokens.length === 0) throw new PatchError(`error in ${op} for path: '${path}': cannot remove the whole document`, 422);
  const parent = parentOf(root, tokens);
  if (!parent) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`, 422);
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) return parent.splice(existingIndex(parent, key, op, path), 1)[0];
  if (!hasOwn(parent, key)) throw new PatchError(`error in ${op} for path: '${path}': Unable to remove nonexistent key: ${key}: missing value`, 422);
  const old = parent[key];
  delete parent[key];
  return old;
}

function replace(root: unknown, path: string, value: unknown): unknown {
  const tokens = parseJsonPointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(root, tokens);
  if (!parent) throw new PatchError(`replace operation does not apply: doc is missing path: ${path}: missing value`, 422);
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    parent[existingIndex(parent, key, 'replace', path)] = value;
  } else {
    if (!hasOwn(parent, key)) throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`, 422);
    setKey(parent, key, value);
  }
  return root;
}

function requireString(op: JsonObject, field: 'path' | 'from', kind: string): string {
  const v = op[field];
  if (typeof v !== 'string') {
    throw new PatchError(field === 'path' ? 'operation missing path field: missing value' : `${kind} operation, missing from field: missing value`, 422);
  }
  return v;
}

function requireValue(op: JsonObject): unknown {
  if (!hasOwn(op, 'value')) throw new PatchError('operation, missing value field: missing value', 422);
  return cloneJson(op.value);
}

/**
 * Applies RFC 6902 operations to a copy of `doc` and returns it; `doc` and `ops` are not
 * modified. Throws PatchError: 400 when `ops` is not a list of operation objects, 422 when an
 * operation cannot apply (missing path, bad index, failed `test`, unknown `op`).
 */
export function applyJsonPatch(doc: unknown, ops: readonly unknown[]): unknown {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array of operations', 400);
  let root = cloneJson(doc);
  for (const raw of ops) {
    if (!isObject(raw)) throw new PatchError(`json patch operation must be an object, got ${JSON.stringify(raw)}`, 400);
    const kind = typeof raw.op === 'string' ? raw.op : 'unknown';
    switch (kind) {
      case 'add':
        root = add(root, requireString(raw, 'path', kind), requireValue(raw));
        break;
      case 'remove':
        remove(root, requireString(raw, 'path', kind));
        break;
      case 'replace':
        root = replace(root, requireString(raw, 'path', kind), requireValue(raw));
        break;
      case 'move': {
        const from = requireString(raw, 'from', kind);
        const path = requireString(raw, 'path', kind);
        if (from === path) {
          if (getAt(root, parseJsonPointer(from)) === MISSING) throw new PatchError(`move operation does not apply: doc is missing from path: ${from}: missing value`, 422);
          break;
        }
        // RFC 6902 4.4: a location cannot be moved into one of its children.
        if (path.startsWith(`${from}/`)) throw new PatchError(`move operation does not apply: from path ${from} is a prefix of path ${path}`, 422);
        if (getAt(root, parseJsonPointer(from)) === MISSING) throw new PatchError(`move operation does not apply: doc is missing from path: ${from}: missing value`, 422);
        const value = remove(root, from, 'move');
        root = add(root, path, value, 'move');
        break;
      }
      case 'copy': {
        const from = requireString(raw, 'from', kind);
        const path = requireString(raw, 'path', kind);
        const value = getAt(root, parseJsonPointer(from));
        if (value === MISSING) throw new PatchError(`copy operation does not apply: doc is missing from path: ${from}: missing value`, 422);
        root = add(root, path, cloneJson(value), 'copy');
        break;
      }
      case 'test': {
        const path = requireString(raw, 'path', kind);
        const want = requireValue(raw);
        const have = getAt(root, parseJsonPointer(path));
        if (have === MISSING) throw new PatchError(`test operation does not apply: is missing path: ${path}: missing value`, 422);
        if (!jsonEqual(have, want)) throw new PatchError(`testing value ${path} failed: test failed`, 422);
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${kind}`, 422);
    }
  }
  return root;
}
