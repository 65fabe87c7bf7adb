// A DaemonSet's status from its nodes and pods (upstream updateDaemonSetStatus).

import type { KubeObject } from '@minik8s/shared';
import { isPodAvailable, isPodReady } from '../../util/pod-util.ts';
import { compareByCreationTimestampAndPhase, isPodUpdated } from './daemon-pods.ts';
import { nodeShouldRunDaemonPod } from './node-should-run.ts';

export interface DaemonSetStatus {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
  observedGeneration?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

/**
 * Per node that should run the daemon: desired; with a pod: current, and its oldest pod
 * decides ready / available / updated. A pod on a node that should not run it is
 * misscheduled. `nodeToDaemonPods` excludes pods being deleted and terminal pods.
 */
export function calculateDaemonSetStatus(ds: KubeObject, nodes: KubeObject[], nodeToDaemonPods: Map<string, KubeObject[]>, hash: string, now: number): DaemonSetStatus {
  const minReady: number = ds.spec?.minReadySeconds ?? 0;
  const s: DaemonSetStatus = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = nodeToDaemonPods.get(node.metadata.name!) ?? [];
    if (!shouldRun) {
      if (pods.length > 0) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    if (pods.length === 0) continue;
    s.currentNumberScheduled++;
    const pod = [...pods].sort(compareByCreationTimestampAndPhase)[0]!;
    if (isPodReady(pod)) {
      s.numberReady++;
      if (isPodAvailable(pod, minReady, now)) s.numberAvailable++;
    }
    if (isPodUpdated(pod, hash)) s.updatedNumberScheduled++;
  }
  s.numberUnavailable = s.desiredNumberScheduled - s.numberAvailable;
  return s;
}

const COUNTERS = [
  'desiredNumberScheduled',
  'currentNumberScheduled',
  'numberMisscheduled',
  'numberReady',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
] as const;

/** Whether writing `next` would change `ds.status` (zero counts equal absent ones). */
export function daemonSetStatusChanged(ds: KubeObject, next: DaemonSetStatus, updateObservedGeneration: boolean): boolean {
  const cur = ds.status ?? {};
  if (COUNTERS.some((k) => (cur[k] ?? 0) !== next[k])) return true;
  return updateObservedGeneration && (cur.observedGeneration ?? 0) < (ds.metadata.generation ?? 0);
}
