// NodeResourcesBalancedAllocation: prefers nodes where, with the pod on them, cpu and memory
// are used in similar proportions (so neither is stranded). Best-effort pods (no requests)
// are not scored by it, as upstream (kubernetes#129138): they would otherwise all favour the
// same node.

import type { CycleState } from '../framework/cycle-state.ts';
import type { PreScorePlugin, ScorePlugin } from '../framework/interfaces.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { podInfoFor } from '../framework/node-info.ts';
import type { Status } from '../framework/status.ts';
import { newStatus } from '../framework/status.ts';
import type { Pod } from '../types.ts';
import type { ResourceSpec } from './helpers/resource-allocation.ts';
import { DEFAULT_RESOURCES, balancedResourceScorer, podRequestList, scoreNode } from './helpers/resource-allocation.ts';
import { NodeResourcesBalancedAllocation as NAME } from './names.ts';

const PRE_SCORE_KEY = `PreScore${NAME}`;

export interface BalancedAllocationArgs {
  resources?: ResourceSpec[];
}

export class BalancedAllocationPlugin implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  private readonly resources: readonly ResourceSpec[];

  constructor(args: BalancedAllocationArgs = {}) {
    this.resources = args.resources?.length ? args.resources : DEFAULT_RESOURCES;
  }

  preScore(state: CycleState, pod: Pod): Status | undefined {
    const requests = podRequestList(podInfoFor(pod), this.resources, true);
    if (requests.every((r) => r === 0)) return newStatus('Skip');
    state.write(PRE_SCORE_KEY, requests);
    return undefined;
  }

  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number {
    return scoreNode(nodeInfo, this.resources, state.read<number[]>(PRE_SCORE_KEY), true, balancedResourceScorer);
  }
}

export function newBalancedAllocation(args?: unknown): BalancedAllocationPlugin {
  return new BalancedAllocationPlugin((args ?? {}) as BalancedAllocationArgs);
}
