// The arithmetic shared by the resource scorers (upstream noderesources.resourceAllocationScorer):
// for each configured resource, how much of it the node would have requested with this pod on
// it, against its allocatable. Go's int64 arithmetic is kept (Math.trunc on every division)
// so scores equal upstream's to the point.

import { MAX_NODE_SCORE } from '../../framework/interfaces.ts';
import type { NodeInfo, PodInfo } from '../../framework/node-info.ts';
import { CPU, EPHEMERAL_STORAGE, MEMORY, isScalarResourceName } from '../../framework/resource.ts';

export interface ResourceSpec {
  name: string;
  weight: number;
}

/** cpu and memory, weight 1 each: the default of every resource scorer. */
export const DEFAULT_RESOURCES: readonly ResourceSpec[] = [
  { name: CPU, weight: 1 },
  { name: MEMORY, weight: 1 },
];

/**
 * The pod's request for each resource. `useRequested` false (LeastAllocated/MostAllocated)
 * charges 100m/200Mi for containers without cpu/memory requests, so empty pods still spread;
 * BalancedAllocation uses the real requests.
 */
export function podRequestList(pi: PodInfo, resources: readonly ResourceSpec[], useRequested: boolean): number[] {
  return resources.map(({ name }) => {
    switch (name) {
      case CPU:
        return useRequested ? pi.requests.milliCPU : pi.nonZeroMilliCPU;
      case MEMORY:
        return useRequested ? pi.requests.memory : pi.nonZeroMemory;
      case EPHEMERAL_STORAGE:
        return pi.requests.ephemeralStorage;
      default:
        return pi.requests.scalar.get(name) ?? 0;
    }
  });
}

/** [allocatable, requested-with-the-pod] of one resource on a node; [0, 0] means "do not score it". */
export function allocatableAndRequested(nodeInfo: NodeInfo, resource: string, podRequest: number, useRequested: boolean): [number, number] {
  const requested = useRequested ? nodeInfo.requested : nodeInfo.nonZeroRequested;
  if (podRequest === 0 && isScalarResourceName(resource)) return [0, 0];
  switch (resource) {
    case CPU:
      return [nodeInfo.allocatable.milliCPU, requested.milliCPU + podRequest];
    case MEMORY:
      return [nodeInfo.allocatable.memory, requested.memory + podRequest];
    case EPHEMERAL_STORAGE:
      return [nodeInfo.allocatable.ephemeralStorage, nodeInfo.requested.ephemeralStorage + podRequest];
    default:
      if (isScalarResourceName(resource)) {
        return [nodeInfo.allocatable.scalar.get(resource) ?? 0, (nodeInfo.requested.scalar.get(resource) ?? 0) + podRequest];
      }
      return [0, 0];
  }
}

export type ResourceScorer = (requested: number[], allocatable: number[]) => number;

/** Scores a node: resources the node has none of are left out. */
export function scoreNode(
  nodeInfo: NodeInfo,
  resources: readonly ResourceSpec[],
  podRequests: readonly number[],
  useRequested: boolean,
  scorer: ResourceScorer,
): number {
  const requested = new Array<number>(resources.length).fill(0);
  const allocatable = new Array<number>(resources.length).fill(0);
  for (let i = 0; i < resources.length; i++) {
    const [alloc, req] = allocatableAndRequested(nodeInfo, resources[i].name, podRequests[i], useRequested);
    if (alloc === 0) continue;
    allocatable[i] = alloc;
    requested[i] = req;
  }
  return scorer(requested, allocatable);
}

/** (capacity - requested) / capacity, scaled to 0..100; 0 when over capacity. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** requested / capacity, scaled to 0..100; capped at 100. */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return Math.trunc((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);
}

function weighted(resources: readonly ResourceSpec[], per: (req: number, cap: number) => number): ResourceScorer {
  return (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      nodeScore += per(requested[i], allocatable[i]) * resources[i].weight;
      weightSum += resources[i].weight;
    }
    return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
  };
}

export function leastAllocatedScorer(resources: readonly ResourceSpec[]): ResourceScorer {
  return weighted(resources, leastRequestedScore);
}

export function mostAllocatedScorer(resources: readonly ResourceSpec[]): ResourceScorer {
  return weighted(resources, mostRequestedScore);
}

/**
 * 100 * (1 - standard deviation of the requested fractions): nodes whose cpu and memory are
 * used in the same proportion score higher. Two resources: std = |f1 - f2| / 2.
 */
export const balancedResourceScorer: ResourceScorer = (requested, allocatable) => {
  const fractions: number[] = [];
  let total = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(1, requested[i] / allocatable[i]);
    total += f;
    fractions.push(f);
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
  else if (fractions.length > 2) {
    const mean = total / fractions.length;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
};
