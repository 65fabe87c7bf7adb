// Field ownership (metadata.managedFields) for server-side apply, in the FieldsV1 format:
//   {"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"api\"}":{".":{},"f:image":{}}}}}}}
// Lists with merge keys are keyed `k:{...}`, sets of scalars `v:<json>`, atomic lists are leaves.
//
// What we do, as upstream's structured-merge-diff in small:
// - every write records which fields its manager set (Update) or applied (Apply);
// - an apply removes the fields its manager applied before and no longer applies, unless
//   another manager also owns them;
// - an apply that changes a field owned by another manager is a 409 Conflict unless force=true,
//   in which case the field moves to the applier.
// Not done: ownership of individual list items by Update managers beyond the item key.

import { StatusError, type KubeObject, type ManagedFieldsEntry } from '@minik8s/shared';

export type FieldsV1 = { [k: string]: FieldsV1 };

/** What the schema says of a path: how to key the items of a list found there. */
export type ListKeysAt = (path: string[]) => { keys?: string[]; set?: boolean } | undefined;

const IGNORED_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'generateName']);

/** The set of leaf fields (and list items) an object sets. */
export function fieldSet(obj: KubeObject, listKeysAt: ListKeysAt, includeStatus = false): FieldsV1 {
  const out: FieldsV1 = {};
  // One path stack for the whole walk: every write computes a field set, so no path is copied
  // but the few handed to listKeysAt.
  const path: string[] = [];
  for (const k of Object.keys(obj)) {
    const v = (obj as Record<string, unknown>)[k];
    if (k === 'apiVersion' || k === 'kind' || (k === 'status' && !includeStatus)) continue;
    if (k === 'metadata') {
      const meta: FieldsV1 = {};
      let any = false;
      path.push('metadata');
      for (const mk of Object.keys(v as Record<string, unknown>)) {
        const mv = (v as Record<string, unknown>)[mk];
        if (IGNORED_METADATA.has(mk) || mv === undefined) continue;
        path.push(mk);
        meta[fieldKey(mk)] = walk(mv, path, listKeysAt, {});
        path.pop();
        any = true;
      }
      path.pop();
      if (any) out['f:metadata'] = meta;
      continue;
    }
    if (v === undefined) continue;
    path.push(k);
    out[fieldKey(k)] = walk(v, path, listKeysAt, {});
    path.pop();
  }
  return out;
}

/**
 * Adds to `out` the field set under `value`, found at `path` (a stack the walk pushes to and
 * pops from), and returns `out`.
 */
function walk(value: unknown, path: string[], listKeysAt: ListKeysAt, out: FieldsV1): FieldsV1 {
  if (value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    const lk = listKeysAt(path.slice());
    if (lk?.keys?.length) {
      path.push('[]');
      for (const item of value) {
        if (item === null || typeof item !== 'object') continue;
        const key: Record<string, unknown> = {};
        for (const k of lk.keys) if ((item as Record<string, unknown>)[k] !== undefined) key[k] = (item as Record<string, unknown>)[k];
        out[`k:${JSON.stringify(key)}`] = walk(item, path, listKeysAt, { '.': {} });
      }
      path.pop();
      return out;
    }
    if (lk?.set) {
      for (const item of value) out[`v:${JSON.stringify(item)}`] = {};
      return out;
    }
    return out; // atomic list: owned as a whole
  }
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    path.push(k);
    out[fieldKey(k)] = walk(v, path, listKeysAt, {});
    path.pop();
  }
  return out;
}

// `f:<name>` for each field name seen, so that every write does not build (and the objects it
// builds do not hash) the same strings again. Field names are mostly the schema's; the map stops
// growing at a bound, for names that are data (labels, ConfigMap keys).
const FIELD_KEYS = new Map<string, string>();
const MAX_FIELD_KEYS = 10_000;

function fieldKey(name: string): string {
  let key = FIELD_KEYS.get(name);
  if (key === undefined) {
    key = `f:${name}`;
    if (FIELD_KEYS.size < MAX_FIELD_KEYS) FIELD_KEYS.set(name, key);
  }
  return key;
}

/** Leaf paths of a field set, each as a list of FieldsV1 keys. */
export function leaves(set: FieldsV1, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, child] of Object.entries(set)) {
    if (k === '.') continue;
    const p = [...prefix, k];
    const sub = Object.keys(child).filter((x) => x !== '.');
    if (sub.length === 0) out.push(p);
    else out.push(...leaves(child, p));
  }
  return out;
}

function has(set: FieldsV1, path: string[]): boolean {
  let cur: FieldsV1 | undefined = set;
  for (const k of path) {
    cur = cur?.[k];
    if (!cur) return false;
  }
  return true;
}

function remove(set: FieldsV1, path: string[]): void {
  const [head, ...rest] = path;
  const child = set[head];
  if (!child) return;
  if (rest.length === 0) {
    delete set[head];
    return;
  }
  remove(child, rest);
  if (Object.keys(child).filter((k) => k !== '.').length === 0 && !('.' in child)) delete set[head];
}

function add(set: FieldsV1, path: string[]): void {
  let cur = set;
  for (const k of path) cur = cur[k] ??= {};
}

/** Reads the value at a FieldsV1 path of an object (undefined when absent). */
export function valueAt(obj: unknown, path: string[]): unknown {
  let cur: unknown = obj;
  for (const k of path) {
    if (cur === null || cur === undefined) return undefined;
    if (k.startsWith('f:')) cur = (cur as Record<string, unknown>)[k.slice(2)];
    else if (k.startsWith('k:')) {
      const key = JSON.parse(k.slice(2)) as Record<string, unknown>;
      cur = Array.isArray(cur) ? cur.find((it) => Object.entries(key).every(([kk, vv]) => JSON.stringify(it?.[kk]) === JSON.stringify(vv))) : undefined;
    } else if (k.startsWith('v:')) {
      const v = k.slice(2);
      cur = Array.isArray(cur) && cur.some((it) => JSON.stringify(it) === v) ? JSON.parse(v) : undefined;
    } else return undefined;
  }
  return cur;
}

/** Deletes the value at a FieldsV1 path from an object (in place). */
export function deleteAt(obj: unknown, path: string[]): void {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  const parent = parentPath.length ? valueAt(obj, parentPath) : obj;
  if (parent === null || typeof parent !== 'object') return;
  if (last.startsWith('f:') && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[last.slice(2)];
  else if ((last.startsWith('k:') || last.startsWith('v:')) && Array.isArray(parent)) {
    const target = valueAt(obj, path);
    const i = parent.indexOf(target);
    if (i >= 0) parent.splice(i, 1);
  }
}

function entryFor(entries: ManagedFieldsEntry[], manager: string, operation: 'Apply' | 'Update', subresource?: string): ManagedFieldsEntry | undefined {
  return entries.find((e) => e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? ''));
}

function fieldsOf(e: ManagedFieldsEntry | undefined): FieldsV1 {
  return structuredClone((e?.fieldsV1 as FieldsV1 | undefined) ?? {});
}

export interface ApplyResult {
  object: KubeObject;
}

/**
 * Server-side apply: `merged` is the live object with the applied configuration merged in
 * (strategic merge). Removes what this manager applied before and no longer does, checks
 * conflicts, and records ownership. Throws a 409 Conflict listing the fields otherwise.
 */
export function serverSideApply(opts: {
  live: KubeObject | undefined;
  applied: KubeObject;
  merged: KubeObject;
  manager: string;
  force: boolean;
  apiVersion: string;
  now: string;
  listKeysAt: ListKeysAt;
}): KubeObject {
  const { live, applied, merged, manager, force, apiVersion, now, listKeysAt } = opts;
  const entries = structuredClone(live?.metadata.managedFields ?? []);
  const mine = entryFor(entries, manager, 'Apply');
  const previous = fieldsOf(mine);
  const next = fieldSet(applied, listKeysAt);

  // Conflicts: a field this apply sets to a new value that another manager owns.
  const conflicts: Array<{ manager: string; path: string[] }> = [];
  for (const path of leaves(next)) {
    const liveValue = live ? valueAt(live, path) : undefined;
    if (liveValue === undefined || JSON.stringify(liveValue) === JSON.stringify(valueAt(applied, path))) continue;
    for (const e of entries) {
      if (e === mine || e.manager === manager) continue;
      if (has(fieldsOf(e), path)) conflicts.push({ manager: e.manager ?? '', path });
    }
  }
  if (conflicts.length && !force) {
    const lines = conflicts.map((c) => `- conflict with "${c.manager}": ${pathString(c.path)}`);
    const msg = conflicts.length === 1
      ? `Apply failed with 1 conflict: conflict with "${conflicts[0].manager}": ${pathString(conflicts[0].path)}`
      : `Apply failed with ${conflicts.length} conflicts: conflicts with ${lines.join('\n')}`;
    throw StatusError.from(409, 'Conflict', msg, {
      causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: pathString(c.path) })),
    });
  }
  // Fields applied before and no longer applied go, unless someone else owns them too.
  const result = structuredClone(merged);
  for (const path of leaves(previous)) {
    if (has(next, path)) continue;
    if (entries.some((e) => e !== mine && has(fieldsOf(e), path))) continue;
    deleteAt(result, path);
  }
  // A forced apply takes the conflicting fields from their owners.
  for (const c of conflicts) {
    for (const e of entries) if (e.manager === c.manager && e.fieldsV1) remove(e.fieldsV1 as FieldsV1, c.path);
  }
  const updated = upsert(entries, { manager, operation: 'Apply', apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: next });
  result.metadata.managedFields = prune(updated);
  return result;
}

/** Records an Update by `manager`: the fields it changed become its own (and no one else's). */
export function recordUpdate(opts: { old: KubeObject | undefined; next: KubeObject; manager: string; apiVersion: string; now: string; listKeysAt: ListKeysAt; subresource?: string }): void {
  const { old, next, manager, apiVersion, now, listKeysAt, subresource } = opts;
  const isStatus = subresource === 'status';
  if (!old) {
    // A create: the creator owns every field it set.
    const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: fieldSet(next, listKeysAt, isStatus) };
    if (subresource) entry.subresource = subresource;
    next.metadata.managedFields = [entry];
    return;
  }
  const entries = structuredClone(old.metadata.managedFields ?? []);
  const after = fieldSet(next, listKeysAt, isStatus);
  const before = fieldSet(old, listKeysAt, isStatus);
  const changed: string[][] = [];
  for (const path of leaves(after)) {
    if (isStatus && path[0] !== 'f:status') continue;
    if (!has(before, path) || JSON.stringify(valueAt(old, path)) !== JSON.stringify(valueAt(next, path))) changed.push(path);
  }
  // Fields that disappeared are owned by no one any more.
  const gone = leaves(before).filter((p) => !has(after, p));
  for (const e of entries) {
    if (!e.fieldsV1) continue;
    for (const p of gone) remove(e.fieldsV1 as FieldsV1, p);
    if (e.manager !== manager) for (const p of changed) remove(e.fieldsV1 as FieldsV1, p);
  }
  if (changed.length) {
    const mine = entryFor(entries, manager, 'Update', subresource);
    const set = fieldsOf(mine);
    for (const p of changed) add(set, p);
    const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: set };
    if (subresource) entry.subresource = subresource;
    next.metadata.managedFields = prune(upsert(entries, entry));
  } else {
    next.metadata.managedFields = prune(entries);
  }
  if (next.metadata.managedFields?.length === 0) delete next.metadata.managedFields;
}

function upsert(entries: ManagedFieldsEntry[], entry: ManagedFieldsEntry): ManagedFieldsEntry[] {
  const i = entries.findIndex((e) => e.manager === entry.manager && e.operation === entry.operation && (e.subresource ?? '') === (entry.subresource ?? ''));
  const out = [...entries];
  if (i >= 0) out[i] = entry;
  else out.push(entry);
  return out;
}

function prune(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  return entries.filter((e) => e.operation === 'Apply' || Object.keys((e.fieldsV1 as FieldsV1 | undefined) ?? {}).length > 0);
}

function pathString(path: string[]): string {
  return path
    .map((k) => (k.startsWith('f:') ? `.${k.slice(2)}` : k.startsWith('k:') ? `[${Object.entries(JSON.parse(k.slice(2))).map(([a, b]) => `${a}=${JSON.stringify(b)}`).join(',')}]` : `[${k.slice(2)}]`))
    .join('');
}

/** The manager name for a write: ?fieldManager=, else the User-Agent's program name, as upstream. */
export function managerName(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  const ua = (userAgent ?? '').split('/')[0].trim();
  return ua || 'unknown';
}
