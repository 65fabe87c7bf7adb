// Semantic equality of API values (apiequality.Semantic.DeepEqual, for JSON data): absent
// fields, undefined and null fields are the same, key order does not matter.

import { canonicalJson } from './hash.ts';

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}
