// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint (DaemonSet pods do).

import type { ClusterEventWithHint } from '../framework/cluster-event.ts';
import { ActionType } from '../framework/cluster-event.ts';
import type { CycleState } from '../framework/cycle-state.ts';
import type { EnqueueExtensions, FilterPlugin } from '../framework/interfaces.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { Status } from '../framework/status.ts';
import { newStatus } from '../framework/status.ts';
import type { Node, Pod } from '../types.ts';
import { TAINT_NODE_UNSCHEDULABLE, tolerationsTolerateTaint } from './helpers/taints.ts';
import { NodeUnschedulable as NAME } from './names.ts';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const ERR_REASON_UNKNOWN_CONDITION = 'node(s) had unknown conditions';

function tolerates(pod: Pod): boolean {
  return tolerationsTolerateTaint(pod.spec?.tolerations, { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
}

export class NodeUnschedulablePlugin implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined {
    const node = nodeInfo.node;
    if (!node) return newStatus('UnschedulableAndUnresolvable', ERR_REASON_UNKNOWN_CONDITION);
    if (!node.spec?.unschedulable || tolerates(pod)) return undefined;
    return newStatus('UnschedulableAndUnresolvable', ERR_REASON_UNSCHEDULABLE);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeSpecUnschedulable },
        // Only a node that takes pods again can help.
        queueingHintFn: (pod, _old, newObj) => (!(newObj as Node).spec?.unschedulable || tolerates(pod) ? 'Queue' : 'QueueSkip'),
      },
    ];
  }
}

export function newNodeUnschedulable(): NodeUnschedulablePlugin {
  return new NodeUnschedulablePlugin();
}
