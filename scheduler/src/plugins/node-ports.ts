// NodePorts: a pod asking for host ports fits only nodes where none of them is taken.

import type { ClusterEventWithHint } from '../framework/cluster-event.ts';
import { ActionType } from '../framework/cluster-event.ts';
import type { CycleState } from '../framework/cycle-state.ts';
import type { EnqueueExtensions, FilterPlugin, PreFilterPlugin } from '../framework/interfaces.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { podInfoFor } from '../framework/node-info.ts';
import type { HostPort } from '../framework/host-ports.ts';
import type { Status } from '../framework/status.ts';
import { newStatus } from '../framework/status.ts';
import type { Pod } from '../types.ts';
import { NodePorts as NAME } from './names.ts';

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

const PRE_FILTER_KEY = `PreFilter${NAME}`;

export class NodePortsPlugin implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  preFilter(state: CycleState, pod: Pod): Status | undefined {
    const ports = podInfoFor(pod).hostPorts;
    if (ports.length === 0) return newStatus('Skip');
    state.write(PRE_FILTER_KEY, ports);
    return undefined;
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): Status | undefined {
    for (const p of state.read<readonly HostPort[]>(PRE_FILTER_KEY)) {
      if (nodeInfo.usedPorts.checkConflict(p.ip, p.protocol, p.port)) return newStatus('Unschedulable', ERR_REASON_PORTS);
    }
    return undefined;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      // A pod that held a port went away, or a new node came.
      {
        event: { resource: 'AssignedPod', actionType: ActionType.Delete },
        queueingHintFn: (pod, oldObj) => {
          const freed = podInfoFor(oldObj as Pod).hostPorts;
          return podInfoFor(pod).hostPorts.some((w) => freed.some((f) => f.port === w.port && f.protocol === w.protocol)) ? 'Queue' : 'QueueSkip';
        },
      },
      { event: { resource: 'Node', actionType: ActionType.Add } },
    ];
  }
}

export function newNodePorts(): NodePortsPlugin {
  return new NodePortsPlugin();
}
