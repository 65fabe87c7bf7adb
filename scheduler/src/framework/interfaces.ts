// The plugin interfaces (upstream pkg/scheduler/framework/interface.go), one small interface
// per extension point. A plugin implements any subset; the framework calls each extension
// point's plugins in the configured order.
//
// Scheduling cycle (synchronous, one pod at a time, against one consistent cache):
//   PreFilter -> Filter (per node) -> [PostFilter when no node fits] -> PreScore -> Score
//   (per node) -> NormalizeScore -> Reserve
// Binding cycle (asynchronous, many pods at once):
//   Bind (first binder that does not Skip) -> on failure Unreserve.
//
// Contracts: Filter and Score must not change the cache or the pod; everything a plugin
// computes for a cycle goes into the CycleState. A returned Status (or undefined for Success)
// is an outcome; a thrown exception is a bug and becomes code Error for that pod.

import type { KubeObject } from '@minik8s/shared';
import type { Pod } from '../types.ts';
import type { ClusterEventWithHint } from './cluster-event.ts';
import type { CycleState } from './cycle-state.ts';
import type { NodeInfo } from './node-info.ts';
import type { Status } from './status.ts';

/** Scores are in [MIN_NODE_SCORE, MAX_NODE_SCORE] after normalization. */
export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export interface Plugin {
  readonly name: string;
}

export interface PreFilterPlugin extends Plugin {
  /** Once per cycle with every node. Skip disables this plugin's Filter for the cycle. */
  preFilter(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status | undefined;
}

export interface FilterPlugin extends Plugin {
  /** Can the pod run on this node? */
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined;
}

/** What each node's filters said, for nodes that did not pass (upstream NodeToStatus). */
export type NodeToStatus = Map<string, Status>;

export interface PostFilterResult {
  /** The node the pod is nominated to (after preemption); '' clears a nomination. */
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  /** Called when no node fits; its Status message is appended to the FailedScheduling message. */
  postFilter(state: CycleState, pod: Pod, statuses: NodeToStatus, allNodes: readonly NodeInfo[]): { result?: PostFilterResult; status: Status | undefined };
}

export interface PreScorePlugin extends Plugin {
  /** Once per cycle with the feasible nodes. Skip disables this plugin's Score for the cycle. */
  preScore(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status | undefined;
}

export interface NodeScore {
  name: string;
  score: number;
}

export interface ScorePlugin extends Plugin {
  /** A raw score for one feasible node (any integer range; normalizeScore maps it to 0..100). */
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  /** Rewrites `scores` in place into [0, 100]. Absent: the raw scores must already be in range. */
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): Status | undefined;
}

export interface ReservePlugin extends Plugin {
  /** The pod is assumed on `nodeName`; reserve whatever the plugin tracks. */
  reserve(state: CycleState, pod: Pod, nodeName: string): Status | undefined;
  /** Undo reserve (the cycle failed later). Must be idempotent and must not fail. */
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

export interface BindPlugin extends Plugin {
  /** Binds the pod. Skip means "not mine": the next bind plugin is asked. */
  bind(state: CycleState, pod: Pod, nodeName: string, signal?: AbortSignal): Promise<Status | undefined>;
}

/** Orders the active queue (upstream QueueSortPlugin). */
export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfoLike, b: QueuedPodInfoLike): boolean;
}

export interface QueuedPodInfoLike {
  readonly pod: Pod;
  /** When the pod was (last) added to the queue, ms. */
  readonly timestamp: number;
}

/** Plugins that can reject pods say which cluster events may resolve their rejection. */
export interface EnqueueExtensions {
  eventsToRegister(): ClusterEventWithHint[];
}

// ---- what plugins can reach ----------------------------------------------------------------

/** Read access to the nodes of the current cycle (upstream SharedLister.NodeInfos()). */
export interface NodeInfoLister {
  list(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
}

/** The objects default spreading looks at to find a pod's siblings (services, owning sets). */
export interface WorkloadListers {
  services(namespace: string): readonly KubeObject[];
  replicaSet(namespace: string, name: string): KubeObject | undefined;
  statefulSet(namespace: string, name: string): KubeObject | undefined;
  replicationController(namespace: string, name: string): KubeObject | undefined;
}

/** The part of the REST client the default binder needs (RestClient satisfies it). */
export interface BindingClient {
  create(resource: 'pods', obj: KubeObject, opts: { namespace?: string; subresource?: string; name?: string; signal?: AbortSignal }): Promise<unknown>;
}

export interface Handle {
  readonly snapshot: NodeInfoLister;
  readonly listers: WorkloadListers;
  readonly client?: BindingClient;
}

// ---- type guards ------------------------------------------------------------------------------

export const isPreFilter = (p: Plugin): p is PreFilterPlugin => typeof (p as PreFilterPlugin).preFilter === 'function';
export const isFilter = (p: Plugin): p is FilterPlugin => typeof (p as FilterPlugin).filter === 'function';
export const isPostFilter = (p: Plugin): p is PostFilterPlugin => typeof (p as PostFilterPlugin).postFilter === 'function';
export const isPreScore = (p: Plugin): p is PreScorePlugin => typeof (p as PreScorePlugin).preScore === 'function';
export const isScore = (p: Plugin): p is ScorePlugin => typeof (p as ScorePlugin).score === 'function';
export const isReserve = (p: Plugin): p is ReservePlugin => typeof (p as ReservePlugin).reserve === 'function';
export const isBind = (p: Plugin): p is BindPlugin => typeof (p as BindPlugin).bind === 'function';
export const isQueueSort = (p: Plugin): p is QueueSortPlugin => typeof (p as QueueSortPlugin).less === 'function';
export const isEnqueueExtensions = (p: Plugin): p is Plugin & EnqueueExtensions =>
  typeof (p as unknown as EnqueueExtensions).eventsToRegister === 'function';
