// A Deployment's status from its ReplicaSets, and the Progressing condition's bookkeeping
// (upstream sync.go calculateStatus and progress.go syncRolloutStatus).

import type { KubeObject } from '@minik8s/shared';
import type { Condition } from '../../util/conditions.ts';
import { getCondition, removeCondition, setCondition } from '../../util/conditions.ts';
import { rfc3339 } from '@minik8s/shared';
import {
  MINIMUM_REPLICAS_AVAILABLE,
  MINIMUM_REPLICAS_UNAVAILABLE,
  NEW_RS_AVAILABLE_REASON,
  REPLICASET_UPDATED_REASON,
  TIMED_OUT_REASON,
  actualReplicaCount,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  hasProgressDeadline,
  maxUnavailable,
  readyReplicaCount,
  replicaCount,
  replicasOf,
} from './deployment-util.ts';

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: Condition[];
}

export function newCondition(type: string, status: Condition['status'], reason: string, message: string, now: number): Condition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** Counts from the sets and the Available condition (upstream calculateStatus). */
export function calculateStatus(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject | undefined, now: number): DeploymentStatus {
  // Deliberately the sets' own available counts (not capped): the status reports what they say.
  const available = allRSs.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
  const total = replicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount(newRS ? [newRS] : []),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  let conditions: Condition[] = [...((d.status?.conditions as Condition[] | undefined) ?? [])];
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    conditions = setCondition(conditions, newCondition('Available', 'True', MINIMUM_REPLICAS_AVAILABLE, 'Deployment has minimum availability.', now));
  } else {
    conditions = setCondition(conditions, newCondition('Available', 'False', MINIMUM_REPLICAS_UNAVAILABLE, 'Deployment does not have minimum availability.', now));
  }
  status.conditions = conditions;
  return status;
}

/**
 * The status of a rollout (upstream syncRolloutStatus, without the write): the Progressing
 * condition moves to NewReplicaSetAvailable when complete, is refreshed (ReplicaSetUpdated,
 * new lastUpdateTime) on any progress, and turns False with ProgressDeadlineExceeded when
 * nothing progressed for progressDeadlineSeconds. A ReplicaFailure of the sets is carried over.
 */
export function rolloutStatus(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject | undefined, now: number): DeploymentStatus {
  const status = calculateStatus(d, allRSs, newRS, now);
  let conditions = status.conditions ?? [];
  if (!hasProgressDeadline(d)) conditions = removeCondition(conditions, 'Progressing');
  const current = getCondition(d.status?.conditions, 'Progressing');
  const isComplete = status.replicas === status.updatedReplicas && current?.reason === NEW_RS_AVAILABLE_REASON;
  if (hasProgressDeadline(d) && !isComplete) {
    const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
      conditions = setCondition(conditions, newCondition('Progressing', 'True', NEW_RS_AVAILABLE_REASON, msg, now));
    } else if (deploymentProgressing(d, status)) {
      // Unlike setCondition, a repeat with the same reason still refreshes lastUpdateTime:
      // that is what the deadline is measured from.
      const cond = newCondition('Progressing', 'True', REPLICASET_UPDATED_REASON, `${what} is progressing.`, now);
      if (current?.status === 'True' && current.lastTransitionTime) cond.lastTransitionTime = current.lastTransitionTime;
      conditions = [...removeCondition(conditions, 'Progressing'), cond];
    } else if (deploymentTimedOut(d, { ...status, conditions: d.status?.conditions }, now)) {
      conditions = setCondition(conditions, newCondition('Progressing', 'False', TIMED_OUT_REASON, `${what} has timed out progressing.`, now));
    }
  }
  const failure = allRSs.map((rs) => getCondition(rs.status?.conditions, 'ReplicaFailure')).find((c) => c?.status === 'True');
  if (failure) {
    conditions = setCondition(conditions, {
      type: 'ReplicaFailure',
      status: failure.status,
      lastUpdateTime: failure.lastTransitionTime,
      lastTransitionTime: failure.lastTransitionTime,
      reason: failure.reason,
      message: failure.message,
    });
  } else {
    conditions = removeCondition(conditions, 'ReplicaFailure');
  }
  status.conditions = conditions;
  return status;
}

/**
 * When to look at a rollout again to notice its deadline passing (upstream
 * requeueStuckDeployment): undefined when no deadline can pass.
 */
export function stuckRequeueAfter(d: KubeObject, status: DeploymentStatus, now: number): number | undefined {
  const cond = getCondition(status.conditions, 'Progressing');
  if (!cond || cond.reason === TIMED_OUT_REASON || !hasProgressDeadline(d) || deploymentComplete(d, status)) return undefined;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  const after = from + d.spec.progressDeadlineSeconds * 1000 - now;
  return after < 1000 ? 0 : after + 1000;
}
