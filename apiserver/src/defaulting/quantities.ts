// The apiserver stores and returns quantities in canonical form (`0.5` -> `500m`,
// `1024Mi` -> `1Gi`, a JSON number 1 -> "1"), because resource.Quantity re-serializes what it
// parsed. Text that does not parse is left alone for validation to report.

import { canonicalQuantity, isQuantity } from '../validation/quantity.ts';

export function canonicalizeResourceList(list: unknown): void {
  if (!list || typeof list !== 'object' || Array.isArray(list)) return;
  const l = list as Record<string, unknown>;
  for (const [k, v] of Object.entries(l)) if (isQuantity(v)) l[k] = canonicalQuantity(v as string | number);
}

export function canonicalizeQuantityField(obj: Record<string, unknown> | undefined, field: string): void {
  if (obj && isQuantity(obj[field])) obj[field] = canonicalQuantity(obj[field] as string | number);
}
