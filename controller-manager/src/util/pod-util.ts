// Pod state as controllers read it (upstream's podutil and controller.FilterActivePods).

import type { KubeObject } from '@minik8s/shared';

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export function getPodCondition(pod: KubeObject, type: string): PodCondition | undefined {
  const conds = pod.status?.conditions as PodCondition[] | undefined;
  return conds?.find((c) => c.type === type);
}

/** The Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  return getPodCondition(pod, 'Ready')?.status === 'True';
}

/** Ready for at least minReadySeconds (by the Ready condition's lastTransitionTime), as IsPodAvailable. */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  const c = getPodCondition(pod, 'Ready');
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

/** Succeeded or Failed: the pod will never run again. */
export function isPodTerminal(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Not terminal and not being deleted: what a ReplicaSet counts (controller.IsPodActive). */
export function isPodActive(pod: KubeObject): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

/** "namespace/name", the key expectations track deletions by. */
export function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/** Sum of restarts of the pod's containers. */
export function podRestarts(pod: KubeObject): number {
  const statuses = (pod.status?.containerStatuses ?? []) as { restartCount?: number }[];
  return statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
}
