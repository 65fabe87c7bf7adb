// Matching nodes against nodeSelector and node affinity (upstream component-helpers
// nodeaffinity): NodeSelectorTerms are ORed, the requirements of one term are ANDed, an empty
// term matches nothing, and a term that cannot be parsed (an unknown operator, Gt with a
// non-integer, In without values) matches nothing either, as upstream's lazy-error selector.

import { LabelSelector, newLabelRequirement, type SelectorOperator } from '@minik8s/shared';
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from '../../types.ts';

const OPERATORS: Record<string, SelectorOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

/** A compiled NodeSelectorTerm: label requirements and metadata.name requirements. */
export interface CompiledTerm {
  /** Undefined when the term is invalid or empty: it matches no node. */
  labels: LabelSelector | undefined;
  fields: { operator: 'In' | 'NotIn'; value: string }[];
  valid: boolean;
}

export function compileTerm(term: NodeSelectorTerm): CompiledTerm {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return { labels: undefined, fields: [], valid: false };
  try {
    const reqs = exprs.map((e: NodeSelectorRequirement) => {
      const op = OPERATORS[e.operator];
      if (!op) throw new Error(`${e.operator} is not a valid node selector operator`);
      return newLabelRequirement(e.key, op, e.values ?? []);
    });
    const fieldReqs = fields.map((f) => {
      // Only metadata.name is a node field, with exactly one value (nodeSelectorRequirementsAsFieldSelector).
      if (f.key !== 'metadata.name') throw new Error(`${f.key} is not a valid node field selector key`);
      if ((f.operator !== 'In' && f.operator !== 'NotIn') || (f.values ?? []).length !== 1) throw new Error('invalid node field selector');
      return { operator: f.operator as 'In' | 'NotIn', value: f.values![0] };
    });
    return { labels: LabelSelector.of(reqs), fields: fieldReqs, valid: true };
  } catch {
    return { labels: undefined, fields: [], valid: false };
  }
}

export function termMatches(t: CompiledTerm, node: Node): boolean {
  if (!t.valid || !t.labels) return false;
  if (!t.labels.matches(node.metadata.labels)) return false;
  const name = node.metadata.name ?? '';
  for (const f of t.fields) {
    if (f.operator === 'In' ? name !== f.value : name === f.value) return false;
  }
  return true;
}

/** The pod's hard node constraints: nodeSelector AND (any required affinity term). */
export interface RequiredNodeAffinity {
  nodeSelector: Record<string, string> | undefined;
  /** Undefined when the pod has no required node affinity. */
  terms: CompiledTerm[] | undefined;
}

const requiredCache = new WeakMap<Pod, RequiredNodeAffinity>();

export function requiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  let r = requiredCache.get(pod);
  if (!r) {
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    r = {
      nodeSelector: pod.spec?.nodeSelector && Object.keys(pod.spec.nodeSelector).length ? pod.spec.nodeSelector : undefined,
      terms: required ? (required.nodeSelectorTerms ?? []).map(compileTerm) : undefined,
    };
    requiredCache.set(pod, r);
  }
  return r;
}

export function matchesRequiredNodeAffinity(r: RequiredNodeAffinity, node: Node): boolean {
  if (r.nodeSelector) {
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of Object.entries(r.nodeSelector)) {
      if (!Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== v) return false;
    }
  }
  if (r.terms) {
    for (const t of r.terms) if (termMatches(t, node)) return true;
    return false;
  }
  return true;
}

export interface CompiledPreferredTerm {
  weight: number;
  term: CompiledTerm;
}

export function compilePreferredTerms(terms: readonly PreferredSchedulingTerm[] | undefined): CompiledPreferredTerm[] {
  return (terms ?? []).filter((t) => t.weight !== 0).map((t) => ({ weight: t.weight, term: compileTerm(t.preference ?? {}) }));
}
