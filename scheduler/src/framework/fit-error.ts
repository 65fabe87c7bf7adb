// Why a pod fits nowhere (upstream framework.Diagnosis and FitError), and the message users
// read in the FailedScheduling event and the PodScheduled condition:
//
//   0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.
//
// Format (1.32): "0/<all> nodes are available:" then either " <PreFilterMsg>." (a PreFilter
// rejected the pod outright) or " <histogram>." where the histogram counts each reason over the
// rejected nodes, entries "<count> <reason>" sorted as strings (so "10 x" sorts before "2 y",
// exactly as Go's sort.Strings), then " <PostFilterMsg>" when a PostFilter said something.

import type { NodeToStatus } from './interfaces.ts';
import type { Status } from './status.ts';

export const NO_NODE_AVAILABLE_MSG = (numAllNodes: number) => `0/${numAllNodes} nodes are available`;

/** The message of a pod scheduled while no node exists at all (upstream ErrNoNodesAvailable). */
export const ERR_NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export interface Diagnosis {
  /** The status of each node that was rejected. */
  nodeToStatus: NodeToStatus;
  /** The status counted for nodes absent from nodeToStatus (none: they are not counted). */
  absentNodesStatus?: Status;
  /** Plugins that rejected the pod on some node: only events they registered can requeue it. */
  unschedulablePlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new Map(), unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
}

export class FitError {
  readonly numAllNodes: number;
  readonly diagnosis: Diagnosis;

  constructor(numAllNodes: number, diagnosis: Diagnosis) {
    this.numAllNodes = numAllNodes;
    this.diagnosis = diagnosis;
  }

  /** The histogram of reasons: "1 Insufficient cpu, 2 node(s) ..." (without the final period). */
  static reasonsHistogram(numAllNodes: number, nodeToStatus: NodeToStatus, absent?: Status): string {
    const counts = new Map<string, number>();
    for (const status of nodeToStatus.values()) {
      for (const r of status.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    if (absent && nodeToStatus.size < numAllNodes) {
      for (const r of absent.reasons) counts.set(r, (counts.get(r) ?? 0) + numAllNodes - nodeToStatus.size);
    }
    const entries = [...counts].map(([reason, n]) => `${n} ${reason}`);
    // Go's sort.Strings compares bytes; for the ASCII messages here that is JS's default order.
    entries.sort();
    return entries.join(', ');
  }

  message(): string {
    let msg = `${NO_NODE_AVAILABLE_MSG(this.numAllNodes)}:`;
    const d = this.diagnosis;
    if (d.preFilterMsg) {
      msg += ` ${d.preFilterMsg}.`;
    } else {
      const histogram = FitError.reasonsHistogram(this.numAllNodes, d.nodeToStatus, d.absentNodesStatus);
      if (histogram) msg += ` ${histogram}.`;
    }
    if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
    return msg;
  }
}
