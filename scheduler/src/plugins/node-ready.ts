// NodeReady (minik8s): a node whose Ready condition is not True takes only pods that tolerate
// the taint the node lifecycle controller would put on it (upstream's TaintNodesByCondition):
// Ready=False -> node.kubernetes.io/not-ready:NoSchedule, Ready=Unknown or no Ready condition
// -> node.kubernetes.io/unreachable:NoSchedule. The reason is worded as upstream's
// TaintToleration words that taint, so FailedScheduling reads the same whether or not a
// controller has tainted the node yet. Runs after TaintToleration: a node that carries the real
// taint is reported once, by TaintToleration.

import type { ClusterEventWithHint } from '../framework/cluster-event.ts';
import { ActionType } from '../framework/cluster-event.ts';
import type { CycleState } from '../framework/cycle-state.ts';
import type { EnqueueExtensions, FilterPlugin } from '../framework/interfaces.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { Status } from '../framework/status.ts';
import { newStatus } from '../framework/status.ts';
import type { Node, Pod, Taint } from '../types.ts';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, tolerationsTolerateTaint, untoleratedTaintReason } from './helpers/taints.ts';
import { NodeReady as NAME } from './names.ts';

/** The NoSchedule taint a node's Ready condition implies, or undefined for a Ready node. */
export function impliedReadinessTaint(node: Node): Taint | undefined {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return undefined;
  if (ready?.status === 'False') return { key: TAINT_NODE_NOT_READY, effect: 'NoSchedule' };
  return { key: TAINT_NODE_UNREACHABLE, effect: 'NoSchedule' };
}

function fits(pod: Pod, node: Node): boolean {
  const taint = impliedReadinessTaint(node);
  return taint === undefined || tolerationsTolerateTaint(pod.spec?.tolerations, taint);
}

export class NodeReadyPlugin implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined {
    const node = nodeInfo.node;
    if (!node) return undefined; // NodeUnschedulable reports nodes without a Node object
    const taint = impliedReadinessTaint(node);
    if (taint === undefined || tolerationsTolerateTaint(pod.spec?.tolerations, taint)) return undefined;
    return newStatus('UnschedulableAndUnresolvable', untoleratedTaintReason(taint));
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeCondition },
        queueingHintFn: (pod, _old, newObj) => (fits(pod, newObj as Node) ? 'Queue' : 'QueueSkip'),
      },
    ];
  }
}

export function newNodeReady(): NodeReadyPlugin {
  return new NodeReadyPlugin();
}
