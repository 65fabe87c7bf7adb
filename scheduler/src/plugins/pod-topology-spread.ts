// PodTopologySpread: keeps matching pods spread over topology domains (nodes, zones).
//
// - Filter enforces the pod's DoNotSchedule constraints: with the pod placed in a node's
//   domain, (matching pods there + 1 if the pod matches itself) - (the fewest matching pods in
//   any eligible domain, or 0 while there are fewer domains than minDomains) must not exceed
//   maxSkew. A node missing a constraint's topology label is rejected outright.
// - Score follows the pod's ScheduleAnyway constraints, or, when the pod has none, the system
//   defaults (maxSkew 3 over kubernetes.io/hostname, 5 over topology.kubernetes.io/zone) for
//   the pods of the same Service/ReplicaSet/StatefulSet: that is what spreads a ReplicaSet's
//   replicas over nodes without any configuration. Fewer matching pods in a domain = higher.
// Only nodes that pass the pod's nodeSelector/required affinity count as domains
// (nodeAffinityPolicy Honor, the default); taints count only with nodeTaintsPolicy Honor.

import type { LabelSelector } from '@minik8s/shared';
import { newLabelRequirement, selectorFromLabelSelector } from '@minik8s/shared';
import type { ClusterEventWithHint } from '../framework/cluster-event.ts';
import { ActionType } from '../framework/cluster-event.ts';
import type { CycleState } from '../framework/cycle-state.ts';
import type { EnqueueExtensions, FilterPlugin, Handle, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interfaces.ts';
import { MAX_NODE_SCORE } from '../framework/interfaces.ts';
import type { NodeInfo, PodInfo } from '../framework/node-info.ts';
import type { Status } from '../framework/status.ts';
import { newStatus } from '../framework/status.ts';
import type { Node, Pod, TopologySpreadConstraint } from '../types.ts';
import { defaultSelector } from './helpers/default-selector.ts';
import type { RequiredNodeAffinity } from './helpers/node-selector.ts';
import { matchesRequiredNodeAffinity, requiredNodeAffinity } from './helpers/node-selector.ts';
import { doNotScheduleTaint, findMatchingUntoleratedTaint } from './helpers/taints.ts';
import { PodTopologySpread as NAME } from './names.ts';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

/** upstream's system default constraints (all ScheduleAnyway: they only score). */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = [
  { maxSkew: 3, topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway' },
  { maxSkew: 5, topologyKey: LABEL_TOPOLOGY_ZONE, whenUnsatisfiable: 'ScheduleAnyway' },
];

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

interface PreFilterState {
  constraints: Constraint[];
  /** Per constraint: topology value -> matching pods. */
  tpValueToMatchNum: Map<string, number>[];
}

interface PreScoreState {
  constraints: Constraint[];
  ignoredNodes: Set<string>;
  /** Per constraint (except hostname ones, counted per node in Score): topology value -> matching pods. */
  tpValueToPodCounts: Map<string, number>[];
  tpNormalizingWeight: number[];
}

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

function hasLabel(node: Node, key: string): boolean {
  const labels = node.metadata.labels;
  return labels !== undefined && Object.prototype.hasOwnProperty.call(labels, key);
}

function nodeLabelsMatchSpreadConstraints(node: Node, constraints: readonly Constraint[]): boolean {
  return constraints.every((c) => hasLabel(node, c.topologyKey));
}

function matchNodeInclusionPolicies(c: Constraint, pod: Pod, node: Node, required: RequiredNodeAffinity): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !matchesRequiredNodeAffinity(required, node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && findMatchingUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, doNotScheduleTaint)) return false;
  return true;
}

/** Matching pods of the namespace on one node; terminating pods do not count. */
export function countPodsMatchSelector(pods: readonly PodInfo[], selector: LabelSelector, namespace: string | undefined): number {
  if (selector.matchesNothing()) return 0;
  let n = 0;
  for (const { pod } of pods) {
    if (pod.metadata.deletionTimestamp || pod.metadata.namespace !== namespace) continue;
    if (selector.matches(pod.metadata.labels)) n++;
  }
  return n;
}

/** log(size + 2): counts in domains of small topologies weigh as much as in big ones. */
export function topologyNormalizingWeight(size: number): number {
  return Math.log(size + 2);
}

export function scoreForCount(cnt: number, maxSkew: number, weight: number): number {
  return cnt * weight + (maxSkew - 1);
}

export class PodTopologySpreadPlugin implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly handle: Handle;

  constructor(handle: Handle) {
    this.handle = handle;
  }

  /** The pod's constraints of one kind, with their selectors (plus matchLabelKeys) built. */
  private constraintsOf(pod: Pod, action: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
    const own = pod.spec?.topologySpreadConstraints ?? [];
    if (own.length > 0) {
      const labels = pod.metadata.labels ?? {};
      return own
        .filter((c) => c.whenUnsatisfiable === action)
        .map((c) => {
          let selector = selectorFromLabelSelector(c.labelSelector ?? null);
          const keys = (c.matchLabelKeys ?? []).filter((k) => Object.prototype.hasOwnProperty.call(labels, k));
          if (keys.length) selector = selector.add(...keys.map((k) => newLabelRequirement(k, 'in', [labels[k]])));
          return {
            maxSkew: c.maxSkew,
            topologyKey: c.topologyKey,
            selector,
            minDomains: c.minDomains ?? 1,
            nodeAffinityPolicy: c.nodeAffinityPolicy ?? 'Honor',
            nodeTaintsPolicy: c.nodeTaintsPolicy ?? 'Ignore',
          };
        });
    }
    if (action !== 'ScheduleAnyway') return [];
    const selector = defaultSelector(pod, this.handle.listers);
    if (selector.empty()) return [];
    return SYSTEM_DEFAULT_CONSTRAINTS.map((c) => ({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: 1,
      nodeAffinityPolicy: 'Honor' as const,
      nodeTaintsPolicy: 'Ignore' as const,
    }));
  }

  preFilter(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status | undefined {
    const constraints = this.constraintsOf(pod, 'DoNotSchedule');
    if (constraints.length === 0) return newStatus('Skip');
    const required = requiredNodeAffinity(pod);
    const s: PreFilterState = { constraints, tpValueToMatchNum: constraints.map(() => new Map()) };
    for (const ni of nodes) {
      const node = ni.node;
      if (!node || !nodeLabelsMatchSpreadConstraints(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!matchNodeInclusionPolicies(c, pod, node, required)) return;
        const value = node.metadata.labels![c.topologyKey];
        const m = s.tpValueToMatchNum[i];
        m.set(value, (m.get(value) ?? 0) + countPodsMatchSelector(ni.pods, c.selector, pod.metadata.namespace));
      });
    }
    state.write(PRE_FILTER_KEY, s);
    return undefined;
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    const node = nodeInfo.node;
    if (!node) return newStatus('Error', 'node not found');
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      if (!hasLabel(node, c.topologyKey)) return newStatus('UnschedulableAndUnresolvable', ERR_REASON_NODE_LABEL_NOT_MATCH);
      const counts = s.tpValueToMatchNum[i];
      // The global minimum is 0 while fewer domains than minDomains exist.
      let min = counts.size < c.minDomains ? 0 : Infinity;
      if (min !== 0) for (const n of counts.values()) if (n < min) min = n;
      if (min === Infinity) min = 0;
      const self = c.selector.matches(pod.metadata.labels) ? 1 : 0;
      const matchNum = counts.get(node.metadata.labels![c.topologyKey]) ?? 0;
      if (matchNum + self - min > c.maxSkew) return newStatus('Unschedulable', ERR_REASON_CONSTRAINTS_NOT_MATCH);
    }
    return undefined;
  }

  preScore(state: CycleState, pod: Pod, filteredNodes: readonly NodeInfo[]): Status | undefined {
    const allNodes = this.handle.snapshot.list();
    if (allNodes.length === 0) return newStatus('Skip');
    const constraints = this.constraintsOf(pod, 'ScheduleAnyway');
    if (constraints.length === 0) return newStatus('Skip');
    // Only the pod's own constraints demand every topology label; with the system defaults a
    // node without a zone label still takes part in hostname spreading.
    const requireAll = (pod.spec?.topologySpreadConstraints ?? []).length > 0;
    const s: PreScoreState = { constraints, ignoredNodes: new Set(), tpValueToPodCounts: constraints.map(() => new Map()), tpNormalizingWeight: [] };
    const topoSize = constraints.map(() => 0);
    for (const ni of filteredNodes) {
      const node = ni.node!;
      if (requireAll && !nodeLabelsMatchSpreadConstraints(node, constraints)) {
        s.ignoredNodes.add(ni.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey === LABEL_HOSTNAME) return;
        const value = node.metadata.labels?.[c.topologyKey] ?? '';
        if (!s.tpValueToPodCounts[i].has(value)) {
          s.tpValueToPodCounts[i].set(value, 0);
          topoSize[i]++;
        }
      });
    }
    s.tpNormalizingWeight = constraints.map((c, i) =>
      topologyNormalizingWeight(c.topologyKey === LABEL_HOSTNAME ? filteredNodes.length - s.ignoredNodes.size : topoSize[i]),
    );
    const required = requiredNodeAffinity(pod);
    for (const ni of allNodes) {
      const node = ni.node;
      if (!node) continue;
      if (requireAll && !nodeLabelsMatchSpreadConstraints(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!matchNodeInclusionPolicies(c, pod, node, required)) return;
        const value = node.metadata.labels?.[c.topologyKey] ?? '';
        const counts = s.tpValueToPodCounts[i];
        const cur = counts.get(value);
        if (cur === undefined) return; // not a domain of any candidate node (hostname counts come in Score)
        counts.set(value, cur + countPodsMatchSelector(ni.pods, c.selector, pod.metadata.namespace));
      });
    }
    state.write(PRE_SCORE_KEY, s);
    return undefined;
  }

  /** The (weighted) number of matching pods in the node's domains: normalized so fewer scores higher. */
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    const node = nodeInfo.node!;
    if (s.ignoredNodes.has(nodeInfo.name)) return 0;
    let score = 0;
    s.constraints.forEach((c, i) => {
      if (!hasLabel(node, c.topologyKey)) return;
      const cnt =
        c.topologyKey === LABEL_HOSTNAME
          ? countPodsMatchSelector(nodeInfo.pods, c.selector, pod.metadata.namespace)
          : (s.tpValueToPodCounts[i].get(node.metadata.labels![c.topologyKey]) ?? 0);
      score += scoreForCount(cnt, c.maxSkew, s.tpNormalizingWeight[i]);
    });
    return Math.round(score);
  }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): Status | undefined {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (const sc of scores) {
      if (s.ignoredNodes.has(sc.name)) continue;
      if (sc.score < min) min = sc.score;
      if (sc.score > max) max = sc.score;
    }
    for (const sc of scores) {
      if (s.ignoredNodes.has(sc.name)) sc.score = 0;
      else if (max === 0) sc.score = MAX_NODE_SCORE;
      else sc.score = Math.trunc((MAX_NODE_SCORE * (max + min - sc.score)) / max);
    }
    return undefined;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    const podMatters = (pod: Pod, obj: unknown): boolean => {
      const other = obj as Pod | undefined;
      if (!other || other.metadata.namespace !== pod.metadata.namespace) return false;
      return this.constraintsOf(pod, 'DoNotSchedule').some((c) => c.selector.matches(other.metadata.labels));
    };
    return [
      {
        event: { resource: 'AssignedPod', actionType: ActionType.Add | ActionType.Delete | ActionType.UpdatePodLabel },
        queueingHintFn: (pod, oldObj, newObj) => (podMatters(pod, oldObj) || podMatters(pod, newObj) ? 'Queue' : 'QueueSkip'),
      },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint } },
    ];
  }
}

export function newPodTopologySpread(_args: unknown, handle: Handle): PodTopologySpreadPlugin {
  return new PodTopologySpreadPlugin(handle);
}
