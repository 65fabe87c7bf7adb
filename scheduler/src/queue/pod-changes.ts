// Which scheduling-relevant properties changed between two versions of a pod or node (upstream
// framework.PodSchedulingPropertiesChange and NodeSchedulingPropertiesChange): each change is
// a ClusterEvent, so only plugins that care are asked whether a waiting pod should move.

import { ActionType, type ClusterEvent } from '../framework/cluster-event.ts';
import { podInfoFor } from '../framework/node-info.ts';
import type { Node, Pod } from '../types.ts';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function scaledDown(oldPod: Pod, newPod: Pod): boolean {
  const a = podInfoFor(oldPod).requests;
  const b = podInfoFor(newPod).requests;
  if (b.milliCPU < a.milliCPU || b.memory < a.memory || b.ephemeralStorage < a.ephemeralStorage) return true;
  for (const [k, v] of a.scalar) if ((b.scalar.get(k) ?? 0) < v) return true;
  return false;
}

/** Events for a pod update; [] when nothing the scheduler reads changed (status, resourceVersion...). */
export function podSchedulingPropertiesChange(oldPod: Pod, newPod: Pod, resource: 'AssignedPod' | 'UnscheduledPod'): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  const prefix = resource === 'AssignedPod' ? 'AssignedPod' : 'Pod';
  if (!same(oldPod.metadata.labels, newPod.metadata.labels)) events.push({ resource, actionType: ActionType.UpdatePodLabel, label: `${prefix}LabelChange` });
  if (scaledDown(oldPod, newPod)) events.push({ resource, actionType: ActionType.UpdatePodScaleDown, label: `${prefix}RequestScaledDown` });
  if (!same(oldPod.spec?.tolerations, newPod.spec?.tolerations)) events.push({ resource, actionType: ActionType.UpdatePodTolerations, label: `${prefix}TolerationChange` });
  if (events.length === 0 && (!same(oldPod.spec, newPod.spec) || !same(oldPod.metadata.annotations, newPod.metadata.annotations))) {
    events.push({ resource, actionType: ActionType.UpdatePodOther, label: `${prefix}Update` });
  }
  return events;
}

function conditionStatuses(n: Node): string {
  return JSON.stringify((n.status?.conditions ?? []).map((c) => [c.type, c.status]).sort());
}

/** Events for a node update; heartbeats (condition timestamps) alone produce none. */
export function nodeSchedulingPropertiesChange(oldNode: Node, newNode: Node): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  if (!!oldNode.spec?.unschedulable !== !!newNode.spec?.unschedulable) {
    events.push({ resource: 'Node', actionType: ActionType.UpdateNodeSpecUnschedulable, label: 'NodeSpecUnschedulableChange' });
  }
  if (!same(oldNode.status?.allocatable, newNode.status?.allocatable)) {
    events.push({ resource: 'Node', actionType: ActionType.UpdateNodeAllocatable, label: 'NodeAllocatableChange' });
  }
  if (!same(oldNode.metadata.labels, newNode.metadata.labels)) events.push({ resource: 'Node', actionType: ActionType.UpdateNodeLabel, label: 'NodeLabelChange' });
  if (!same(oldNode.spec?.taints, newNode.spec?.taints)) events.push({ resource: 'Node', actionType: ActionType.UpdateNodeTaint, label: 'NodeTaintChange' });
  if (conditionStatuses(oldNode) !== conditionStatuses(newNode)) events.push({ resource: 'Node', actionType: ActionType.UpdateNodeCondition, label: 'NodeConditionChange' });
  if (!same(oldNode.metadata.annotations, newNode.metadata.annotations)) {
    events.push({ resource: 'Node', actionType: ActionType.UpdateNodeAnnotation, label: 'NodeAnnotationChange' });
  }
  return events;
}
