// Cell formatting helpers shared by the printers, each the counterpart of an upstream helper.

import { LabelSelectorError, selectorFromLabelSelector, type MetaLabelSelector } from '@minik8s/shared';

/** labels.FormatLabels: `k=v` pairs sorted as strings and joined by `,`; `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
  pairs.sort();
  return pairs.length === 0 ? '<none>' : pairs.join(',');
}

/**
 * metav1.LabelSelectorAsSelector(...).String(): `app=web,tier in (a,b)`; `` for a null or
 * empty selector; undefined when the selector is invalid (callers choose the marker).
 */
export function labelSelectorString(selector: MetaLabelSelector | null | undefined): string | undefined {
  try {
    return selectorFromLabelSelector(selector).toString();
  } catch (e) {
    if (e instanceof LabelSelectorError) return undefined;
    throw e;
  }
}

/** metav1.FormatLabelSelector: the selector string, `<none>` when it is empty, `<error>` when invalid. */
export function formatLabelSelector(selector: MetaLabelSelector | null | undefined): string {
  const s = labelSelectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

interface Container {
  name?: string;
  image?: string;
}

/** layoutContainerCells: container names and images, each joined by `,` (no spaces). */
export function layoutContainerCells(containers: Container[] | null | undefined): { names: string; images: string } {
  const list = containers ?? [];
  return { names: list.map((c) => c.name ?? '').join(','), images: list.map((c) => c.image ?? '').join(',') };
}

/** listWithMoreString: at most `max` items shown, then ` + N more...`; `<unset>` when nothing. */
export function listWithMore(items: string[], max = 3): string {
  const shown = items.slice(0, max).join(',');
  if (items.length > max) return `${shown} + ${items.length - max} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** The pointer-to-bool cells upstream prints with printBoolPtr: `True`, `False` or `<unset>`. */
export function printBoolPtr(value: unknown): string {
  if (typeof value !== 'boolean') return '<unset>';
  return value ? 'True' : 'False';
}

/** A non-negative integer field as an int64 cell; absent (Go's zero value) is 0. */
export function int(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
