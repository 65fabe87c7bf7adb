// One serialized worker per pod (pod_workers.go): updates for a pod are handled one at a time,
// in order, and while one is being handled only the latest of the newer ones is kept (latest
// update wins). Different pods are handled concurrently.
//
// A worker's life: syncing (syncPod on every update, until the pod must stop) -> terminating
// (syncTerminatingPod: stop every container within the grace period, once) -> terminated
// (syncTerminatedPod: final status, and the API deletion of a deleted pod) -> removed once the
// pod is gone from its source (cleanupPod: runtime traces, directories), then forgotten.
//
// A pod must stop when it has a deletionTimestamp, when it vanished from its source (kill), or
// when syncPod reports that it reached a terminal phase (Succeeded/Failed). A failed sync is
// retried after `retryDelayMs`; syncPod may ask for a resync after a delay (back-off ends).

import type { Logger } from 'pino';
import type { Pod } from '../api/pod.ts';
import { podDesc } from '../api/pod.ts';

export type UpdateType = 'create' | 'update' | 'sync' | 'kill';

export interface PodUpdate {
  pod: Pod;
  type: UpdateType;
  /** For kill: a grace period shorter than the pod's own. */
  gracePeriodSeconds?: number;
}

export interface SyncResult {
  /** The pod reached Succeeded/Failed: stop what still runs, never start anything again. */
  terminal: boolean;
  /** Sync again after this long (a back-off ends then). */
  requeueAfterMs?: number;
}

export interface PodSyncer {
  syncPod(pod: Pod): Promise<SyncResult>;
  /** Stops every container within `gracePeriodSeconds` (preStop first). */
  syncTerminatingPod(pod: Pod, gracePeriodSeconds: number): Promise<void>;
  /** The pod is stopped for good: final status; a deleted pod is deleted from the API. */
  syncTerminatedPod(pod: Pod): Promise<void>;
  /** The pod is gone from its source: remove every runtime trace of it. */
  cleanupPod(pod: Pod): Promise<void>;
  /** A shorter grace period arrived while the pod was already terminating. */
  shortenGracePeriod?(pod: Pod, gracePeriodSeconds: number): void;
}

export type WorkerState = 'syncing' | 'terminating' | 'terminated';

interface Worker {
  uid: string;
  pod: Pod;
  state: WorkerState;
  pending: PodUpdate | undefined;
  running: boolean;
  removed: boolean;
  graceSeconds: number | undefined;
  /** A new pod with the same uid (a static pod whose file came back) waits for the old one to be cleaned up. */
  recreate: PodUpdate | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface PodWorkersOptions {
  syncer: PodSyncer;
  logger?: Logger;
  /** Delay before a failed sync is retried (default 10 s, as upstream's backOffPeriod). */
  retryDelayMs?: number;
  /** The smallest grace period given to containers (upstream's minimumGracePeriodInSeconds is 2). */
  minGracePeriodSeconds?: number;
}

/** The grace period for stopping the pod: deletionGracePeriodSeconds, else its spec, else 30 s. */
export function podGracePeriodSeconds(pod: Pod, override?: number): number {
  let g = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  if (override !== undefined && override < g) g = override;
  return g;
}

export class PodWorkers {
  private readonly opts: PodWorkersOptions;
  private readonly workers = new Map<string, Worker>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(opts: PodWorkersOptions) {
    this.opts = opts;
  }

  update(u: PodUpdate): void {
    if (this.stopped) return;
    const uid = u.pod.metadata.uid!;
    let w = this.workers.get(uid);
    if (!w) {
      // A sync of an unknown pod has nothing to resync; a kill of one still has to clean up
      // whatever the runtime may hold for it.
      if (u.type === 'sync') return;
      w = { uid, pod: u.pod, state: 'syncing', pending: undefined, running: false, removed: false, graceSeconds: undefined, recreate: undefined, timer: undefined };
      this.workers.set(uid, w);
    }
    if (w.removed && u.type !== 'kill') {
      w.recreate = u;
      return;
    }
    if (u.type === 'kill') w.removed = true;
    if (w.state !== 'syncing' && u.type !== 'sync') {
      const g = podGracePeriodSeconds(u.pod, u.gracePeriodSeconds);
      if (w.state === 'terminating' && w.graceSeconds !== undefined && g < w.graceSeconds) {
        w.graceSeconds = g;
        this.opts.syncer.shortenGracePeriod?.(u.pod, g);
      }
    }
    // Latest update wins, but a kill is never replaced by a plain sync.
    if (w.pending?.type === 'kill' && u.type !== 'kill') w.pending = { ...w.pending, pod: u.pod };
    else w.pending = u;
    this.kick(w);
  }

  /** Resyncs a pod with its latest known state (a container exited, a probe changed, a back-off ended). */
  sync(uid: string): void {
    const w = this.workers.get(uid);
    if (!w || this.stopped) return;
    if (!w.pending) w.pending = { pod: w.pod, type: 'sync' };
    this.kick(w);
  }

  /** Resyncs every pod (the periodic sync). */
  syncAll(): void {
    for (const uid of this.workers.keys()) this.sync(uid);
  }

  state(uid: string): WorkerState | undefined {
    return this.workers.get(uid)?.state;
  }

  has(uid: string): boolean {
    return this.workers.has(uid);
  }

  /** Pods that have a worker, with their latest state. */
  pods(): Pod[] {
    return [...this.workers.values()].map((w) => w.pod);
  }

  /** Stops accepting updates and resolves once every worker is idle. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) {
      if (w.timer) clearTimeout(w.timer);
      w.pending = undefined;
    }
    while ([...this.workers.values()].some((w) => w.running)) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private kick(w: Worker): void {
    if (w.running || !w.pending) return;
    if (w.timer) {
      clearTimeout(w.timer);
      w.timer = undefined;
    }
    w.running = true;
    void this.loop(w);
  }

  private async loop(w: Worker): Promise<void> {
    const { syncer, logger } = this.opts;
    while (w.pending && !this.stopped) {
      const u = w.pending;
      w.pending = undefined;
      w.pod = u.pod;
      try {
        let requeueAfterMs: number | undefined;
        if (w.state === 'syncing') {
          if (w.removed || u.pod.metadata.deletionTimestamp) w.state = 'terminating';
          else {
            const r = await syncer.syncPod(u.pod);
            if (r.terminal) w.state = 'terminating';
            else requeueAfterMs = r.requeueAfterMs;
          }
        }
        if (w.state === 'terminating') {
          const grace = Math.max(w.graceSeconds !== undefined ? Math.min(w.graceSeconds, podGracePeriodSeconds(w.pod, u.gracePeriodSeconds)) : podGracePeriodSeconds(w.pod, u.gracePeriodSeconds), this.opts.minGracePeriodSeconds ?? 2);
          w.graceSeconds = grace;
          await syncer.syncTerminatingPod(w.pod, grace);
          w.state = 'terminated';
          await syncer.syncTerminatedPod(w.pod);
        } else if (w.state === 'terminated' && u.type !== 'kill') {
          // Still known to its source: keep its final status and deletion going.
          await syncer.syncTerminatedPod(w.pod);
        }
        if (w.state === 'terminated' && w.removed) {
          await syncer.cleanupPod(w.pod);
          this.workers.delete(w.uid);
          const again = w.recreate;
          w.running = false;
          this.notifyIdle();
          if (again && !this.stopped) this.update(again);
          return;
        }
        if (requeueAfterMs !== undefined && !w.pending) this.schedule(w, requeueAfterMs);
      } catch (err) {
        logger?.error({ err, pod: podDesc(w.pod), state: w.state }, 'error syncing pod, will retry');
        if (!w.pending) this.schedule(w, this.opts.retryDelayMs ?? 10_000);
      }
    }
    w.running = false;
    this.notifyIdle();
  }

  private schedule(w: Worker, ms: number): void {
    if (this.stopped) return;
    if (w.timer) clearTimeout(w.timer);
    w.timer = setTimeout(() => {
      w.timer = undefined;
      if (this.workers.get(w.uid) === w) this.sync(w.uid);
    }, Math.max(0, ms));
    w.timer.unref?.();
  }

  private notifyIdle(): void {
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of ws) f();
  }
}
