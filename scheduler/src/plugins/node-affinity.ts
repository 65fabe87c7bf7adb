// NodeAffinity: Filter keeps nodes matching the pod's nodeSelector and required node affinity;
// Score adds the weights of the preferred terms a node matches.

import type { ClusterEventWithHint } from '../framework/cluster-event.ts';
import { ActionType } from '../framework/cluster-event.ts';
import type { CycleState } from '../framework/cycle-state.ts';
import type { EnqueueExtensions, FilterPlugin, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interfaces.ts';
import { MAX_NODE_SCORE } from '../framework/interfaces.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { defaultNormalizeScore } from '../framework/normalize.ts';
import type { Status } from '../framework/status.ts';
import { newStatus } from '../framework/status.ts';
import type { Node, Pod } from '../types.ts';
import type { CompiledPreferredTerm, RequiredNodeAffinity } from './helpers/node-selector.ts';
import { compilePreferredTerms, matchesRequiredNodeAffinity, requiredNodeAffinity, termMatches } from './helpers/node-selector.ts';
import { NodeAffinity as NAME } from './names.ts';

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

export class NodeAffinityPlugin implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;

  preFilter(state: CycleState, pod: Pod): Status | undefined {
    const r = requiredNodeAffinity(pod);
    if (!r.nodeSelector && !r.terms) return newStatus('Skip');
    state.write(PRE_FILTER_KEY, r);
    return undefined;
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): Status | undefined {
    const node = nodeInfo.node;
    if (!node) return newStatus('Error', 'node not found');
    const r = state.read<RequiredNodeAffinity>(PRE_FILTER_KEY);
    if (matchesRequiredNodeAffinity(r, node)) return undefined;
    return newStatus('UnschedulableAndUnresolvable', ERR_REASON_POD);
  }

  preScore(state: CycleState, pod: Pod): Status | undefined {
    const terms = compilePreferredTerms(pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    if (terms.length === 0) return newStatus('Skip');
    state.write(PRE_SCORE_KEY, terms);
    return undefined;
  }

  /** The sum of the weights of the preferred terms this node matches. */
  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number {
    const node = nodeInfo.node;
    if (!node) return 0;
    let count = 0;
    for (const t of state.read<CompiledPreferredTerm[]>(PRE_SCORE_KEY)) if (termMatches(t.term, node)) count += t.weight;
    return count;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): Status | undefined {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
    return undefined;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel },
        queueingHintFn: (pod, _old, newObj) => (matchesRequiredNodeAffinity(requiredNodeAffinity(pod), newObj as Node) ? 'Queue' : 'QueueSkip'),
      },
      { event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodOther } },
    ];
  }
}

export function newNodeAffinity(): NodeAffinityPlugin {
  return new NodeAffinityPlugin();
}
