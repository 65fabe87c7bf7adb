// The scheduler loop (upstream schedule_one.go): pop a pod, find it a node, assume it there,
// bind it in the background, and move on to the next pod at once.
//
// scheduleOne, for one pod:
//  1. Skip pods being deleted or already assumed (their binding is in flight).
//  2. Scheduling cycle (synchronous, so it sees one consistent cache):
//     a. PreFilter; Filter nodes, starting where the previous pod stopped and stopping once
//        enough feasible nodes are found (adaptive percentageOfNodesToScore, >= 100 nodes).
//     b. No feasible node: PostFilter (preemption diagnosis), then handleSchedulingFailure:
//        FailedScheduling event, PodScheduled=False condition, back to the queue.
//     c. Score the feasible nodes, pick the best (ties at random).
//     d. Assume: the pod counts on that node in the cache from now on, then Reserve.
//  3. Binding cycle (asynchronous, up to maxInFlightBindings at once): Bind through the API.
//     Success: finishBinding, a Scheduled event. Failure: Unreserve, forget the assumed pod
//     (its resources are free again, and waiting pods hear of it), then handleSchedulingFailure.

import type { Logger } from 'pino';
import { pino } from 'pino';
import { isConflict, isStatusError } from '@minik8s/shared';
import { SchedulerCache } from './cache/scheduler-cache.ts';
import { AssignedPodDelete } from './framework/cluster-event.ts';
import { CycleState } from './framework/cycle-state.ts';
import type { Diagnosis } from './framework/fit-error.ts';
import { ERR_NO_NODES_AVAILABLE, FitError, newDiagnosis } from './framework/fit-error.ts';
import type { NodePluginScores, Profile } from './framework/framework.ts';
import { Framework } from './framework/framework.ts';
import type { BindingClient, Handle, WorkloadListers } from './framework/interfaces.ts';
import type { NodeInfo } from './framework/node-info.ts';
import type { Registry } from './framework/registry.ts';
import type { Status } from './framework/status.ts';
import { asStatus, newStatus } from './framework/status.ts';
import type { EventClient, EventRecorder } from '@minik8s/shared';
import { objectReference } from '@minik8s/shared';
import type { SchedulerMetrics } from './metrics.ts';
import type { PodStatusClient } from './pod-condition.ts';
import { podScheduledConditionPatch, updatePodCondition } from './pod-condition.ts';
import { defaultProfile, inTreeRegistry } from './plugins/registry.ts';
import type { QueueClock } from './queue/scheduling-queue.ts';
import { SchedulingQueue } from './queue/scheduling-queue.ts';
import type { QueuedPodInfo } from './queue/queued-pod-info.ts';
import type { Pod } from './types.ts';
import { podKey, schedulerNameOf } from './types.ts';

export type SchedulerClient = BindingClient & EventClient & PodStatusClient;

export interface SchedulerOptions {
  client: SchedulerClient;
  listers: WorkloadListers;
  /** The current version of a pending pod (the unscheduled-pods informer), undefined when gone. */
  pendingPod(namespace: string, name: string): Pod | undefined;
  profile?: Profile;
  registry?: Registry;
  clock?: QueueClock;
  logger?: Logger;
  metrics?: SchedulerMetrics;
  recorder?: EventRecorder;
  /** Binding cycles allowed in flight at once (default 128: enough for etcd to batch commits, few enough not to queue up in the apiserver). */
  maxInFlightBindings?: number;
  /** Random source for breaking score ties (default Math.random). */
  random?: () => number;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  assumedPodTTLMs?: number;
}

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

type ScheduleResult =
  | { kind: 'scheduled'; host: string; evaluatedNodes: number; feasibleNodes: number }
  | { kind: 'unschedulable'; status: Status; message: string; diagnosis: Diagnosis }
  | { kind: 'error'; status: Status };

const realClock: QueueClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly framework: Framework;
  readonly profileName: string;
  private readonly client: SchedulerClient;
  private readonly pendingPod: SchedulerOptions['pendingPod'];
  private readonly clock: QueueClock;
  private readonly logger: Logger;
  private readonly metrics: SchedulerMetrics | undefined;
  private readonly recorder: EventRecorder | undefined;
  private readonly maxInFlight: number;
  private readonly random: () => number;
  private readonly inFlight = new Set<Promise<void>>();
  private nextStartNodeIndex = 0;

  constructor(opts: SchedulerOptions) {
    this.client = opts.client;
    this.pendingPod = opts.pendingPod;
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.metrics = opts.metrics;
    this.recorder = opts.recorder;
    this.maxInFlight = opts.maxInFlightBindings ?? 128;
    this.random = opts.random ?? Math.random;
    this.cache = new SchedulerCache({ clock: this.clock, assumedPodTTLMs: opts.assumedPodTTLMs });
    const profile = opts.profile ?? defaultProfile();
    this.profileName = profile.schedulerName;
    const handle: Handle = { snapshot: this.cache, listers: opts.listers, client: opts.client };
    const metrics = this.metrics;
    this.framework = new Framework(
      opts.registry ?? inTreeRegistry(),
      profile,
      handle,
      metrics ? (point, status, seconds) => metrics.extensionPointDuration.observe({ extension_point: point, status, profile: this.profileName }, seconds) : undefined,
    );
    this.queue = new SchedulingQueue({
      less: (a, b) => this.framework.less(a, b),
      eventsToRegister: this.framework.eventsToRegister(),
      clock: this.clock,
      metrics,
      podInitialBackoffMs: opts.podInitialBackoffMs,
      podMaxBackoffMs: opts.podMaxBackoffMs,
    });
  }

  /** Does this scheduler handle the pod (spec.schedulerName)? */
  responsibleForPod(pod: Pod): boolean {
    return schedulerNameOf(pod) === this.profileName;
  }

  /**
   * Schedules until `signal` aborts: then stops taking pods, lets the bindings in flight
   * finish, and resolves. Call it once the informers have synced.
   */
  async run(signal: AbortSignal): Promise<void> {
    this.queue.run();
    const onAbort = () => this.queue.close();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) this.queue.close();
    let cleanup: { cancel(): void } | undefined;
    const cleanupLoop = () => {
      for (const pod of this.cache.cleanupExpiredAssumedPods(this.clock.now())) {
        this.logger.warn({ pod: podKey(pod), node: pod.spec.nodeName }, 'assumed pod expired without being confirmed by the API');
      }
      if (!signal.aborted) cleanup = this.clock.setTimeout(cleanupLoop, 1000);
    };
    cleanup = this.clock.setTimeout(cleanupLoop, 1000);
    try {
      for (;;) {
        while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
        const pInfo = await this.queue.pop();
        if (!pInfo) break;
        this.scheduleOne(pInfo, signal);
        // Let responses, watch events and probes in between pods.
        await yieldToEventLoop();
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      cleanup?.cancel();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /** Bindings not finished yet. */
  inFlightBindings(): number {
    return this.inFlight.size;
  }

  /** One pod's scheduling cycle; a successful one starts its binding cycle in the background. */
  scheduleOne(pInfo: QueuedPodInfo, signal?: AbortSignal): void {
    const pod = pInfo.pod;
    if (pod.metadata.deletionTimestamp || this.cache.isAssumedPod(pod)) return;
    const start = performance.now();
    const cycle = this.queue.currentSchedulingCycle();
    const state = new CycleState();
    const algoStart = performance.now();
    const result = this.schedulePod(state, pod);
    this.metrics?.schedulingAlgorithmDuration.observe((performance.now() - algoStart) / 1000);
    if (result.kind === 'error') {
      this.failed(pInfo, result.status, result.status.message(), undefined, cycle, start);
      return;
    }
    if (result.kind === 'unschedulable') {
      this.failed(pInfo, result.status, result.message, result.diagnosis, cycle, start);
      return;
    }
    const host = result.host;
    const assumed: Pod = { ...pod, spec: { ...pod.spec, nodeName: host } };
    try {
      this.cache.assumePod(assumed);
    } catch (err) {
      this.failed(pInfo, asStatus(err), (err as Error).message, undefined, cycle, start);
      return;
    }
    const reserve = this.framework.runReservePluginsReserve(state, assumed, host);
    if (reserve) {
      this.framework.runReservePluginsUnreserve(state, assumed, host);
      this.forget(assumed);
      if (!reserve.isRejected()) {
        this.failed(pInfo, reserve, reserve.message(), undefined, cycle, start);
        return;
      }
      // As upstream: a rejection is a FitError over the one node tried, so the pod waits in the
      // unschedulable set for an event the rejecting plugin registered for.
      const diagnosis = newDiagnosis();
      diagnosis.nodeToStatus.set(host, reserve);
      if (reserve.plugin) diagnosis.unschedulablePlugins.add(reserve.plugin);
      const message = new FitError(1, diagnosis).message();
      this.failed(pInfo, reserve, message, diagnosis, cycle, start);
      return;
    }
    const p = this.bindingCycle(state, pInfo, assumed, host, cycle, start, signal).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  // ---- the scheduling algorithm -------------------------------------------------------------

  /** upstream schedulePod: the node for `pod`, or why there is none. */
  schedulePod(state: CycleState, pod: Pod): ScheduleResult {
    const nodes = this.cache.list();
    if (nodes.length === 0) {
      return { kind: 'unschedulable', status: newStatus('UnschedulableAndUnresolvable', ERR_NO_NODES_AVAILABLE), message: ERR_NO_NODES_AVAILABLE, diagnosis: newDiagnosis() };
    }
    const found = this.findNodesThatFitPod(state, pod, nodes);
    if ('error' in found) return { kind: 'error', status: found.error };
    const { feasible, diagnosis } = found;
    if (feasible.length === 0) {
      const fitError = new FitError(nodes.length, diagnosis);
      if (this.framework.hasPostFilterPlugins()) {
        this.metrics?.preemptionAttempts.inc();
        const post = this.framework.runPostFilterPlugins(state, pod, diagnosis.nodeToStatus, nodes);
        diagnosis.postFilterMsg = post.status.isSuccess() ? '' : post.status.message();
      }
      return { kind: 'unschedulable', status: newStatus('Unschedulable', fitError.message()), message: fitError.message(), diagnosis };
    }
    const evaluatedNodes = feasible.length + diagnosis.nodeToStatus.size;
    if (feasible.length === 1) return { kind: 'scheduled', host: feasible[0].name, evaluatedNodes, feasibleNodes: 1 };
    const pre = this.framework.runPreScorePlugins(state, pod, feasible);
    if (pre) return { kind: 'error', status: pre };
    const { scores, status } = this.framework.runScorePlugins(state, pod, feasible);
    if (status) return { kind: 'error', status };
    return { kind: 'scheduled', host: this.selectHost(scores), evaluatedNodes, feasibleNodes: feasible.length };
  }

  private findNodesThatFitPod(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): { feasible: NodeInfo[]; diagnosis: Diagnosis } | { error: Status } {
    const diagnosis = newDiagnosis();
    const pre = this.framework.runPreFilterPlugins(state, pod, nodes);
    if (pre) {
      if (pre.code === 'Error') return { error: pre };
      // A PreFilter rejection applies to every node; its message replaces the histogram.
      for (const n of nodes) diagnosis.nodeToStatus.set(n.name, pre);
      diagnosis.preFilterMsg = pre.message();
      if (pre.plugin) diagnosis.unschedulablePlugins.add(pre.plugin);
      return { feasible: [], diagnosis };
    }
    const numAll = nodes.length;
    const toFind = this.numFeasibleNodesToFind(numAll);
    const start = this.nextStartNodeIndex % numAll;
    const feasible: NodeInfo[] = [];
    let processed = 0;
    if (!this.framework.hasFilterPlugins()) {
      for (let i = 0; i < toFind; i++) feasible.push(nodes[(start + i) % numAll]);
      this.nextStartNodeIndex = (start + feasible.length) % numAll;
      return { feasible, diagnosis };
    }
    for (let i = 0; i < numAll && feasible.length < toFind; i++) {
      const ni = nodes[(start + i) % numAll];
      processed++;
      const s = this.framework.runFilterPlugins(state, pod, ni);
      if (s === undefined) {
        feasible.push(ni);
        continue;
      }
      if (s.code === 'Error') return { error: s };
      diagnosis.nodeToStatus.set(ni.name, s);
      if (s.plugin) diagnosis.unschedulablePlugins.add(s.plugin);
    }
    // The next pod starts where this one stopped, so all nodes get their turn.
    this.nextStartNodeIndex = (start + processed) % numAll;
    return { feasible, diagnosis };
  }

  /** upstream numFeasibleNodesToFind: all nodes below 100; else a percentage, at least 100. */
  numFeasibleNodesToFind(numAllNodes: number): number {
    if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
    let percentage = this.framework.percentageOfNodesToScore;
    if (percentage === 0) {
      percentage = 50 - Math.trunc(numAllNodes / 125);
      if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
    }
    const n = Math.trunc((numAllNodes * percentage) / 100);
    return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
  }

  /** The node with the highest total score; among equals, each with the same chance (reservoir sampling). */
  selectHost(scores: readonly NodePluginScores[]): string {
    if (scores.length === 0) throw new Error('empty priorityList');
    let best = scores[0];
    let ties = 1;
    for (let i = 1; i < scores.length; i++) {
      const s = scores[i];
      if (s.totalScore > best.totalScore) {
        best = s;
        ties = 1;
      } else if (s.totalScore === best.totalScore) {
        ties++;
        if (Math.floor(this.random() * ties) === 0) best = s;
      }
    }
    return best.name;
  }

  // ---- binding --------------------------------------------------------------------------------

  private async bindingCycle(state: CycleState, pInfo: QueuedPodInfo, assumed: Pod, host: string, cycle: number, start: number, signal?: AbortSignal): Promise<void> {
    const status = await this.framework.runBindPlugins(state, assumed, host, signal);
    if (status !== undefined) {
      this.framework.runReservePluginsUnreserve(state, assumed, host);
      this.forget(assumed);
      // What the assumed pod held is free again: pods waiting for it may fit now.
      this.queue.moveAllToActiveOrBackoffQueue(AssignedPodDelete, assumed, undefined);
      const s = status.isSkip() ? newStatus('Error', 'no bind plugin bound the pod') : status;
      this.failed(pInfo, s, s.message(), undefined, cycle, start, isConflict(s.error));
      return;
    }
    this.cache.finishBinding(assumed);
    this.metrics?.attempt('scheduled', this.profileName, (performance.now() - start) / 1000);
    this.metrics?.podSchedulingAttempts.observe(pInfo.attempts);
    if (pInfo.initialAttemptTimestamp !== undefined) {
      this.metrics?.podSchedulingSLIDuration.observe({ attempts: String(pInfo.attempts) }, (this.clock.now() - pInfo.initialAttemptTimestamp) / 1000);
    }
    this.logger.debug({ pod: podKey(assumed), node: host }, 'successfully bound pod to node');
    this.recorder?.event(objectReference('Pod', assumed), 'Normal', 'Scheduled', `Successfully assigned ${assumed.metadata.namespace}/${assumed.metadata.name} to ${host}`, 'Binding');
  }

  private forget(assumed: Pod): void {
    try {
      this.cache.forgetPod(assumed);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, pod: podKey(assumed) }, 'scheduler cache forgetPod failed');
    }
  }

  // ---- failures -------------------------------------------------------------------------------

  /**
   * upstream handleSchedulingFailure: requeue the pod (unless it is gone or bound meanwhile),
   * record FailedScheduling and set PodScheduled=False with the same message. A binding the
   * apiserver refused with 409 (bound by someone else, or recreated) only requeues: writing
   * "unschedulable" on a pod that is in fact bound would be wrong.
   */
  private failed(pInfo: QueuedPodInfo, status: Status, message: string, diagnosis: Diagnosis | undefined, cycle: number, start: number, conflict = false): void {
    const pod = pInfo.pod;
    const rejected = status.isRejected();
    const reason = rejected ? 'Unschedulable' : 'SchedulerError';
    this.metrics?.attempt(rejected ? 'unschedulable' : 'error', this.profileName, (performance.now() - start) / 1000);
    if (rejected) this.logger.debug({ pod: podKey(pod), err: message }, 'unable to schedule pod; no fit; waiting');
    else this.logger.warn({ pod: podKey(pod), err: message }, 'error scheduling pod; retrying');

    pInfo.unschedulablePlugins = diagnosis?.unschedulablePlugins ?? new Set();
    pInfo.pendingPlugins = new Set();
    const current = this.pendingPod(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
    if (!current || current.metadata.uid !== pod.metadata.uid) {
      this.logger.debug({ pod: podKey(pod) }, 'pod is no longer pending; not requeued');
      return;
    }
    pInfo.pod = current;
    this.queue.addUnschedulableIfNotPresent(pInfo, cycle);
    if (conflict) return;

    this.recorder?.event(objectReference('Pod', current), 'Warning', 'FailedScheduling', message, 'Scheduling');
    const patch = podScheduledConditionPatch(current, { type: 'PodScheduled', status: 'False', reason, message }, this.clock.now(), !!diagnosis);
    if (patch === undefined) return;
    updatePodCondition(this.client, current, patch).catch((err) => {
      const gone = isStatusError(err) && err.code === 404;
      if (!gone) this.logger.warn({ pod: podKey(current), err: (err as Error).message }, 'error updating pod condition');
    });
  }
}
