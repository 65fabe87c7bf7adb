// The RollingUpdate strategy (upstream rolling.go): one step per sync, never more than
// replicas + maxSurge pods wanted and never fewer than replicas - maxUnavailable available.
//
//  1. Scale the new set up as far as maxSurge allows (or down to replicas). If it changed,
//     write status and stop: the next event continues.
//  2. Otherwise scale old sets down: first their unhealthy pods (not available: removing them
//     costs no availability), then healthy ones, only as far as availability allows.
//  3. When the rollout is complete, delete old sets beyond revisionHistoryLimit.

import type { KubeObject } from '@minik8s/shared';
import type { DeploymentSync } from './deployment-sync.ts';
import {
  availableReplicaCount,
  byCreationTimestamp,
  deploymentComplete,
  filterActive,
  maxUnavailable,
  newRSNewReplicas,
  replicaCount,
  replicasOf,
} from './deployment-util.ts';

/** Resolves when to look again (progress deadline), if ever. */
export async function rolloutRolling(sync: DeploymentSync): Promise<number | undefined> {
  let { newRS, oldRSs } = await sync.newAndOld(true);
  const scaledUp = await reconcileNewReplicaSet(sync, newRS!);
  newRS = current(sync, newRS);
  if (scaledUp) return sync.syncRolloutStatus(newRS);

  const scaledDown = await reconcileOldReplicaSets(sync, filterActive(oldRSs.map((rs) => current(sync, rs))), newRS!);
  if (scaledDown) return sync.syncRolloutStatus(current(sync, newRS));

  if (deploymentComplete(sync.d, sync.d.status ?? {})) await sync.cleanup(oldRSs.map((rs) => current(sync, rs)!));
  return sync.syncRolloutStatus(current(sync, newRS));
}

/** The set's latest version as this sync knows it. */
function current(sync: DeploymentSync, rs: KubeObject | undefined): KubeObject | undefined {
  if (!rs) return undefined;
  return sync.sets.find((s) => s.metadata.uid === rs.metadata.uid) ?? rs;
}

async function reconcileNewReplicaSet(sync: DeploymentSync, newRS: KubeObject): Promise<boolean> {
  const d = sync.d;
  const replicas = replicasOf(d);
  if (replicasOf(newRS) === replicas) return false;
  if (replicasOf(newRS) > replicas) return (await sync.scaleReplicaSet(newRS, replicas)).scaled;
  const count = newRSNewReplicas(d, sync.sets, newRS);
  return (await sync.scaleReplicaSet(newRS, count)).scaled;
}

async function reconcileOldReplicaSets(sync: DeploymentSync, oldRSs: KubeObject[], newRS: KubeObject): Promise<boolean> {
  const d = sync.d;
  if (replicaCount(oldRSs) === 0) return false; // nothing to scale down
  const allPods = replicaCount(sync.sets);
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - Math.min(newRS.status?.availableReplicas ?? 0, replicasOf(newRS));
  // Pods that may go: what is wanted beyond minAvailable, minus the new set's pods that are
  // not available yet (they may never be: a broken template must not eat the old pods).
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;

  const { cleaned, sets } = await cleanupUnhealthyReplicas(sync, oldRSs, maxScaledDown);
  const scaled = await scaleDownOldReplicaSetsForRollingUpdate(sync, sets);
  return cleaned + scaled > 0;
}

/** Scales old sets down by their unavailable pods, oldest set first, at most `max` in all. */
async function cleanupUnhealthyReplicas(sync: DeploymentSync, oldRSs: KubeObject[], max: number): Promise<{ cleaned: number; sets: KubeObject[] }> {
  const sets = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (let i = 0; i < sets.length; i++) {
    if (total >= max) break;
    const rs = sets[i];
    const replicas = replicasOf(rs);
    const available = Math.min(rs.status?.availableReplicas ?? 0, replicas);
    if (replicas === 0 || replicas === available) continue;
    const down = Math.min(max - total, replicas - available);
    const { rs: updated } = await sync.scaleReplicaSet(rs, replicas - down);
    sets[i] = updated;
    total += down;
  }
  return { cleaned: total, sets };
}

/** Scales old sets down, oldest first, while more than minAvailable pods are available. */
async function scaleDownOldReplicaSetsForRollingUpdate(sync: DeploymentSync, oldRSs: KubeObject[]): Promise<number> {
  const d = sync.d;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = availableReplicaCount(sync.sets);
  if (available <= minAvailable) return 0;
  const toScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= toScaleDown) break;
    const replicas = replicasOf(rs);
    if (replicas === 0) continue;
    const down = Math.min(replicas, toScaleDown - total);
    await sync.scaleReplicaSet(rs, replicas - down);
    total += down;
  }
  return total;
}
