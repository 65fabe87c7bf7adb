// Which nodes a DaemonSet runs on (upstream NodeShouldRunDaemonPod and its predicates): the
// ones its pod template's nodeName, nodeSelector and required node affinity select, and whose
// NoSchedule/NoExecute taints the template tolerates together with the tolerations every
// daemon pod gets (daemonPodTolerations below).
//
// Two answers per node:
//  - shouldRun: a daemon pod should be created there if none runs;
//  - shouldContinueRunning: a daemon pod already there may stay. A node tainted NoSchedule
//    after the pod started keeps it; an untolerated NoExecute taint does not.

import type { KubeObject } from '@minik8s/shared';
import { selectorFromSet } from '@minik8s/shared';
import type { Taint, Toleration } from '../../util/taints.ts';
import {
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
  toleratesTaint,
} from '../../util/taints.ts';

/** core/v1 NodeSelectorRequirement. */
export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface NodeSelector {
  nodeSelectorTerms?: NodeSelectorTerm[];
}

/**
 * The tolerations upstream adds to every daemon pod (AddOrUpdateDaemonPodTolerations): daemons
 * survive taint-based eviction (not-ready / unreachable NoExecute, forever) and run on nodes
 * under pressure or cordoned. network-unavailable only for host-network pods.
 */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const exists = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });
  const out = [
    exists(TAINT_NODE_NOT_READY, 'NoExecute'),
    exists(TAINT_NODE_UNREACHABLE, 'NoExecute'),
    exists(TAINT_NODE_DISK_PRESSURE, 'NoSchedule'),
    exists(TAINT_NODE_MEMORY_PRESSURE, 'NoSchedule'),
    exists(TAINT_NODE_PID_PRESSURE, 'NoSchedule'),
    exists(TAINT_NODE_UNSCHEDULABLE, 'NoSchedule'),
  ];
  if (hostNetwork) out.push(exists(TAINT_NODE_NETWORK_UNAVAILABLE, 'NoSchedule'));
  return out;
}

/** Same key, operator, value and effect (upstream Toleration.MatchToleration). */
function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator ?? 'Equal') === (b.operator ?? 'Equal') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
}

/**
 * `tolerations` with the daemon tolerations added; one the user wrote with the same key,
 * operator, value and effect is replaced (so `tolerationSeconds` goes away), as upstream's
 * AddOrUpdateTolerationInPodSpec.
 */
export function withDaemonPodTolerations(tolerations: Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(tolerations ?? [])];
  for (const t of daemonPodTolerations(hostNetwork)) {
    const i = out.findIndex((x) => sameToleration(x, t));
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  return out;
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?[0-9]+$/.test(value) || !/^-?[0-9]+$/.test(values[0]!)) return false;
      const a = BigInt(value);
      const b = BigInt(values[0]!);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A term with neither expressions nor fields selects nothing (upstream nodeaffinity). */
function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const e of exprs) if (!requirementMatches(e, Object.hasOwn(labels, e.key) ? labels[e.key] : undefined)) return false;
  for (const f of fields) {
    // metadata.name is the only node field a selector may use.
    if (f.key !== 'metadata.name' || (f.operator !== 'In' && f.operator !== 'NotIn')) return false;
    if (!requirementMatches(f, node.metadata.name)) return false;
  }
  return true;
}

/** The terms are ORed; no terms select no node. */
export function nodeSelectorMatches(selector: NodeSelector, node: KubeObject): boolean {
  return (selector.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

/** spec.nodeSelector and the required node affinity of a pod spec both accept the node. */
export function podFitsNodeAffinity(podSpec: any, node: KubeObject): boolean {
  const nodeSelector = podSpec?.nodeSelector as Record<string, string> | undefined;
  if (nodeSelector && Object.keys(nodeSelector).length > 0 && !selectorFromSet(nodeSelector).matches(node.metadata.labels)) return false;
  const required = podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution as NodeSelector | undefined;
  return required ? nodeSelectorMatches(required, node) : true;
}

/** The first taint with one of `effects` that no toleration tolerates. */
export function findUntoleratedTaint(taints: Taint[], tolerations: Toleration[], effects: string[]): Taint | undefined {
  return taints.find((taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)));
}

export interface ShouldRun {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

/** Upstream NodeShouldRunDaemonPod, for `ds` (a DaemonSet) and `node`. */
export function nodeShouldRunDaemonPod(node: KubeObject, ds: KubeObject): ShouldRun {
  const spec = ds.spec?.template?.spec ?? {};
  const nodeName = node.metadata.name!;
  if (spec.nodeName && spec.nodeName !== nodeName) return { shouldRun: false, shouldContinueRunning: false };
  if (!podFitsNodeAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = (node.spec?.taints ?? []) as Taint[];
  const tolerations = withDaemonPodTolerations(spec.tolerations, spec.hostNetwork === true);
  if (findUntoleratedTaint(taints, tolerations, ['NoSchedule', 'NoExecute'])) {
    // A pod already there survives taints that only keep new pods away.
    return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, tolerations, ['NoExecute']) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
