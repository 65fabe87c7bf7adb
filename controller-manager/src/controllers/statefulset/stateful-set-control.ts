// One sync of a StatefulSet's pods (upstream defaultStatefulSetControl.updateStatefulSet), with
// the API writes behind StatefulPodControl so the ordering rules can be tested alone.
//
// Pods are split by ordinal into `replicas` ([start, start+spec.replicas)) and `condemned`
// (the rest, highest first). With OrderedReady ("monotonic") the sync takes one step and
// stops at the first pod that is not Running and Ready (and available):
//  1. For each ordinal in increasing order: a failed or succeeded pod is deleted (made again
//     once it is gone); a missing pod is created (then stop); a terminating or not yet
//     healthy pod stops the sync; a pod whose identity labels drifted is fixed.
//  2. Scale down: condemned pods are deleted one at a time, highest ordinal first, each only
//     once every lower pod is healthy (the first unhealthy pod may go at once).
//  3. RollingUpdate: from the highest ordinal down to the partition, delete the first pod not
//     at the update revision (one per sync) and wait for each pod updated before to be
//     healthy. OnDelete stops before this: pods change revision when the user deletes them.
// Parallel does steps 1 and 2 for every pod at once and never waits; step 3 stays one pod at a
// time. Pods (re)created below the partition get the current revision, the others the update
// revision.

import type { KubeObject } from '@minik8s/shared';
import {
  getPodRevision,
  identityMatches,
  isCreated,
  isFailed,
  isHealthy,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  newStatefulSetPod,
  parentNameAndOrdinal,
  replicasOf,
  startOrdinal,
} from './stateful-pod.ts';

export interface StatefulPodControl {
  /** Creates the pod (and records SuccessfulCreate / FailedCreate). */
  createPod(set: KubeObject, pod: KubeObject): Promise<void>;
  /** Deletes the pod (and records SuccessfulDelete / FailedDelete). */
  deletePod(set: KubeObject, pod: KubeObject): Promise<void>;
  /** Sets the identity labels (pod-name, pod-index) on an existing pod. */
  updatePodIdentity(set: KubeObject, pod: KubeObject): Promise<void>;
  /** An event about the set (RecreatingFailedPod...). */
  event(set: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface Revision {
  name: string;
  template: unknown;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
}

/** Counts over the pods (upstream computeReplicaStatus). */
export function computeReplicaStatus(pods: KubeObject[], minReadySeconds: number, now: number, current: string, update: string): Pick<StatefulSetStatus, 'replicas' | 'readyReplicas' | 'availableReplicas' | 'currentReplicas' | 'updatedReplicas'> {
  const s = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    if (isCreated(pod)) s.replicas++;
    if (isRunningAndReady(pod)) {
      s.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, now)) s.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const revision = getPodRevision(pod);
      if (revision === current) s.currentReplicas++;
      if (revision === update) s.updatedReplicas++;
    }
  }
  return s;
}

/** The partition of a RollingUpdate (0 without one). */
function partitionOf(set: KubeObject): number {
  const p = set.spec?.updateStrategy?.rollingUpdate?.partition;
  return typeof p === 'number' && p > 0 ? p : 0;
}

function isRollingUpdate(set: KubeObject): boolean {
  return (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/**
 * The pod to (re)create at `ordinal` (upstream newVersionedStatefulSetPod): below the
 * partition a RollingUpdate keeps the current revision, elsewhere pods get the update one.
 */
export function newVersionedPod(set: KubeObject, current: Revision, update: Revision, ordinal: number): KubeObject {
  const partition = partitionOf(set);
  const rollingUpdate = set.spec?.updateStrategy?.rollingUpdate;
  const currentReplicas: number = set.status?.currentReplicas ?? 0;
  const keepCurrent =
    isRollingUpdate(set) &&
    ((rollingUpdate == null && ordinal < startOrdinal(set) + currentReplicas) || (rollingUpdate != null && ordinal < startOrdinal(set) + partition));
  return keepCurrent ? newStatefulSetPod(set, current.template, current.name, ordinal) : newStatefulSetPod(set, update.template, update.name, ordinal);
}

/**
 * Runs one sync of `set` over its claimed `pods`; resolves the status to write. Throws the
 * first failed write (the controller retries with backoff).
 */
export async function syncStatefulSet(set: KubeObject, pods: KubeObject[], current: Revision, update: Revision, control: StatefulPodControl, now: number): Promise<StatefulSetStatus> {
  const minReady: number = set.spec?.minReadySeconds ?? 0;
  const start = startOrdinal(set);
  const count = replicasOf(set);
  const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
  const healthy = (p: KubeObject) => isHealthy(p, minReady, now);

  const replicas: (KubeObject | undefined)[] = new Array(count).fill(undefined);
  const condemned: KubeObject[] = [];
  for (const pod of pods) {
    const { ordinal } = parentNameAndOrdinal(pod);
    if (ordinal >= start && ordinal < start + count) replicas[ordinal - start] = pod;
    else if (ordinal >= 0) condemned.push(pod);
  }
  for (let i = 0; i < count; i++) replicas[i] ??= newVersionedPod(set, current, update, start + i);
  condemned.sort((a, b) => parentNameAndOrdinal(b).ordinal - parentNameAndOrdinal(a).ordinal);

  const status = (): StatefulSetStatus => ({
    observedGeneration: set.metadata.generation,
    ...computeReplicaStatus([...(replicas as KubeObject[]), ...condemned], minReady, now, current.name, update.name),
    currentRevision: current.name,
    updateRevision: update.name,
    collisionCount: set.status?.collisionCount ?? 0,
  });

  // The first unhealthy pod: replicas in order, then condemned from the lowest ordinal.
  let firstUnhealthy: KubeObject | undefined;
  for (const p of replicas as KubeObject[]) if (!firstUnhealthy && !healthy(p)) firstUnhealthy = p;
  for (let i = condemned.length - 1; i >= 0; i--) if (!firstUnhealthy && !healthy(condemned[i]!)) firstUnhealthy = condemned[i];

  // A set being deleted only reports status; the garbage collector removes its pods.
  if (set.metadata.deletionTimestamp) return status();

  // 1. Replicas, in increasing ordinal order.
  const processReplica = async (i: number): Promise<boolean> => {
    const pod = replicas[i]!;
    if (isFailed(pod) || isSucceeded(pod)) {
      // Whatever the exit code, the pod is made again: once this one is gone from etcd.
      if (!isTerminating(pod)) {
        if (isFailed(pod)) control.event(set, 'Warning', 'RecreatingFailedPod', `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating failed Pod ${pod.metadata.name}`);
        else control.event(set, 'Normal', 'RecreatingTerminatedPod', `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating terminated Pod ${pod.metadata.name}`);
        await control.deletePod(set, pod);
      }
      return true;
    }
    if (!isCreated(pod)) {
      await control.createPod(set, pod);
      // Counted in this sync's status as created (Pending): a pod missing for a moment must
      // not make a partitioned rollout look complete (older upstream counted it so too).
      replicas[i] = { ...pod, status: { phase: 'Pending' } };
      return monotonic; // OrderedReady: one creation per sync, then wait for it
    }
    if (monotonic) {
      if (isTerminating(pod)) return true; // wait for graceful deletion to finish
      if (!isRunningAndReady(pod)) return true; // every predecessor must be Running and Ready
      if (!isRunningAndAvailable(pod, minReady, now)) return true;
    }
    if (!isTerminating(pod) && !identityMatches(set, pod)) await control.updatePodIdentity(set, pod);
    return false;
  };
  if (await runForAll(count, processReplica, monotonic)) return status();

  // 2. Scale down, highest ordinal first.
  const processCondemned = async (i: number): Promise<boolean> => {
    const pod = condemned[i]!;
    if (isTerminating(pod)) return monotonic;
    if (monotonic && pod !== firstUnhealthy && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now))) return true;
    await control.deletePod(set, pod);
    return true;
  };
  if (await runForAll(condemned.length, processCondemned, monotonic)) return status();

  // 3. RollingUpdate, highest ordinal first, down to the partition.
  if (!isRollingUpdate(set)) return status();
  const updateMin = partitionOf(set);
  for (let target = count - 1; target >= updateMin; target--) {
    const pod = replicas[target]!;
    if (getPodRevision(pod) !== update.name && !isTerminating(pod)) {
      await control.deletePod(set, pod);
      const s = status();
      // Upstream counts the deleted pod out of currentReplicas at once.
      if (getPodRevision(pod) === current.name && s.currentReplicas > 0) s.currentReplicas--;
      return s;
    }
    if (!healthy(pod)) return status();
  }
  return status();
}

/**
 * Runs fn(0..n-1): in order, stopping at the first that answers true, when monotonic;
 * otherwise all at once. Resolves whether the sync should stop here; rejects with the first
 * error (after every call settled).
 */
async function runForAll(n: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < n; i++) if (await fn(i)) return true;
    return false;
  }
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => fn(i)));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return false;
}
