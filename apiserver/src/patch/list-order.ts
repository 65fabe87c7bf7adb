// Ordering of merged lists in strategic merge patch (upstream normalizeElementOrder and
// mergeSortedSlice; see the design note "preserve order in strategic merge patch").
//
// After a merge, a list holds items named by the patch (or by `$setElementOrder`) and items
// only the server had. The patch items take the patch's order, the server-only items keep
// their live order, and the two runs are interleaved using the live list as the reference:
// a server-only item goes before the next patch item only when both are in the live list
// and it came first there. So `$setElementOrder` > order in the patch > order in the live list.

import { goFormat, isObject, jsonEqual, type JsonObject } from './json.ts';
import { PatchError } from './patch-error.ts';

/** What an item is compared by: its merge key value for objects, itself for primitives. */
function identity(item: unknown, mergeKey: string): unknown {
  if (mergeKey === '') return item;
  return isObject(item) ? item[mergeKey] : undefined;
}

/** Position of `item` in `list` by identity, or -1. */
export function indexOfItem(list: readonly unknown[], item: unknown, mergeKey: string): number {
  const id = identity(item, mergeKey);
  if (id === undefined) return -1;
  return list.findIndex((x) => jsonEqual(identity(x, mergeKey), id));
}

/** upstream ErrNoMergeKey */
export function noMergeKeyError(item: unknown, mergeKey: string, code: 400 | 422): PatchError {
  return new PatchError(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`, code);
}

/** Sorts `toSort` by position in `order` (stable; items absent from `order` go last). */
function sortByOrder(toSort: unknown[], order: readonly unknown[], mergeKey: string): unknown[] {
  const isMapList = mergeKey !== '';
  let rest = toSort;
  let toDelete: unknown[] = [];
  if (isMapList) {
    for (const item of [...toSort, ...order]) {
      if (!isObject(item) || !Object.prototype.hasOwnProperty.call(item, mergeKey)) throw noMergeKeyError(item, mergeKey, 400);
    }
    // `$patch: delete` items (only present when patches are merged together) stay at the end.
    rest = toSort.filter((x) => (x as JsonObject).$patch !== 'delete');
    toDelete = toSort.filter((x) => (x as JsonObject).$patch === 'delete');
  }
  const pos = (x: unknown): number => {
    const i = indexOfItem(order, x, mergeKey);
    return i < 0 ? Number.POSITIVE_INFINITY : i;
  };
  const sorted = rest
    .map((item, i) => ({ item, i, p: pos(item) }))
    .sort((a, b) => (a.p === b.p ? a.i - b.i : a.p < b.p ? -1 : 1))
    .map((x) => x.item);
  return [...sorted, ...toDelete];
}

/**
 * Interleaves two already sorted runs (upstream mergeSortedSlice): `left` are server-only
 * items, `right` patch items. A left item is taken first only if both are found in
 * `serverOrder` and it comes earlier there.
 */
function mergeSorted(left: unknown[], right: unknown[], serverOrder: readonly unknown[], mergeKey: string): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexOfItem(serverOrder, left[i], mergeKey);
      const ri = indexOfItem(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * Orders a merged list: `patchItems` by `patchOrder`, `serverOnly` by `serverOrder` (the live
 * list), then interleaves them (upstream normalizeElementOrder).
 */
export function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
): unknown[] {
  const p = sortByOrder(patchItems, patchOrder, mergeKey);
  const s = sortByOrder(serverOnly, serverOrder, mergeKey);
  return mergeSorted(s, p, serverOrder, mergeKey);
}

/** Splits `merged` into the items present in `by` (by identity) and the others. */
export function partitionByPresence(merged: readonly unknown[], by: readonly unknown[], mergeKey: string): { present: unknown[]; absent: unknown[] } {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const item of merged) {
    if (mergeKey !== '' && (!isObject(item) || !Object.prototype.hasOwnProperty.call(item, mergeKey))) throw noMergeKeyError(item, mergeKey, 422);
    (indexOfItem(by, item, mergeKey) >= 0 ? present : absent).push(item);
  }
  return { present, absent };
}
