// A ReplicaSet's status from its pods (upstream calculateStatus / updateReplicaSetStatus).

import type { KubeObject } from '@minik8s/shared';
import { selectorFromSet } from '@minik8s/shared';
import type { Condition } from '../../util/conditions.ts';
import { getCondition, removeCondition, setCondition } from '../../util/conditions.ts';
import { isPodAvailable, isPodReady } from '../../util/pod-util.ts';
import { rfc3339 } from '@minik8s/shared';

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

/**
 * The status for `rs` owning `pods` (its active, claimed pods). A failed create or delete in
 * this sync sets the ReplicaFailure condition (FailedCreate / FailedDelete); a clean sync
 * removes it.
 */
export function calculateReplicaSetStatus(rs: KubeObject, pods: KubeObject[], manageError: { error: unknown; creating: boolean } | undefined, now: number): ReplicaSetStatus {
  const minReadySeconds: number = rs.spec?.minReadySeconds ?? 0;
  const templateLabels = selectorFromSet(rs.spec?.template?.metadata?.labels ?? {});
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    if (templateLabels.matches(p.metadata.labels)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReadySeconds, now)) available++;
    }
  }
  let conditions: Condition[] = [...((rs.status?.conditions as Condition[] | undefined) ?? [])];
  const failure = getCondition(conditions, 'ReplicaFailure');
  if (manageError && !failure) {
    const message = manageError.error instanceof Error ? manageError.error.message : String(manageError.error);
    conditions = setCondition(conditions, {
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: rfc3339(now),
      reason: manageError.creating ? 'FailedCreate' : 'FailedDelete',
      message,
    });
  } else if (!manageError && failure) {
    conditions = removeCondition(conditions, 'ReplicaFailure');
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.status?.observedGeneration,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** True when `next` says something `rs.status` does not (zero counts equal absent ones). */
export function replicaSetStatusChanged(rs: KubeObject, next: ReplicaSetStatus): boolean {
  const cur = rs.status ?? {};
  return (
    (cur.replicas ?? 0) !== next.replicas ||
    (cur.fullyLabeledReplicas ?? 0) !== (next.fullyLabeledReplicas ?? 0) ||
    (cur.readyReplicas ?? 0) !== (next.readyReplicas ?? 0) ||
    (cur.availableReplicas ?? 0) !== (next.availableReplicas ?? 0) ||
    (cur.observedGeneration ?? 0) < (rs.metadata.generation ?? 0) ||
    JSON.stringify(cur.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}
