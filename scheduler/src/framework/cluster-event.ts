// Cluster events that can make an unschedulable pod schedulable (upstream framework.ClusterEvent).
// Plugins register the events that could resolve their rejections; the queue moves a pod out
// of the unschedulable set only on an event one of its rejecting plugins registered for, and
// only when that plugin's queueing hint (if any) says the event may help this pod.

import type { Pod } from '../types.ts';

export type EventResource = 'Node' | 'AssignedPod' | 'UnscheduledPod' | 'WildCard';

/** Bit flags, as upstream's ActionType, so one registration can cover several kinds of update. */
export const ActionType = {
  Add: 1,
  Delete: 2,
  UpdateNodeAllocatable: 4,
  UpdateNodeLabel: 8,
  UpdateNodeTaint: 16,
  UpdateNodeCondition: 32,
  UpdateNodeAnnotation: 64,
  UpdateNodeSpecUnschedulable: 128,
  UpdatePodLabel: 256,
  UpdatePodScaleDown: 512,
  UpdatePodTolerations: 1024,
  /** Any other change to a pod's spec or metadata. */
  UpdatePodOther: 2048,
} as const;

export const UPDATE_ALL = 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512 | 1024 | 2048;
export const ACTION_ALL = 1 | 2 | UPDATE_ALL;

export interface ClusterEvent {
  resource: EventResource;
  /** One or more ActionType bits. */
  actionType: number;
  /** How metrics and logs name the event, e.g. NodeAdd, AssignedPodDelete, NodeTaintChange. */
  label: string;
}

/** The decision of a queueing hint: Queue moves the pod on, QueueSkip leaves it waiting. */
export type QueueingHint = 'Queue' | 'QueueSkip';

export type QueueingHintFn = (pod: Pod, oldObj: unknown, newObj: unknown) => QueueingHint;

export interface ClusterEventWithHint {
  event: Omit<ClusterEvent, 'label'>;
  /** Absent: every matching event queues the pod. */
  queueingHintFn?: QueueingHintFn;
}

/** True when the incoming event is one the registration covers. */
export function eventMatches(registered: Omit<ClusterEvent, 'label'>, incoming: ClusterEvent): boolean {
  if (registered.resource !== 'WildCard' && registered.resource !== incoming.resource) return false;
  return (registered.actionType & incoming.actionType) !== 0;
}

export const NodeAdd: ClusterEvent = { resource: 'Node', actionType: ActionType.Add, label: 'NodeAdd' };
export const NodeDelete: ClusterEvent = { resource: 'Node', actionType: ActionType.Delete, label: 'NodeDelete' };
export const AssignedPodAdd: ClusterEvent = { resource: 'AssignedPod', actionType: ActionType.Add, label: 'AssignedPodAdd' };
export const AssignedPodUpdate: ClusterEvent = { resource: 'AssignedPod', actionType: UPDATE_ALL, label: 'AssignedPodUpdate' };
export const AssignedPodDelete: ClusterEvent = { resource: 'AssignedPod', actionType: ActionType.Delete, label: 'AssignedPodDelete' };
/** Pseudo events of the queue itself (metrics labels, as upstream). */
export const UnschedulableTimeout: ClusterEvent = { resource: 'WildCard', actionType: ACTION_ALL, label: 'UnschedulableTimeout' };
export const BackoffComplete: ClusterEvent = { resource: 'WildCard', actionType: ACTION_ALL, label: 'BackoffComplete' };
export const PodAdd: ClusterEvent = { resource: 'UnscheduledPod', actionType: ActionType.Add, label: 'PodAdd' };
export const PodUpdate: ClusterEvent = { resource: 'UnscheduledPod', actionType: UPDATE_ALL, label: 'PodUpdate' };
/** A pod failed with an error (not a rejection): it only waits out its backoff. */
export const ScheduleAttemptFailure = 'ScheduleAttemptFailure';
