// A pod waiting in the scheduling queue, with what the queue needs to order and retry it
// (upstream framework.QueuedPodInfo).

import type { Pod } from '../types.ts';

export interface QueuedPodInfo {
  pod: Pod;
  /** When the pod last entered the queue or last failed (ms): orders the active queue and starts backoff. */
  timestamp: number;
  /** When the pod first entered the queue (for the e2e scheduling latency). */
  initialAttemptTimestamp: number | undefined;
  /** Scheduling attempts so far; the backoff doubles with each. */
  attempts: number;
  /** Plugins that rejected the pod in its last attempt: only their events can requeue it. */
  unschedulablePlugins: Set<string>;
  /** Plugins that said Pending in the last attempt. */
  pendingPlugins: Set<string>;
}

export function newQueuedPodInfo(pod: Pod, now: number): QueuedPodInfo {
  return { pod, timestamp: now, initialAttemptTimestamp: undefined, attempts: 0, unschedulablePlugins: new Set(), pendingPlugins: new Set() };
}
