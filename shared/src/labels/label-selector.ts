// metav1.LabelSelector (the API object in Deployment.spec.selector, Service-less workloads,
// PodAffinity...) to a LabelSelector, as upstream metav1.LabelSelectorAsSelector.

import { LabelSelector, LabelSelectorError, goQuote, newLabelRequirement, type LabelRequirement, type SelectorOperator } from './selector.ts';

export interface MetaLabelSelectorRequirement {
  key: string;
  operator: string; // In | NotIn | Exists | DoesNotExist
  values?: string[] | null;
}

/** The metav1.LabelSelector API shape. */
export interface MetaLabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: MetaLabelSelectorRequirement[] | null;
}

const OPERATORS: Readonly<Record<string, SelectorOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * Converts the API object to a selector. The contract is upstream's and matters:
 * - `null`/`undefined` selects NOTHING (e.g. a PodDisruptionBudget without a selector);
 * - `{}` (no matchLabels, no matchExpressions) selects EVERYTHING;
 * - otherwise the AND of every matchLabels pair (as `key=value`) and every expression.
 * Throws LabelSelectorError for an unknown operator or an invalid key, value or value count.
 */
export function selectorFromLabelSelector(ls: MetaLabelSelector | null | undefined): LabelSelector {
  if (ls === null || ls === undefined) return LabelSelector.nothing();
  const labels = Object.entries(ls.matchLabels ?? {});
  const expressions = ls.matchExpressions ?? [];
  if (labels.length + expressions.length === 0) return LabelSelector.everything();
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of labels) requirements.push(newLabelRequirement(key, '=', [value]));
  for (const expr of expressions) {
    const op = Object.prototype.hasOwnProperty.call(OPERATORS, expr.operator) ? OPERATORS[expr.operator] : undefined;
    if (!op) throw new LabelSelectorError(`${goQuote(String(expr.operator))} is not a valid label selector operator`);
    requirements.push(newLabelRequirement(expr.key, op, expr.values ?? []));
  }
  return LabelSelector.of(requirements);
}
