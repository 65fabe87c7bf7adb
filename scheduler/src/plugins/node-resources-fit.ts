// NodeResourcesFit: Filter checks the pod's requests (cpu, memory, ephemeral-storage, extended
// resources) and one more pod against what the node has left after every pod bound or
// assumed there; Score ranks nodes by the LeastAllocated strategy (default) or MostAllocated.

import type { ClusterEventWithHint } from '../framework/cluster-event.ts';
import { ActionType } from '../framework/cluster-event.ts';
import type { CycleState } from '../framework/cycle-state.ts';
import type { EnqueueExtensions, FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interfaces.ts';
import type { NodeInfo, PodInfo } from '../framework/node-info.ts';
import { podInfoFor } from '../framework/node-info.ts';
import type { Resource } from '../framework/resource.ts';
import { CPU, EPHEMERAL_STORAGE, MEMORY, resourceFromList } from '../framework/resource.ts';
import type { Status } from '../framework/status.ts';
import { newStatus } from '../framework/status.ts';
import type { Node, Pod } from '../types.ts';
import type { ResourceScorer, ResourceSpec } from './helpers/resource-allocation.ts';
import { DEFAULT_RESOURCES, leastAllocatedScorer, mostAllocatedScorer, podRequestList, scoreNode } from './helpers/resource-allocation.ts';
import { NodeResourcesFit as NAME } from './names.ts';

export const REASON_TOO_MANY_PODS = 'Too many pods';
export const insufficientReason = (resource: string) => `Insufficient ${resource}`;

export interface NodeResourcesFitArgs {
  scoringStrategy?: { type?: 'LeastAllocated' | 'MostAllocated'; resources?: ResourceSpec[] };
}

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

/** The reasons the pod does not fit the node's free resources ([] when it fits). */
export function fitsRequest(pi: PodInfo, nodeInfo: NodeInfo): string[] {
  const reasons: string[] = [];
  if (nodeInfo.pods.length + 1 > nodeInfo.allocatable.allowedPodNumber) reasons.push(REASON_TOO_MANY_PODS);
  const req = pi.requests;
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && req.scalar.size === 0) return reasons;
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) reasons.push(insufficientReason(CPU));
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) reasons.push(insufficientReason(MEMORY));
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) reasons.push(insufficientReason(EPHEMERAL_STORAGE));
  for (const [name, q] of req.scalar) {
    if (q === 0) continue;
    if (q > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) reasons.push(insufficientReason(name));
  }
  return reasons;
}

/** Whether the pod would fit an empty node with this allocatable (for queueing hints). */
function fitsAllocatable(pi: PodInfo, alloc: Resource): boolean {
  const r = pi.requests;
  if (alloc.allowedPodNumber < 1) return false;
  if (r.milliCPU > alloc.milliCPU || r.memory > alloc.memory || r.ephemeralStorage > alloc.ephemeralStorage) return false;
  for (const [name, q] of r.scalar) if (q > (alloc.scalar.get(name) ?? 0)) return false;
  return true;
}

export class NodeResourcesFitPlugin implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly resources: readonly ResourceSpec[];
  private readonly scorer: ResourceScorer;

  constructor(args: NodeResourcesFitArgs = {}) {
    const strategy = args.scoringStrategy ?? {};
    this.resources = strategy.resources?.length ? strategy.resources : DEFAULT_RESOURCES;
    const type = strategy.type ?? 'LeastAllocated';
    if (type === 'LeastAllocated') this.scorer = leastAllocatedScorer(this.resources);
    else if (type === 'MostAllocated') this.scorer = mostAllocatedScorer(this.resources);
    else throw new Error(`scoring strategy ${String(type)} is not supported`);
  }

  preFilter(state: CycleState, pod: Pod): Status | undefined {
    state.write(PRE_FILTER_KEY, podInfoFor(pod));
    return undefined;
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): Status | undefined {
    const reasons = fitsRequest(state.read<PodInfo>(PRE_FILTER_KEY), nodeInfo);
    return reasons.length === 0 ? undefined : newStatus('Unschedulable', ...reasons);
  }

  preScore(state: CycleState, pod: Pod): Status | undefined {
    state.write(PRE_SCORE_KEY, podRequestList(podInfoFor(pod), this.resources, false));
    return undefined;
  }

  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number {
    return scoreNode(nodeInfo, this.resources, state.read<number[]>(PRE_SCORE_KEY), false, this.scorer);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      // Resources were freed; any deletion may be what this pod waits for.
      { event: { resource: 'AssignedPod', actionType: ActionType.Delete } },
      {
        event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeAllocatable },
        queueingHintFn: (pod, _old, newObj) => (fitsAllocatable(podInfoFor(pod), resourceFromList((newObj as Node).status?.allocatable)) ? 'Queue' : 'QueueSkip'),
      },
      { event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodScaleDown } },
    ];
  }
}

export function newNodeResourcesFit(args?: unknown): NodeResourcesFitPlugin {
  return new NodeResourcesFitPlugin((args ?? {}) as NodeResourcesFitArgs);
}
