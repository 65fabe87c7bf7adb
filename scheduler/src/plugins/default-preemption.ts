// DefaultPreemption, as a diagnosis only: minik8s does not evict pods to make room (there are
// no PriorityClasses, so every pod has priority 0 and nothing is ever preemptible). What it
// keeps from upstream is the second half of the FailedScheduling message, which says whether
// preemption could help on each node:
//   - pods with preemptionPolicy Never: "preemption: not eligible due to preemptionPolicy=Never."
//   - nodes rejected as UnschedulableAndUnresolvable (taints, selectors...), and every node
//     when none was merely Unschedulable: "Preemption is not helpful for scheduling";
//   - Unschedulable nodes (e.g. Insufficient cpu) without lower-priority pods:
//     "No preemption victims found for incoming pod";
//   - Unschedulable nodes that do hold lower-priority pods: upstream would try to preempt them;
//     we do not and say so (PREEMPTION_NOT_SUPPORTED).

import type { CycleState } from '../framework/cycle-state.ts';
import type { NodeToStatus, PostFilterPlugin, PostFilterResult } from '../framework/interfaces.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { FitError, newDiagnosis } from '../framework/fit-error.ts';
import type { Status } from '../framework/status.ts';
import { newStatus } from '../framework/status.ts';
import type { Pod } from '../types.ts';
import { podPriority } from '../types.ts';
import { DefaultPreemption as NAME } from './names.ts';

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_PREEMPTION_VICTIMS = 'No preemption victims found for incoming pod';
export const PREEMPTION_NOT_SUPPORTED = 'Preemption of lower-priority pods is not supported';
export const NOT_ELIGIBLE_NEVER = 'not eligible due to preemptionPolicy=Never.';

export class DefaultPreemptionPlugin implements PostFilterPlugin {
  readonly name = NAME;

  postFilter(_state: CycleState, pod: Pod, statuses: NodeToStatus, allNodes: readonly NodeInfo[]): { result?: PostFilterResult; status: Status | undefined } {
    if (pod.spec?.preemptionPolicy === 'Never') return { status: newStatus('Unschedulable', `preemption: ${NOT_ELIGIBLE_NEVER}`) };
    const priority = podPriority(pod);
    const diagnosis = newDiagnosis();
    for (const ni of allNodes) {
      const s = statuses.get(ni.name);
      if (s?.code !== 'Unschedulable') continue;
      const victims = ni.pods.some((p) => podPriority(p.pod) < priority);
      diagnosis.nodeToStatus.set(ni.name, newStatus(victims ? 'Unschedulable' : 'UnschedulableAndUnresolvable', victims ? PREEMPTION_NOT_SUPPORTED : NO_PREEMPTION_VICTIMS));
    }
    diagnosis.absentNodesStatus = newStatus('UnschedulableAndUnresolvable', PREEMPTION_NOT_HELPFUL);
    const fit = new FitError(allNodes.length, diagnosis);
    // The nomination is cleared, as upstream does when no candidate is found.
    return { result: { nominatedNodeName: '' }, status: newStatus('Unschedulable', `preemption: ${fit.message()}`) };
  }
}

export function newDefaultPreemption(): DefaultPreemptionPlugin {
  return new DefaultPreemptionPlugin();
}
