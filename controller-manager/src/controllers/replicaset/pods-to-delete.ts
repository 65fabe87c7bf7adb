// Which pods a ReplicaSet deletes first when it scales down (upstream ActivePodsWithRanks):
// the ones whose loss hurts least. In order, a pod goes before another when it is
//  1. not yet scheduled (no node),
//  2. in an earlier phase: Pending, then Unknown, then Running,
//  3. not ready,
//  4. of lower controller.kubernetes.io/pod-deletion-cost,
//  5. on a node with more pods of the same workload (rank: spreads what remains),
//  6. ready for a shorter time,
//  7. restarted more often,
//  8. newer.

import type { KubeObject } from '@minik8s/shared';
import { getPodCondition, isPodReady, podRestarts } from '../../util/pod-util.ts';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: KubeObject): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : 0;
}

function time(ts: string | undefined): number {
  const t = ts ? Date.parse(ts) : NaN;
  return Number.isNaN(t) ? -Infinity : t;
}

/** Negative when `a` should be deleted before `b`. `rank` counts related pods on each pod's node. */
export function compareForDeletion(a: KubeObject, b: KubeObject, rank: (pod: KubeObject) => number): number {
  const aNode = a.spec?.nodeName ?? '';
  const bNode = b.spec?.nodeName ?? '';
  if ((aNode === '') !== (bNode === '')) return aNode === '' ? -1 : 1;
  const aPhase = PHASE_ORDINAL[a.status?.phase ?? 'Pending'] ?? 0;
  const bPhase = PHASE_ORDINAL[b.status?.phase ?? 'Pending'] ?? 0;
  if (aPhase !== bPhase) return aPhase - bPhase;
  const aReady = isPodReady(a);
  const bReady = isPodReady(b);
  if (aReady !== bReady) return aReady ? 1 : -1;
  const aCost = deletionCost(a);
  const bCost = deletionCost(b);
  if (aCost !== bCost) return aCost - bCost;
  const aRank = rank(a);
  const bRank = rank(b);
  if (aRank !== bRank) return bRank - aRank;
  if (aReady && bReady) {
    const aSince = time(getPodCondition(a, 'Ready')?.lastTransitionTime);
    const bSince = time(getPodCondition(b, 'Ready')?.lastTransitionTime);
    if (aSince !== bSince) return bSince > aSince ? 1 : -1;
  }
  const aRestarts = podRestarts(a);
  const bRestarts = podRestarts(b);
  if (aRestarts !== bRestarts) return bRestarts - aRestarts;
  const aCreated = time(a.metadata.creationTimestamp);
  const bCreated = time(b.metadata.creationTimestamp);
  if (aCreated !== bCreated) return bCreated > aCreated ? 1 : -1;
  return 0;
}

/**
 * The `count` pods of `pods` to delete. `related` are the active pods of the same workload
 * (every ReplicaSet of one Deployment): a pod sharing its node with more of them goes first.
 */
export function getPodsToDelete(pods: KubeObject[], related: KubeObject[], count: number): KubeObject[] {
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (p: KubeObject) => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  return [...pods].sort((a, b) => compareForDeletion(a, b, rank)).slice(0, count);
}
