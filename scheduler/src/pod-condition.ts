// Writes the PodScheduled condition of a pod that could not be scheduled (upstream
// schedule_one.go updatePod + podutil.UpdatePodCondition): a strategic merge patch of the
// pods/status subresource that touches only that condition (conditions merge by type, so the
// kubelet's conditions are kept). Nothing is written when the condition would not change;
// lastTransitionTime moves only when the status flips.

import type { Pod, PodCondition } from './types.ts';
import { rfc3339 } from '@minik8s/shared';

export interface PodStatusClient {
  patch(resource: 'pods', name: string, patch: unknown, opts: { namespace?: string; subresource?: string; type: 'strategic' }): Promise<unknown>;
}

/** The condition to write, or undefined when `pod` already carries it. */
export function podScheduledConditionPatch(pod: Pod, condition: Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'>, now: number, clearNominatedNodeName = false): unknown | undefined {
  const old = pod.status?.conditions?.find((c) => c.type === condition.type);
  const unchanged = old && old.status === condition.status && (old.reason ?? '') === (condition.reason ?? '') && (old.message ?? '') === (condition.message ?? '');
  const clearNNN = clearNominatedNodeName && !!pod.status?.nominatedNodeName;
  if (unchanged && !clearNNN) return undefined;
  const next: PodCondition = {
    ...condition,
    lastProbeTime: null,
    lastTransitionTime: old && old.status === condition.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now),
  };
  const status: Record<string, unknown> = { conditions: [next] };
  if (clearNNN) status.nominatedNodeName = null;
  return { status };
}

export async function updatePodCondition(client: PodStatusClient, pod: Pod, patch: unknown): Promise<void> {
  await client.patch('pods', pod.metadata.name!, patch, { namespace: pod.metadata.namespace, subresource: 'status', type: 'strategic' });
}
