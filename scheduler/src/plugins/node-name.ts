// NodeName: a pod that names its node (spec.nodeName) fits only that node.

import type { ClusterEventWithHint } from '../framework/cluster-event.ts';
import { ActionType } from '../framework/cluster-event.ts';
import type { CycleState } from '../framework/cycle-state.ts';
import type { EnqueueExtensions, FilterPlugin } from '../framework/interfaces.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { Status } from '../framework/status.ts';
import { newStatus } from '../framework/status.ts';
import type { Node, Pod } from '../types.ts';
import { NodeName as NAME } from './names.ts';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export class NodeNamePlugin implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined {
    const wanted = pod.spec?.nodeName;
    if (!wanted || wanted === nodeInfo.name) return undefined;
    return newStatus('UnschedulableAndUnresolvable', ERR_REASON_NODE_NAME);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Node', actionType: ActionType.Add },
        queueingHintFn: (pod, _old, newObj) => (!pod.spec?.nodeName || pod.spec.nodeName === (newObj as Node).metadata.name ? 'Queue' : 'QueueSkip'),
      },
    ];
  }
}

export function newNodeName(): NodeNamePlugin {
  return new NodeNamePlugin();
}
