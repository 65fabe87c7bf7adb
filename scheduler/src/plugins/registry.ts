// The in-tree plugins by name, and the default profile (upstream's default plugin set and
// weights for v1 KubeSchedulerConfiguration, minus what minik8s has no objects for: volumes,
// inter-pod affinity, image locality).

import type { Profile } from '../framework/framework.ts';
import { Registry } from '../framework/registry.ts';
import { DEFAULT_SCHEDULER_NAME } from '../types.ts';
import { newBalancedAllocation } from './balanced-allocation.ts';
import { newDefaultBinder } from './default-binder.ts';
import { newDefaultPreemption } from './default-preemption.ts';
import * as names from './names.ts';
import { newNodeAffinity } from './node-affinity.ts';
import { newNodeName } from './node-name.ts';
import { newNodePorts } from './node-ports.ts';
import { newNodeReady } from './node-ready.ts';
import { newNodeResourcesFit } from './node-resources-fit.ts';
import { newNodeUnschedulable } from './node-unschedulable.ts';
import { newPodTopologySpread } from './pod-topology-spread.ts';
import { newPrioritySort } from './priority-sort.ts';
import { newTaintToleration } from './taint-toleration.ts';

export function inTreeRegistry(): Registry {
  return new Registry({
    [names.PrioritySort]: newPrioritySort,
    [names.NodeUnschedulable]: newNodeUnschedulable,
    [names.NodeName]: newNodeName,
    [names.TaintToleration]: newTaintToleration,
    [names.NodeReady]: newNodeReady,
    [names.NodeAffinity]: newNodeAffinity,
    [names.NodePorts]: newNodePorts,
    [names.NodeResourcesFit]: newNodeResourcesFit,
    [names.PodTopologySpread]: newPodTopologySpread,
    [names.NodeResourcesBalancedAllocation]: newBalancedAllocation,
    [names.DefaultPreemption]: newDefaultPreemption,
    [names.DefaultBinder]: newDefaultBinder,
  });
}

/** Filter order is upstream's (NodeReady right after TaintToleration); Score weights are upstream's. */
export function defaultProfile(schedulerName: string = DEFAULT_SCHEDULER_NAME): Profile {
  return {
    schedulerName,
    plugins: [
      { name: names.PrioritySort },
      { name: names.NodeUnschedulable },
      { name: names.NodeName },
      { name: names.TaintToleration, weight: 3 },
      { name: names.NodeReady },
      { name: names.NodeAffinity, weight: 2 },
      { name: names.NodePorts },
      { name: names.NodeResourcesFit, weight: 1 },
      { name: names.PodTopologySpread, weight: 2 },
      { name: names.NodeResourcesBalancedAllocation, weight: 1 },
      { name: names.DefaultPreemption },
      { name: names.DefaultBinder },
    ],
  };
}
