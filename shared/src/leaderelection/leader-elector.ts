// Leader election on a Lease (client-go's tools/leaderelection), so that of several replicas
// of a component exactly one does the work and a standby takes over when it goes away.
//
// How it works:
//  1. Acquire: every retryPeriod, read the Lease. It is free when it does not exist (create
//     it), has no holder (released), or has not changed for leaseDuration as measured on OUR
//     clock since we first saw its current contents (so clock skew between machines does not
//     matter). Take it with an update conditional on the resourceVersion we read: of two
//     candidates one gets 409 Conflict and keeps waiting.
//  2. Lead: onStartedLeading(signal) runs; every retryPeriod the leader renews (renewTime =
//     now, same resourceVersion condition). If no renewal succeeds within renewDeadline of
//     the last one (the apiserver is unreachable, or someone else took the Lease), the leader
//     aborts the signal, calls onStoppedLeading, and run() resolves 'lost': the component
//     must exit (as upstream, which exits on "leaderelection lost").
//  3. Stop: when run()'s signal aborts while leading, the work's signal aborts, the elector
//     waits for onStartedLeading to settle, calls onStoppedLeading, and only then releases
//     the Lease (holder '', leaseDurationSeconds 1, as client-go's ReleaseOnCancel), so a
//     standby can take over at its next retry instead of waiting out the lease.
//
// Timing: a standby takes over within leaseDuration + retryPeriod of the leader's last
// renewal (it polls no less often than every retryPeriod and wakes when the lease it watches
// would expire). Safety needs leaseDuration > renewDeadline: the old leader stops by
// lastRenew + renewDeadline, a standby cannot start before lastRenew + leaseDuration.
//
// What it does NOT guarantee: this is not a fencing mechanism. Nothing stops a leader that
// is paused (GC, SIGSTOP, an overloaded machine) past renewDeadline from acting on stale
// belief before it notices; writes made by the old leader are not rejected by the apiserver.
// Components must therefore keep their writes safe under overlap (optimistic concurrency
// with resourceVersion, idempotent reconciles), exactly as with upstream leader election.

import type { Logger } from 'pino';
import { pino } from 'pino';
import { isAlreadyExists, isNotFound } from '../api/status-error.ts';
import type { Clock } from '../clock/clock.ts';
import { realClock } from '../clock/clock.ts';
import type { LeaderElectionRecord, ResourceLock } from './lease-lock.ts';
import { leaderElectionMetrics } from './metrics.ts';

export interface LeaderCallbacks {
  /** Start the work; stop it when `signal` aborts. A returned promise is awaited before release. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Leadership ended (lost or released). Called once per leadership, after the work's signal aborted. */
  onStoppedLeading(): void;
  /** The observed holder changed (our own identity included). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  lock: ResourceLock;
  /** How long a standby waits on an unchanged Lease before taking it (default 15 s). */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up (default 10 s). */
  renewDeadlineMs?: number;
  /** How often to try to acquire or renew (default 2 s). */
  retryPeriodMs?: number;
  /** Release the Lease when run()'s signal aborts (default true). */
  releaseOnCancel?: boolean;
  /** Names this election in metrics (default: the lock's namespace/name). */
  name?: string;
  callbacks: LeaderCallbacks;
  clock?: Clock;
  logger?: Logger;
}

export type LeaderElectionResult = 'stopped' | 'lost';

export class LeaderElector {
  readonly name: string;
  private readonly lock: ResourceLock;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly releaseOnCancel: boolean;
  private readonly callbacks: LeaderCallbacks;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private observedRecord: LeaderElectionRecord | undefined;
  private observedRaw = '';
  private observedTime = 0;
  private reportedLeader = '';
  private leading = false;

  constructor(cfg: LeaderElectionConfig) {
    this.lock = cfg.lock;
    this.leaseDurationMs = cfg.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = cfg.retryPeriodMs ?? 2_000;
    if (!(this.leaseDurationMs > this.renewDeadlineMs)) throw new Error('leaseDuration must be greater than renewDeadline');
    if (!(this.renewDeadlineMs > this.retryPeriodMs)) throw new Error('renewDeadline must be greater than retryPeriod');
    if (!(this.retryPeriodMs > 0)) throw new Error('retryPeriod must be greater than zero');
    this.releaseOnCancel = cfg.releaseOnCancel ?? true;
    this.callbacks = cfg.callbacks;
    this.clock = cfg.clock ?? realClock;
    this.logger = cfg.logger ?? pino({ level: 'silent' });
    this.name = cfg.name ?? cfg.lock.describe();
  }

  /** True while this process believes it holds the Lease. */
  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed ('' if none). */
  getLeader(): string {
    return this.observedRecord?.holderIdentity ?? '';
  }

  /**
   * Campaigns until leading, leads until the lease is lost or `signal` aborts.
   * Resolves 'stopped' (signal aborted; the Lease was released if we held it) or 'lost'.
   */
  async run(signal: AbortSignal): Promise<LeaderElectionResult> {
    if (!(await this.acquire(signal))) return 'stopped';
    this.leading = true;
    leaderElectionMetrics().leaderOn(this.name);
    this.logger.info({ lease: this.lock.describe(), identity: this.lock.identity() }, 'successfully acquired lease');
    const work = new AbortController();
    let workDone: Promise<void>;
    try {
      workDone = Promise.resolve(this.callbacks.onStartedLeading(work.signal)).then(
        () => undefined,
        (err) => this.logger.error({ err }, 'leader work failed'),
      );
    } catch (err) {
      this.logger.error({ err }, 'leader work failed');
      workDone = Promise.resolve();
    }
    const lost = await this.renewLoop(signal);
    this.leading = false;
    leaderElectionMetrics().leaderOff(this.name);
    work.abort(new Error(lost ? 'leader election lost' : 'leader election stopped'));
    if (lost) {
      this.logger.error({ lease: this.lock.describe() }, 'leader election lost');
      this.callStopped();
      return 'lost';
    }
    await workDone;
    this.callStopped();
    if (this.releaseOnCancel) await this.release();
    return 'stopped';
  }

  private callStopped(): void {
    try {
      this.callbacks.onStoppedLeading();
    } catch (err) {
      this.logger.error({ err }, 'onStoppedLeading failed');
    }
  }

  /** Step 1: tries every retryPeriod (sooner when the observed lease is about to expire). */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.logger.info({ lease: this.lock.describe() }, 'attempting to acquire leader lease');
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) return true;
      if (signal.aborted) break;
      let wait = this.retryPeriodMs;
      const rec = this.observedRecord;
      if (rec?.holderIdentity) {
        const untilExpiry = this.observedTime + rec.leaseDurationSeconds * 1000 - this.clock.now();
        // Wake just after the lease we watch would expire, if that comes before the next retry.
        if (untilExpiry >= 0 && untilExpiry < wait) wait = untilExpiry + 1;
      }
      await this.clock.sleep(wait, signal);
    }
    return false;
  }

  /** Step 2: returns true when leadership was lost, false when `signal` aborted. */
  private async renewLoop(signal: AbortSignal): Promise<boolean> {
    let lastRenew = this.clock.now();
    while (await this.clock.sleep(this.retryPeriodMs, signal)) {
      for (;;) {
        const remaining = lastRenew + this.renewDeadlineMs - this.clock.now();
        if (remaining <= 0) return true;
        const attemptStart = this.clock.now();
        const ok = await this.withDeadline(remaining, signal, (s) => this.tryAcquireOrRenew(s));
        if (signal.aborted) return false;
        if (ok) {
          lastRenew = attemptStart;
          break;
        }
        if (!this.isHolder()) return true; // someone else holds it now
        const left = lastRenew + this.renewDeadlineMs - this.clock.now();
        if (left <= 0) return true;
        if (!(await this.clock.sleep(Math.min(this.retryPeriodMs, left), signal))) return false;
      }
    }
    return false;
  }

  /** Runs `fn` with a signal that aborts after `ms` or with `outer`. */
  private async withDeadline<R>(ms: number, outer: AbortSignal, fn: (s: AbortSignal) => Promise<R>): Promise<R> {
    const ctl = new AbortController();
    const timer = this.clock.setTimeout(() => ctl.abort(new Error('renew deadline exceeded')), ms);
    const onAbort = () => ctl.abort(outer.reason);
    outer.addEventListener('abort', onAbort, { once: true });
    try {
      return await fn(ctl.signal);
    } finally {
      timer.cancel();
      outer.removeEventListener('abort', onAbort);
    }
  }

  private isHolder(): boolean {
    return this.observedRecord?.holderIdentity === this.lock.identity();
  }

  private leaseValid(now: number): boolean {
    const rec = this.observedRecord;
    return rec !== undefined && this.observedTime + rec.leaseDurationSeconds * 1000 > now;
  }

  private setObserved(record: LeaderElectionRecord, raw?: string): void {
    this.observedRecord = record;
    this.observedTime = this.clock.now();
    if (raw !== undefined) this.observedRaw = raw;
    const holder = record.holderIdentity;
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.logger.info({ lease: this.lock.describe(), leader: holder }, 'new leader elected');
      try {
        this.callbacks.onNewLeader?.(holder);
      } catch (err) {
        this.logger.error({ err }, 'onNewLeader failed');
      }
    }
  }

  /** One attempt, as client-go's tryAcquireOrRenew. Never throws; false = not leading now. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    const me = this.lock.identity();
    const desired: LeaderElectionRecord = {
      holderIdentity: me,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaderTransitions: 0,
    };
    try {
      // Fast path: the leader renews over the version it last wrote, without reading first.
      if (this.isHolder() && this.leaseValid(now) && this.observedRecord) {
        desired.acquireTime = this.observedRecord.acquireTime;
        desired.leaderTransitions = this.observedRecord.leaderTransitions;
        try {
          await this.lock.update(desired, signal);
          this.setObserved(desired);
          return true;
        } catch (err) {
          if (signal.aborted) return false;
          this.logger.debug({ err: (err as Error).message }, 'optimistic lease renewal failed, reading it');
        }
      }

      let current: { record: LeaderElectionRecord; raw: string };
      try {
        current = await this.lock.get(signal);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        desired.leaderTransitions = 0;
        await this.lock.create(desired, signal);
        this.setObserved(desired, '');
        return true;
      }
      if (current.raw !== this.observedRaw || !this.observedRecord) this.setObserved(current.record, current.raw);
      const old = current.record;
      if (old.holderIdentity && old.holderIdentity !== me && this.leaseValid(this.clock.now())) {
        return false; // held by someone else and not expired
      }
      if (old.holderIdentity === me) {
        desired.acquireTime = old.acquireTime;
        desired.leaderTransitions = old.leaderTransitions;
      } else {
        desired.leaderTransitions = old.leaderTransitions + 1;
      }
      await this.lock.update(desired, signal);
      this.setObserved(desired);
      return true;
    } catch (err) {
      if (!signal.aborted) {
        const msg = (err as Error).message;
        if (isAlreadyExists(err)) this.logger.debug({ err: msg }, 'lease was created by another candidate');
        else this.logger.debug({ err: msg }, 'failed to acquire or renew lease');
      }
      return false;
    }
  }

  /** Step 3: hands the Lease back (holder '', 1 s duration) if we still hold it. */
  private async release(): Promise<void> {
    if (!this.isHolder() || !this.observedRecord) return;
    const now = this.clock.now();
    const released: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaderTransitions: this.observedRecord.leaderTransitions,
    };
    const ctl = new AbortController();
    const timer = this.clock.setTimeout(() => ctl.abort(), this.renewDeadlineMs);
    try {
      try {
        await this.lock.update(released, ctl.signal);
      } catch (err) {
        // A renewal cut short by the stop may still have landed, moving the resourceVersion
        // on: read the Lease again and release it over that version if it is still ours.
        if (ctl.signal.aborted) throw err;
        const current = await this.lock.get(ctl.signal);
        if (current.record.holderIdentity !== this.lock.identity()) {
          this.logger.info({ lease: this.lock.describe(), holder: current.record.holderIdentity }, 'lease no longer held, nothing to release');
          return;
        }
        released.leaderTransitions = current.record.leaderTransitions;
        await this.lock.update(released, ctl.signal);
      }
      this.setObserved(released);
      this.logger.info({ lease: this.lock.describe() }, 'released leader lease');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'failed to release leader lease');
    } finally {
      timer.cancel();
    }
  }
}
