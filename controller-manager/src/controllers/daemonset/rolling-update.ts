// One step of a DaemonSet's RollingUpdate (upstream rollingUpdate in update.go), as a plan: which
// old pods to delete and, with maxSurge, on which nodes to start a new pod beside the old one.
//
// maxSurge == 0: delete old pods while at most maxUnavailable daemon pods are unavailable
//   (a node that should run a pod and has none, or whose new pod is not yet available,
//   counts as unavailable); an old pod that is unavailable anyway is always replaced.
// maxSurge > 0: start new pods beside old ones on at most maxSurge nodes; delete an old pod
//   once the new one on its node is available.
// The manage step then creates the missing pods on the emptied nodes.

import type { KubeObject } from '@minik8s/shared';
import { isPodAvailable } from '../../util/pod-util.ts';
import { scaledValueFromIntOrPercent } from '../../util/int-or-string.ts';
import { isPodUpdated } from './daemon-pods.ts';
import { nodeShouldRunDaemonPod } from './node-should-run.ts';

export interface RollingUpdatePlan {
  /** Names of old pods to delete. */
  podsToDelete: string[];
  /** Nodes to create a new pod on (surge). */
  nodesToCreate: string[];
}

/** maxSurge (0 unless RollingUpdate asks for it) and maxUnavailable for `desired` daemon pods. */
export function surgeAndUnavailable(ds: KubeObject, desired: number): { maxSurge: number; maxUnavailable: number } {
  const strategy = ds.spec?.updateStrategy ?? {};
  if ((strategy.type ?? 'RollingUpdate') !== 'RollingUpdate' || !strategy.rollingUpdate) return { maxSurge: 0, maxUnavailable: 0 };
  const maxSurge = scaledValueFromIntOrPercent(strategy.rollingUpdate.maxSurge ?? 0, desired, true);
  let maxUnavailable = scaledValueFromIntOrPercent(strategy.rollingUpdate.maxUnavailable ?? 1, desired, true);
  // An impossible configuration (both zero) still makes progress, one pod at a time.
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/**
 * The node's one new pod and one old pod among pods not being deleted; ok=false when there
 * are two of either kind (the manage step removes the extra first).
 */
export function findUpdatedPodsOnNode(pods: KubeObject[], hash: string): { newPod?: KubeObject; oldPod?: KubeObject; ok: boolean } {
  let newPod: KubeObject | undefined;
  let oldPod: KubeObject | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

/**
 * The plan for one step. `nodeToDaemonPods` holds the DaemonSet's pods by target node,
 * without pods being deleted or terminal.
 */
export function planRollingUpdate(ds: KubeObject, nodes: KubeObject[], nodeToDaemonPods: Map<string, KubeObject[]>, hash: string, now: number): RollingUpdatePlan {
  const minReady: number = ds.spec?.minReadySeconds ?? 0;
  const available = (p: KubeObject) => isPodAvailable(p, minReady, now);
  const byNode = new Map<string, KubeObject[]>(nodeToDaemonPods);
  const nodesByName = new Map(nodes.map((n) => [n.metadata.name!, n]));
  let desired = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    // A node that should run a pod and has none counts against maxUnavailable below.
    if (!byNode.has(node.metadata.name!)) byNode.set(node.metadata.name!, []);
  }
  const { maxSurge, maxUnavailable } = surgeAndUnavailable(ds, desired);
  const names = [...byNode.keys()].sort();

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const replacements: string[] = [];
    const candidates: string[] = [];
    for (const nodeName of names) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(byNode.get(nodeName)!, hash);
      if (!ok || (!newPod && !oldPod) || (newPod && oldPod)) {
        // manage() creates or deletes here first: unavailable meanwhile.
        numUnavailable++;
      } else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) {
          replacements.push(oldPod.metadata.name!);
          numUnavailable++;
        } else if (numUnavailable < maxUnavailable) {
          candidates.push(oldPod.metadata.name!);
        }
      }
    }
    const room = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    return { podsToDelete: [...replacements, ...candidates.slice(0, room)], nodesToCreate: [] };
  }

  const podsToDelete: string[] = [];
  const replacementNodes: string[] = [];
  const candidateNodes: string[] = [];
  let numSurge = 0;
  for (const nodeName of names) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(byNode.get(nodeName)!, hash);
    if (!ok) {
      numSurge++;
      continue;
    }
    if (!oldPod) continue; // nothing to update; manage() creates a missing pod
    if (!newPod) {
      if (!available(oldPod)) {
        const node = nodesByName.get(nodeName);
        if (!node || !nodeShouldRunDaemonPod(node, ds).shouldRun) {
          // Unavailable and not wanted here any more: just remove it.
          podsToDelete.push(oldPod.metadata.name!);
          continue;
        }
        replacementNodes.push(nodeName);
      } else if (numSurge < maxSurge) {
        candidateNodes.push(nodeName);
      }
      continue;
    }
    // Surged already: the old pod goes once the new one is available.
    if (!available(newPod)) {
      numSurge++;
      continue;
    }
    podsToDelete.push(oldPod.metadata.name!);
  }
  const room = Math.min(Math.max(0, maxSurge - numSurge), candidateNodes.length);
  return { podsToDelete, nodesToCreate: [...replacementNodes, ...candidateNodes.slice(0, room)] };
}
