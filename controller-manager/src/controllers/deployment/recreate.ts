// The Recreate strategy (upstream recreate.go): scale every old set to 0, wait until none of
// their pods runs any more, then create (or scale up) the new set to replicas.

import type { KubeObject } from '@minik8s/shared';
import type { DeploymentSync } from './deployment-sync.ts';
import { actualReplicaCount, deploymentComplete, filterActive, replicasOf } from './deployment-util.ts';

/** Resolves when to look again (progress deadline), if ever. `podsBySet`: pods by owner set uid. */
export async function rolloutRecreate(sync: DeploymentSync, podsBySet: Map<string, KubeObject[]>): Promise<number | undefined> {
  let { newRS, oldRSs } = await sync.newAndOld(false);
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    if ((await sync.scaleReplicaSet(rs, 0)).scaled) scaledDown = true;
  }
  if (scaledDown) return sync.syncRolloutStatus(newRS);

  oldRSs = oldRSs.map((rs) => sync.sets.find((s) => s.metadata.uid === rs.metadata.uid) ?? rs);
  if (oldPodsRunning(newRS, oldRSs, podsBySet)) return sync.syncRolloutStatus(newRS);

  if (!newRS) ({ newRS, oldRSs } = await sync.newAndOld(true));
  if (newRS && replicasOf(newRS) !== replicasOf(sync.d)) {
    ({ rs: newRS } = await sync.scaleReplicaSet(newRS, replicasOf(sync.d)));
  }
  if (deploymentComplete(sync.d, sync.d.status ?? {})) await sync.cleanup(oldRSs);
  return sync.syncRolloutStatus(newRS);
}

/** Old sets still report pods, or a pod of theirs has not finished (upstream oldPodsRunning). */
function oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[], podsBySet: Map<string, KubeObject[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podsBySet) {
    if (newRS && uid === newRS.metadata.uid) continue;
    for (const p of pods) {
      const phase = p.status?.phase;
      if (phase !== 'Failed' && phase !== 'Succeeded') return true;
    }
  }
  return false;
}
