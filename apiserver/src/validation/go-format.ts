// Go's %#v text for the few composite values whose rendering users see in kubectl's error
// messages (template labels, selectors, IntOrString, service ports). Go sorts map keys and
// separates elements with ", ".

import { goValue, quote } from './field-error.ts';
import type { GoValue } from './field-error.ts';

export function goStringMap(m: unknown): GoValue {
  if (m === null || m === undefined || typeof m !== 'object') return goValue('map[string]string(nil)');
  const entries = Object.keys(m as object)
    .sort()
    .map((k) => `${quote(k)}:${quote(String((m as Record<string, unknown>)[k]))}`);
  return goValue(`map[string]string{${entries.join(', ')}}`);
}

export function goStringSliceText(a: unknown): string {
  if (!Array.isArray(a)) return '[]string(nil)';
  return `[]string{${a.map((x) => quote(String(x))).join(', ')}}`;
}

export function goStringSlice(a: unknown): GoValue {
  return goValue(goStringSliceText(a));
}

/** metav1.LabelSelector, dereferenced as field.Error does with pointers. */
export function goLabelSelector(sel: unknown): GoValue {
  if (sel === null || sel === undefined || typeof sel !== 'object') return goValue('null');
  const s = sel as { matchLabels?: unknown; matchExpressions?: unknown };
  const exprs = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions
        .map((e: { key?: string; operator?: string; values?: unknown }) =>
          `v1.LabelSelectorRequirement{Key:${quote(e?.key ?? '')}, Operator:${quote(e?.operator ?? '')}, Values:${goStringSliceText(e?.values)}}`,
        )
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return goValue(`v1.LabelSelector{MatchLabels:${goStringMap(s.matchLabels).goRepr}, MatchExpressions:${exprs}}`);
}

/** intstr.IntOrString: Type 0 is an int, 1 a string. */
export function goIntOrStringText(v: unknown): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${quote(v)}}`;
  const n = typeof v === 'number' ? v : 0;
  return `intstr.IntOrString{Type:0, IntVal:${n}, StrVal:""}`;
}

export function goIntOrString(v: unknown): GoValue {
  return goValue(goIntOrStringText(v));
}
