// How the items of each list of a kind are identified, read from its OpenAPI schema: the
// list-map keys (x-kubernetes-list-map-keys, else the strategic-merge key), or a set.

import { resolveRef, schemaForKind } from '../openapi/index.ts';
import type { ListKeysAt } from './managed-fields.ts';

type Schema = Record<string, any>;

function deref(s: Schema | undefined): Schema | undefined {
  let cur = s;
  for (let i = 0; cur && i < 10; i++) {
    if (cur.$ref) cur = resolveRef(cur.$ref) as Schema;
    else if (Array.isArray(cur.allOf) && cur.allOf.length === 1 && !cur.properties) cur = cur.allOf[0];
    else break;
  }
  return cur;
}

const cache = new Map<string, ListKeysAt>();

export function listKeysFor(group: string, version: string, kind: string): ListKeysAt {
  const id = `${group}/${version}/${kind}`;
  let fn = cache.get(id);
  if (fn) return fn;
  const root = schemaForKind(group, version, kind) as Schema | undefined;
  const memo = new Map<string, ReturnType<ListKeysAt>>();
  fn = (path) => {
    const key = path.join('.');
    if (memo.has(key)) return memo.get(key);
    let node = deref(root);
    // The schema node of the list itself: keep the un-dereferenced one too, since the list
    // extensions sit beside the $ref/allOf of the property.
    let raw: Schema | undefined = node;
    for (const p of path) {
      if (!node) break;
      raw = p === '[]' ? node.items : (node.properties?.[p] ?? node.additionalProperties);
      node = deref(raw);
    }
    let out: ReturnType<ListKeysAt>;
    const ext = (n: Schema | undefined, k: string) => n?.[k] ?? (n?.allOf ?? []).map((x: Schema) => x[k]).find((x: unknown) => x !== undefined);
    if (raw || node) {
      const listType = ext(raw, 'x-kubernetes-list-type') ?? ext(node, 'x-kubernetes-list-type');
      const mapKeys = ext(raw, 'x-kubernetes-list-map-keys') ?? ext(node, 'x-kubernetes-list-map-keys');
      const mergeKey = ext(raw, 'x-kubernetes-patch-merge-key') ?? ext(node, 'x-kubernetes-patch-merge-key');
      if (listType === 'map' && Array.isArray(mapKeys)) out = { keys: mapKeys };
      else if (mergeKey) out = { keys: [mergeKey] };
      else if (listType === 'set') out = { set: true };
    }
    memo.set(key, out);
    return out;
  };
  cache.set(id, fn);
  return fn;
}
