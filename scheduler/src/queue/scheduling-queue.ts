// The scheduling queue (upstream internal/queue.PriorityQueue): three places a pending pod can be.
//
//   activeQ        pods to schedule now, in queue-sort order (priority, then arrival).
//   backoffQ       pods that failed recently and wait out their backoff: 1 s after the first
//                  attempt, doubling per attempt, at most 10 s (podInitialBackoff/podMaxBackoff).
//                  Checked every second; expired pods go to activeQ.
//   unschedulable  pods that no node fits. They stay until a cluster event one of their
//                  rejecting plugins registered for (a node added, a pod deleted...) and whose
//                  queueing hint says it may help; then they go to backoffQ if still backing
//                  off, else to activeQ. Pods left here for 5 minutes are retried anyway.
//
// A pod that fails while a cluster event happened during its own scheduling cycle goes to
// backoffQ instead of unschedulable (moveRequestCycle), so that event is not lost. A pod that
// failed with an error (not a rejection) always goes to backoffQ.
//
// Every pod is in at most one of the three, keyed by namespace/name; a pod being scheduled is
// in none (pop() took it) until addUnschedulableIfNotPresent() or its binding finishes.

import type { ClusterEvent, ClusterEventWithHint } from '../framework/cluster-event.ts';
import { BackoffComplete, PodAdd, PodUpdate, ScheduleAttemptFailure, UnschedulableTimeout, eventMatches } from '../framework/cluster-event.ts';
import type { Pod } from '../types.ts';
import { podKey } from '../types.ts';
import { Heap } from './heap.ts';
import { podSchedulingPropertiesChange } from './pod-changes.ts';
import type { QueuedPodInfo } from './queued-pod-info.ts';
import { newQueuedPodInfo } from './queued-pod-info.ts';

export type QueueName = 'active' | 'backoff' | 'unschedulable';

/** The clock the queue runs on (a subset of the shared Clock; FakeClock satisfies it). */
export interface QueueClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export interface QueueMetrics {
  /** scheduler_pending_pods{queue} */
  pendingPods(queue: QueueName, n: number): void;
  /** scheduler_queue_incoming_pods_total{queue, event} */
  incomingPod(queue: QueueName, event: string): void;
  /** scheduler_unschedulable_pods{plugin}: a pod rejected by `plugins` entered (+1) or left (-1) the unschedulable set. */
  unschedulablePlugins(plugins: Iterable<string>, delta: 1 | -1): void;
}

export interface SchedulingQueueOptions {
  /** The active queue's order (the framework's queue sort). */
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  /** Plugin name -> the events that may resolve its rejections. */
  eventsToRegister: Map<string, ClusterEventWithHint[]>;
  clock: QueueClock;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  podMaxInUnschedulablePodsDurationMs?: number;
  metrics?: QueueMetrics;
}

const realClock: QueueClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

export class SchedulingQueue {
  private readonly clock: QueueClock;
  private readonly activeQ: Heap<QueuedPodInfo>;
  private readonly backoffQ: Heap<QueuedPodInfo>;
  private readonly unschedulablePods = new Map<string, QueuedPodInfo>();
  private readonly eventsToRegister: Map<string, ClusterEventWithHint[]>;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  private readonly metrics: QueueMetrics | undefined;
  /** Incremented by every pop(): identifies a scheduling cycle. */
  private schedulingCycle = 0;
  /** The cycle during which the last cluster event moved pods. */
  private moveRequestCycle = -1;
  private waiters: ((p: QueuedPodInfo | undefined) => void)[] = [];
  private closed = false;
  private timers: { cancel(): void }[] = [];

  constructor(opts: SchedulingQueueOptions) {
    this.clock = opts.clock ?? realClock;
    this.eventsToRegister = opts.eventsToRegister;
    this.initialBackoffMs = opts.podInitialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.podMaxBackoffMs ?? 10_000;
    this.maxInUnschedulableMs = opts.podMaxInUnschedulablePodsDurationMs ?? 5 * 60_000;
    this.metrics = opts.metrics;
    const key = (p: QueuedPodInfo) => podKey(p.pod);
    this.activeQ = new Heap(key, opts.less);
    this.backoffQ = new Heap(key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** Starts the periodic flushes: backoffQ every second, leftover unschedulable pods every 30 s. */
  run(): void {
    const every = (ms: number, fn: () => void) => {
      const tick = () => {
        if (this.closed) return;
        fn();
        this.timers.push(this.clock.setTimeout(tick, ms));
      };
      this.timers.push(this.clock.setTimeout(tick, ms));
    };
    every(1000, () => this.flushBackoffQCompleted());
    every(30_000, () => this.flushUnschedulablePodsLeftover());
  }

  /** Stops the flushes and ends every pending and future pop() with undefined. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.timers = [];
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(undefined);
  }

  // ---- what the informers call ---------------------------------------------------------------

  /** A new pending pod: straight to activeQ. */
  add(pod: Pod): void {
    const key = podKey(pod);
    this.removeUnschedulable(key);
    this.backoffQ.delete(key);
    const existing = this.activeQ.get(key);
    const pInfo = existing ?? newQueuedPodInfo(pod, this.clock.now());
    pInfo.pod = pod;
    this.toActive(pInfo, PodAdd.label);
  }

  /**
   * A pending pod changed. In activeQ/backoffQ the object is just replaced; in the
   * unschedulable set, the change is treated as a cluster event of the pod itself (labels,
   * tolerations, smaller requests...). A pod the queue does not hold (being scheduled right
   * now, or never seen) is added.
   */
  update(oldPod: Pod, newPod: Pod): void {
    const key = podKey(newPod);
    const inActive = this.activeQ.get(key);
    if (inActive) {
      inActive.pod = newPod;
      this.activeQ.addOrUpdate(inActive);
      return;
    }
    const inBackoff = this.backoffQ.get(key);
    if (inBackoff) {
      inBackoff.pod = newPod;
      this.backoffQ.addOrUpdate(inBackoff);
      return;
    }
    const pInfo = this.unschedulablePods.get(key);
    if (pInfo) {
      pInfo.pod = newPod;
      for (const ev of podSchedulingPropertiesChange(oldPod, newPod, 'UnscheduledPod')) {
        if (!this.podMatchesEvent(pInfo, ev, oldPod, newPod)) continue;
        this.removeUnschedulable(key);
        this.requeue(pInfo, PodUpdate.label);
        break;
      }
      this.reportSizes();
      return;
    }
    this.add(newPod);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.removeUnschedulable(key);
    this.reportSizes();
  }

  /**
   * A cluster event happened: moves every unschedulable pod one of whose rejecting plugins
   * registered for it (and whose hint says Queue) to backoffQ or activeQ. Also marks the
   * event for pods being scheduled right now (they will go to backoffQ if they fail).
   */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, oldObj?: unknown, newObj?: unknown): void {
    const moved: QueuedPodInfo[] = [];
    for (const pInfo of this.unschedulablePods.values()) {
      if (this.podMatchesEvent(pInfo, event, oldObj, newObj)) moved.push(pInfo);
    }
    for (const pInfo of moved) {
      this.removeUnschedulable(podKey(pInfo.pod));
      this.requeue(pInfo, event.label);
    }
    this.moveRequestCycle = this.schedulingCycle;
    if (moved.length) this.reportSizes();
  }

  // ---- what the scheduling loop calls --------------------------------------------------------

  /** The next pod to schedule, waiting for one; undefined once the queue is closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const p = this.activeQ.pop();
    if (p) return Promise.resolve(this.popped(p));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The cycle number of the pod last popped (pass it back to addUnschedulableIfNotPresent). */
  currentSchedulingCycle(): number {
    return this.schedulingCycle;
  }

  /**
   * Puts back a pod that failed in cycle `podSchedulingCycle`: to backoffQ when its failure was
   * an error or a cluster event arrived since that cycle began, else to the unschedulable set.
   */
  addUnschedulableIfNotPresent(pInfo: QueuedPodInfo, podSchedulingCycle: number): void {
    const key = podKey(pInfo.pod);
    if (this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulablePods.has(key)) return;
    pInfo.timestamp = this.clock.now();
    const rejected = pInfo.unschedulablePlugins.size > 0 || pInfo.pendingPlugins.size > 0;
    if (!rejected || this.moveRequestCycle >= podSchedulingCycle) {
      this.backoffQ.addOrUpdate(pInfo);
      this.metrics?.incomingPod('backoff', ScheduleAttemptFailure);
    } else {
      this.unschedulablePods.set(key, pInfo);
      this.metrics?.incomingPod('unschedulable', ScheduleAttemptFailure);
      this.metrics?.unschedulablePlugins(pInfo.unschedulablePlugins, 1);
    }
    this.reportSizes();
  }

  // ---- periodic flushes (public for tests with a fake clock) ---------------------------------

  flushBackoffQCompleted(): void {
    const now = this.clock.now();
    for (;;) {
      const head = this.backoffQ.peek();
      if (!head || this.backoffExpiry(head) > now) break;
      this.backoffQ.pop();
      this.toActive(head, BackoffComplete.label);
    }
  }

  flushUnschedulablePodsLeftover(): void {
    const now = this.clock.now();
    const stale = [...this.unschedulablePods.values()].filter((p) => now - p.timestamp > this.maxInUnschedulableMs);
    for (const pInfo of stale) {
      this.removeUnschedulable(podKey(pInfo.pod));
      this.requeue(pInfo, UnschedulableTimeout.label);
    }
    if (stale.length) this.reportSizes();
  }

  // ---- inspection ------------------------------------------------------------------------------

  /** Where the pod is now, if anywhere. */
  whereIs(pod: Pod): QueueName | undefined {
    const key = podKey(pod);
    if (this.activeQ.has(key)) return 'active';
    if (this.backoffQ.has(key)) return 'backoff';
    if (this.unschedulablePods.has(key)) return 'unschedulable';
    return undefined;
  }

  sizes(): Record<QueueName, number> {
    return { active: this.activeQ.length, backoff: this.backoffQ.length, unschedulable: this.unschedulablePods.size };
  }

  /** upstream calculateBackoffDuration: initial * 2^(attempts-1), capped at max. */
  backoffDuration(pInfo: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < pInfo.attempts; i++) {
      d *= 2;
      if (d > this.maxBackoffMs) return this.maxBackoffMs;
    }
    return Math.min(d, this.maxBackoffMs);
  }

  isPodBackingOff(pInfo: QueuedPodInfo): boolean {
    return this.backoffExpiry(pInfo) > this.clock.now();
  }

  // ---- internals ---------------------------------------------------------------------------------

  private backoffExpiry(pInfo: QueuedPodInfo): number {
    return pInfo.timestamp + this.backoffDuration(pInfo);
  }

  private popped(p: QueuedPodInfo): QueuedPodInfo {
    this.schedulingCycle++;
    p.attempts++;
    if (p.initialAttemptTimestamp === undefined) p.initialAttemptTimestamp = this.clock.now();
    this.reportSizes();
    return p;
  }

  private toActive(pInfo: QueuedPodInfo, event: string): void {
    const waiter = this.waiters.shift();
    this.metrics?.incomingPod('active', event);
    if (waiter) {
      waiter(this.popped(pInfo));
      return;
    }
    this.activeQ.addOrUpdate(pInfo);
    this.reportSizes();
  }

  private requeue(pInfo: QueuedPodInfo, event: string): void {
    if (this.isPodBackingOff(pInfo)) {
      this.backoffQ.addOrUpdate(pInfo);
      this.metrics?.incomingPod('backoff', event);
    } else this.toActive(pInfo, event);
  }

  /** Does the event concern one of the plugins that rejected the pod, and does its hint agree? */
  private podMatchesEvent(pInfo: QueuedPodInfo, event: ClusterEvent, oldObj: unknown, newObj: unknown): boolean {
    if (event.resource === 'WildCard') return true;
    const plugins = new Set([...pInfo.unschedulablePlugins, ...pInfo.pendingPlugins]);
    if (plugins.size === 0) return true;
    for (const name of plugins) {
      for (const reg of this.eventsToRegister.get(name) ?? []) {
        if (!eventMatches(reg.event, event)) continue;
        if (!reg.queueingHintFn) return true;
        try {
          if (reg.queueingHintFn(pInfo.pod, oldObj, newObj) === 'Queue') return true;
        } catch {
          return true; // a broken hint must not strand the pod: requeue, as upstream does on hint errors
        }
      }
    }
    return false;
  }

  private removeUnschedulable(key: string): void {
    const pInfo = this.unschedulablePods.get(key);
    if (!pInfo) return;
    this.unschedulablePods.delete(key);
    this.metrics?.unschedulablePlugins(pInfo.unschedulablePlugins, -1);
  }

  private reportSizes(): void {
    if (!this.metrics) return;
    this.metrics.pendingPods('active', this.activeQ.length);
    this.metrics.pendingPods('backoff', this.backoffQ.length);
    this.metrics.pendingPods('unschedulable', this.unschedulablePods.size);
  }
}
