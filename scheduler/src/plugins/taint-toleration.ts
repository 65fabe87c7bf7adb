// TaintToleration: Filter rejects nodes with a NoSchedule/NoExecute taint the pod does not
// tolerate; Score prefers nodes with fewer untolerated PreferNoSchedule taints.

import type { ClusterEventWithHint } from '../framework/cluster-event.ts';
import { ActionType } from '../framework/cluster-event.ts';
import type { CycleState } from '../framework/cycle-state.ts';
import type { EnqueueExtensions, FilterPlugin, NodeScore, PreScorePlugin, ScorePlugin } from '../framework/interfaces.ts';
import { MAX_NODE_SCORE } from '../framework/interfaces.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { defaultNormalizeScore } from '../framework/normalize.ts';
import type { Status } from '../framework/status.ts';
import { newStatus } from '../framework/status.ts';
import type { Node, Pod, Toleration } from '../types.ts';
import { doNotScheduleTaint, findMatchingUntoleratedTaint, tolerationsTolerateTaint, untoleratedTaintReason } from './helpers/taints.ts';
import { TaintToleration as NAME } from './names.ts';

const PRE_SCORE_KEY = `PreScore${NAME}`;

export class TaintTolerationPlugin implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined {
    const taint = findMatchingUntoleratedTaint(nodeInfo.node?.spec?.taints, pod.spec?.tolerations, doNotScheduleTaint);
    if (!taint) return undefined;
    return newStatus('UnschedulableAndUnresolvable', untoleratedTaintReason(taint));
  }

  preScore(state: CycleState, pod: Pod): Status | undefined {
    // Tolerations with an empty effect tolerate PreferNoSchedule taints too.
    const prefer = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(PRE_SCORE_KEY, prefer);
    return undefined;
  }

  /** The number of PreferNoSchedule taints the pod does not tolerate (fewer is better). */
  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number {
    const tolerations = state.read<Toleration[]>(PRE_SCORE_KEY);
    let n = 0;
    for (const taint of nodeInfo.node?.spec?.taints ?? []) {
      if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taint)) n++;
    }
    return n;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): Status | undefined {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
    return undefined;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint },
        queueingHintFn: (pod, _old, newObj) =>
          findMatchingUntoleratedTaint((newObj as Node).spec?.taints, pod.spec?.tolerations, doNotScheduleTaint) ? 'QueueSkip' : 'Queue',
      },
      { event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodTolerations } },
    ];
  }
}

export function newTaintToleration(): TaintTolerationPlugin {
  return new TaintTolerationPlugin();
}
