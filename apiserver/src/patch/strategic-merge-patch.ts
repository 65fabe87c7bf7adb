// Strategic merge patch, the `application/strategic-merge-patch+json` patch type that
// `kubectl apply` (client side), `kubectl edit` and `kubectl patch` send. It is a JSON merge
// patch that knows, from the schema, how each list merges (upstream
// k8s.io/apimachinery/pkg/util/strategicpatch, StrategicMergeMapPatch):
//
// - a list whose field says `x-kubernetes-patch-strategy: merge` and
//   `x-kubernetes-patch-merge-key: <k>` merges item by item on `k` (containers by name, ports
//   by containerPort...); a merge list of primitives is a set union; every other list is
//   replaced whole;
// - maps merge recursively, `null` deletes a key, strategy `replace` replaces a map whole;
// - directives: `$patch: replace|delete` in a map or as a list item (`{name: x, $patch: delete}`
//   removes the item with that key), `$setElementOrder/<list>` fixes the final order,
//   `$retainKeys: [...]` drops the keys of the live map that are not listed,
//   `$deleteFromPrimitiveList/<list>: [...]` removes values from a merge list of primitives.
//
// Directives never reach the result. Inputs are never modified: the merge works on copies.

import { PatchError } from './patch-error.ts';
import { cloneJson, getOwn, goFormat, hasOwn, isObject, jsonEqual, setKey, type JsonObject } from './json.ts';
import { PatchMetaLookup, type ResolveRef } from './patch-meta.ts';
import { indexOfItem, noMergeKeyError, normalizeElementOrder, partitionByPresence } from './list-order.ts';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

const ERR_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const ERR_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';

type Schema = Record<string, unknown> | undefined;

/** Marks a patch value that stands for "no value" (a map or item carrying `$patch: delete`). */
const DROP = Symbol('drop');

function isDirectiveKey(key: string): boolean {
  return key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST);
}

/** `$setElementOrder/containers` -> `containers` (upstream extractKey). */
function directiveTarget(key: string, prefix: string, error: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw new PatchError(error, 400);
  return key.slice(slash + 1);
}

/** Value kinds as Go's reflect.TypeOf tells them apart in a decoded JSON document. */
function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  return typeof v === 'object' ? 'map' : typeof v;
}

/** The common kind of the items of some lists (upstream sliceElementType); undefined if all empty. */
function elementKind(...lists: (readonly unknown[])[]): string | undefined {
  let kind: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const k = kindOf(item);
      if (k === 'slice') throw new PatchError('lists of lists are not supported', 422);
      if (kind === undefined) kind = k;
      else if (kind !== k) throw new PatchError(`list element types are not identical: ${goFormat(lists)}`, 422);
    }
  }
  return kind;
}

class StrategicMerger {
  readonly lookup: PatchMetaLookup;

  constructor(resolve: ResolveRef) {
    this.lookup = new PatchMetaLookup(resolve);
  }

  /**
   * A patch value placed where the live object has nothing to merge with (a new key, or a
   * value of another type): its directives are applied against nothing and removed, and its
   * nulls dropped. Returns DROP for a map that says `$patch: delete`.
   */
  strip(value: unknown): unknown {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const item of value) {
        // Items carrying `$patch` (delete of an absent item, a replace marker) vanish.
        if (isObject(item) && hasOwn(item, DIRECTIVE)) continue;
        out.push(this.strip(item));
      }
      return out;
    }
    if (!isObject(value)) return value;
    if (hasOwn(value, DIRECTIVE)) {
      const d = value[DIRECTIVE];
      if (d === 'delete') return DROP;
      if (d !== 'replace' && d !== 'merge') throw new PatchError(`unknown patch type: ${goFormat(d)} in map: ${goFormat(value)}`, 400);
    }
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null || isDirectiveKey(k)) continue;
      const s = this.strip(v);
      if (s !== DROP) setKey(out, k, s);
    }
    return out;
  }

  /** Merges `patch` into `original`; both are private copies and may be changed. */
  mergeMap(original: JsonObject, patch: JsonObject, schema: Schema): JsonObject {
    if (hasOwn(patch, DIRECTIVE)) {
      const d = patch[DIRECTIVE];
      delete patch[DIRECTIVE];
      if (d === 'replace') return this.strip(patch) as JsonObject;
      if (d === 'delete') return {};
      // `merge` is the default behaviour; upstream rejects it in maps, we accept it as a no-op.
      if (d !== 'merge') throw new PatchError(`unknown patch type: ${goFormat(d)} in map: ${goFormat({ ...patch, [DIRECTIVE]: d })}`, 400);
    }

    this.applyRetainKeys(original, patch);
    this.applySetElementOrder(original, patch, schema);

    const deletions: Array<[string, unknown]> = [];
    for (const [k, patchV] of Object.entries(patch)) {
      if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        deletions.push([directiveTarget(k, DELETE_FROM_PRIMITIVE_LIST, ERR_PRIMITIVE_LIST), patchV]);
        continue;
      }
      if (patchV === null) {
        delete original[k];
        continue;
      }
      const origV = getOwn(original, k);
      const origKind = kindOf(origV);
      if (origV === undefined || origKind !== kindOf(patchV)) {
        const s = this.strip(patchV);
        if (s === DROP) delete original[k];
        else setKey(original, k, s);
        continue;
      }
      if (origKind === 'map') {
        const { meta, schema: sub } = this.lookup.forMap(schema, k);
        const merged = meta.strategy === 'replace' ? this.strip(patchV) : this.mergeMap(origV as JsonObject, patchV as JsonObject, sub);
        if (merged === DROP) delete original[k];
        else setKey(original, k, merged);
      } else if (origKind === 'slice') {
        const { meta, items } = this.lookup.forList(schema, k);
        setKey(
          original,
          k,
          meta.strategy === 'merge' ? this.mergeList(origV as unknown[], patchV as unknown[], items, meta.mergeKey) : this.strip(patchV),
        );
      } else {
        setKey(original, k, patchV);
      }
    }

    // Deletions from primitive lists run last, after the same list got its additions.
    for (const [k, values] of deletions) {
      if (!Array.isArray(values) || values.some((v) => kindOf(v) === 'map' || kindOf(v) === 'slice')) throw new PatchError(ERR_PRIMITIVE_LIST, 400);
      const current = getOwn(original, k);
      if (!Array.isArray(current)) continue;
      setKey(
        original,
        k,
        current.filter((item) => !values.some((v) => jsonEqual(v, item))),
      );
    }
    return original;
  }

  /**
   * `$retainKeys: [a, b]`: every key of the patch must be listed (else 400), and keys of the
   * live map that are not listed are cleared. Used for fields such as volume sources or a
   * Deployment's strategy, where setting one member must remove its siblings.
   */
  applyRetainKeys(original: JsonObject, patch: JsonObject): void {
    if (!hasOwn(patch, RETAIN_KEYS)) return;
    const list = patch[RETAIN_KEYS];
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(list)) throw new PatchError(ERR_RETAIN_KEYS, 400);
    const keep = new Set(list.filter((x): x is string => typeof x === 'string'));
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
      if (!keep.has(k)) throw new PatchError(ERR_RETAIN_KEYS, 400);
    }
    for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
  }

  /**
   * `$setElementOrder/<list>`: merges the patch's list (if any) into the live list, then puts
   * the items named in the directive in its order, keeping server-only items where the live
   * list had them (upstream mergePatchIntoOriginal). The list key is then removed from the
   * patch so the main loop does not merge it twice.
   */
  applySetElementOrder(original: JsonObject, patch: JsonObject, schema: Schema): void {
    for (const key of Object.keys(patch)) {
      if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
      const order = patch[key];
      delete patch[key];
      if (!Array.isArray(order)) throw new PatchError(ERR_SET_ELEMENT_ORDER, 400);
      const target = directiveTarget(key, SET_ELEMENT_ORDER, ERR_SET_ELEMENT_ORDER);

      const origRaw = getOwn(original, target);
      const origList = Array.isArray(origRaw) ? origRaw : undefined;
      const patchRaw = getOwn(patch, target);
      if (patchRaw !== undefined && !Array.isArray(patchRaw)) throw new PatchError(ERR_SET_ELEMENT_ORDER, 400);
      const patchList = patchRaw as unknown[] | undefined;
      const { meta, items } = this.lookup.forList(schema, target);
      checkPatchMatchesOrder(patchList ?? [], order, meta.mergeKey);

      let merged: unknown[];
      let reference: unknown[] = origList ?? [];
      if (origList && patchList) {
        if (meta.strategy === 'merge') ({ merged, reference } = this.mergeListWithReference(origList, patchList, items, meta.mergeKey));
        else merged = this.strip(patchList) as unknown[];
      } else if (origList) {
        merged = origList;
      } else if (patchList) {
        merged = this.strip(patchList) as unknown[];
      } else {
        continue;
      }
      elementKind(origList ?? [], patchList ?? []);
      const { present, absent } = partitionByPresence(merged, order, meta.mergeKey);
      setKey(original, target, normalizeElementOrder(present, absent, order, reference, meta.mergeKey));
      delete patch[target];
    }
  }

  /** Merges a list with strategy `merge` (upstream mergeSlice). */
  mergeList(original: unknown[], patch: unknown[], items: Schema, mergeKey: string): unknown[] {
    return this.mergeListWithReference(original, patch, items, mergeKey).merged;
  }

  /**
   * mergeList, also returning the live-order reference a `$setElementOrder` on the same list
   * must use. Upstream deletes and appends items in the live list's own backing array, so
   * after a `$patch: delete` the "live order" it later consults is the first N entries of
   * (remaining items ++ appended new items), N being the live list's length. Its tests (and
   * so kubectl's expectations) encode that order, e.g. live [1,2,4], order [2,3], patch
   * [3, {1: delete}] gives [2,4,3]; we reproduce it.
   */
  mergeListWithReference(original: unknown[], patch: unknown[], items: Schema, mergeKey: string): { merged: unknown[]; reference: unknown[] } {
    if (original.length === 0 && patch.length === 0) return { merged: original, reference: original };
    const kind = elementKind(original, patch);
    if (kind !== 'map') {
      // A set of primitives: the union, each value once, compared by value.
      const union: unknown[] = [];
      for (const v of [...original, ...patch]) if (!union.some((m) => jsonEqual(m, v))) union.push(v);
      const { present, absent } = partitionByPresence(union, patch, '');
      return { merged: normalizeElementOrder(present, absent, patch, original, ''), reference: original };
    }
    if (mergeKey === '') throw new PatchError(`cannot merge lists without merge key for ${this.lookup.name(items)}`, 422);
    const live = original;
    const directives = this.applyListDirectives(original, patch as JsonObject[], mergeKey);
    const unordered = this.mergeItems(directives.original, directives.patch as JsonObject[], items, mergeKey);
    const { present, absent } = partitionByPresence(unordered, directives.patch, mergeKey);
    const merged = normalizeElementOrder(present, absent, directives.patch, directives.original, mergeKey);
    const deleted = !directives.replaced && directives.original.length < live.length;
    return { merged, reference: deleted ? unordered.slice(0, live.length) : live };
  }

  /**
   * List items carrying `$patch` (upstream mergeSliceWithSpecialElements): `delete` removes every
   * live item with the same merge key; `replace` makes the other patch items the whole list.
   */
  applyListDirectives(original: unknown[], patch: JsonObject[], mergeKey: string): { original: unknown[]; patch: unknown[]; replaced: boolean } {
    const plain: JsonObject[] = [];
    let replace = false;
    for (const item of patch) {
      if (!hasOwn(item, DIRECTIVE)) {
        plain.push(item);
        continue;
      }
      const d = item[DIRECTIVE];
      if (d === 'delete') {
        if (!hasOwn(item, mergeKey)) throw noMergeKeyError(item, mergeKey, 400);
        original = original.filter((o) => !(isObject(o) && hasOwn(o, mergeKey) && jsonEqual(o[mergeKey], item[mergeKey])));
      } else if (d === 'replace') {
        replace = true;
      } else if (d === 'merge') {
        throw new PatchError('merging lists cannot yet be specified in the patch', 400);
      } else {
        throw new PatchError(`unknown patch type: ${goFormat(d)} in map: ${goFormat(item)}`, 400);
      }
    }
    if (replace) return { original: plain.map((p) => this.strip(p)), patch: [], replaced: true };
    return { original, patch: plain, replaced: false };
  }

  /** Merges each patch item into the live item with the same key, or appends it. */
  mergeItems(original: unknown[], patch: JsonObject[], items: Schema, mergeKey: string): unknown[] {
    const out = [...original];
    for (const item of patch) {
      if (!hasOwn(item, mergeKey)) throw noMergeKeyError(item, mergeKey, 400);
      const i = indexOfItem(out, item, mergeKey);
      if (i >= 0) {
        if (!isObject(out[i])) throw new PatchError(`value for key ${i} is not a map`, 422);
        out[i] = this.mergeMap(out[i] as JsonObject, item, items);
      } else {
        out.push(this.strip(item));
      }
    }
    return out;
  }
}

/**
 * The items of the patch list (without `$patch: delete` ones) must appear in the
 * `$setElementOrder` list in the same relative order (upstream validatePatchWithSetOrderList).
 */
function checkPatchMatchesOrder(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string): void {
  if (patchList.length === 0 || order.length === 0) return;
  const items = mergeKey === '' ? patchList : patchList.filter((x) => !(isObject(x) && x[DIRECTIVE] === 'delete'));
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isObject(item) && hasOwn(item, DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKey !== '') {
      if (!isObject(item) || !hasOwn(item, mergeKey)) throw noMergeKeyError(item, mergeKey, 400);
      const ord = order[o];
      if (!isObject(ord) || !hasOwn(ord, mergeKey)) throw noMergeKeyError(ord, mergeKey, 400);
      if (jsonEqual(item[mergeKey], ord[mergeKey])) p++;
    } else if (jsonEqual(item, order[o])) {
      p++;
    }
    o++;
  }
  if (p < items.length) {
    throw new PatchError(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}\n`, 400);
  }
}

/**
 * Applies a strategic merge patch to `doc` and returns the result as a new object; `doc` and
 * `patch` are not modified.
 *
 * `schema` is the OpenAPI v3 schema of the document's kind (`components.schemas[...]`), whose
 * `$ref`s (also as `allOf: [{$ref}]`) `resolve` looks up. Without a schema (an unknown kind)
 * the patch behaves as a JSON merge patch (maps merge, lists replace) that still honours and
 * removes the directives.
 *
 * Throws PatchError (400 malformed patch, 422 cannot apply to this document) for a bad patch,
 * and a plain Error for a broken schema (a server bug: 500).
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, schema: object | undefined, resolve: ResolveRef): unknown {
  if (!isObject(patch)) throw new PatchError('invalid JSON document', 400);
  const merger = new StrategicMerger(resolve);
  const original = isObject(doc) ? cloneJson(doc) : {};
  return merger.mergeMap(original, cloneJson(patch), merger.lookup.deref(schema));
}
