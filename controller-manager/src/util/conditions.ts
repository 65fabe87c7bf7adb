// Status conditions of workloads (ReplicaSet, Deployment): a list keyed by type.

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export function getCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Sets `cond` in `conditions` (upstream SetDeploymentCondition): nothing changes when a
 * condition of the type with the same status and reason exists; a status that did not change
 * keeps its lastTransitionTime.
 */
export function setCondition(conditions: Condition[], cond: Condition): Condition[] {
  const current = getCondition(conditions, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return conditions;
  const next = { ...cond };
  if (current && current.status === cond.status && current.lastTransitionTime) next.lastTransitionTime = current.lastTransitionTime;
  return [...conditions.filter((c) => c.type !== cond.type), next];
}

export function removeCondition(conditions: Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}
