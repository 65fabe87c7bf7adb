// The CronJob controller (upstream pkg/controller/cronjob, ControllerV2): creates a Job
// <cronjob>-<scheduled minute> for each scheduled time, as its concurrencyPolicy allows, and
// keeps the last successful / failed Jobs as the history limits say.
//
// reconcile("ns/name") = upstream sync + syncCronJob:
//  1. Reconcile status.active with the Jobs the CronJob controls: finished ones leave it
//     (SawCompletedJob), vanished ones too (MissingJob); an unfinished Job not in it is
//     reported (UnexpectedJob). lastSuccessfulTime follows the latest completion.
//  2. Deleted, suspended or with an unknown time zone / unparseable schedule: stop here.
//  3. The most recent unmet scheduled time (cronjob-schedule.ts), if any and not older than
//     startingDeadlineSeconds (else MissSchedule); more than 100 missed raise
//     TooManyMissedTimes. Already run (in status.active by name, or = lastScheduleTime): skip.
//  4. Forbid with an active Job: skip (JobAlreadyActive). Replace: delete the active Jobs.
//  5. Create the Job (AlreadyExists: someone did, adopt it in status if it is ours), add it to
//     status.active, set lastScheduleTime.
//  6. Delete the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit.
//  7. Write status if it changed; come back just after the next scheduled time.
// Time comes from the controller's clock, so tests move it by hand.

import type { EventRecorder, KubeObject, SharedIndexInformer } from '@minik8s/shared';
import { isAlreadyExists, isConflict, isNotFound, isNamespaceTerminating, objectReference, rfc3339, splitMetaNamespaceKey, timeZoneError } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import { getControllerOf } from '../../util/controller-ref.ts';
import { deepEqual } from '../../util/equality.ts';
import { finishedCondition, isJobFinished, isJobSucceeded } from '../job/job-util.ts';
import {
  MAX_MISSED_START_TIMES,
  jobFromTemplate,
  jobName,
  mostRecentScheduleTime,
  nextScheduleTimeDuration,
  parseCronJobSchedule,
  type ParsedCronJobSchedule,
} from './cronjob-schedule.ts';

export const CRONJOB_CONTROLLER = 'cronjob-controller';

interface JobRef {
  kind: string;
  apiVersion: string;
  namespace: string;
  name: string;
  uid: string;
  resourceVersion?: string;
}

export class CronJobController extends Controller {
  private readonly cronJobInformer: SharedIndexInformer;
  private readonly jobInformer: SharedIndexInformer;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    const workers = ctx.options.concurrentCronJobSyncs;
    super(ctx, { name: CRONJOB_CONTROLLER, workers });
    this.recorder = ctx.eventRecorder(CRONJOB_CONTROLLER);
    this.cronJobInformer = ctx.informerFactory.informerFor('cronjobs.batch');
    this.jobInformer = ctx.informerFactory.informerFor('jobs.batch');

    this.watch(this.cronJobInformer, {
      onAdd: (cj) => this.enqueue(cj),
      onUpdate: (old, cur) => this.updateCronJob(old, cur),
      onDelete: (cj) => this.enqueue(cj),
    });
    this.watch(this.jobInformer, {
      onAdd: (job) => this.enqueueControllerOf(job),
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        if (getControllerOf(old)?.uid !== getControllerOf(cur)?.uid) this.enqueueControllerOf(old);
        this.enqueueControllerOf(cur);
      },
      onDelete: (job) => this.enqueueControllerOf(job),
    });
  }

  // ---- event handlers: only compute keys -------------------------------------------------

  private enqueueControllerOf(job: KubeObject): void {
    const ref = getControllerOf(job);
    if (!ref || ref.kind !== 'CronJob' || !job.metadata.namespace) return;
    const cj = this.cronJobInformer.get(job.metadata.namespace, ref.name);
    if (cj && cj.metadata.uid === ref.uid) this.enqueue(cj);
  }

  private updateCronJob(old: KubeObject, cur: KubeObject): void {
    if (old.spec?.schedule !== cur.spec?.schedule || (old.spec?.timeZone ?? null) !== (cur.spec?.timeZone ?? null)) {
      // A new schedule: come back at its next time (the queue keeps the sooner of two adds).
      const parsed = parseCronJobSchedule(cur);
      if (!parsed.ok) {
        this.recorder.event(objectReference('CronJob', cur), 'Warning', 'UnParseableCronJobSchedule', `unparseable schedule for cronjob: ${cur.spec?.schedule}`);
        return;
      }
      const t = nextScheduleTimeDuration(cur, this.clock.now(), parsed.value);
      if (t !== undefined) this.enqueueAfter(cur, Math.max(0, t));
      return;
    }
    this.enqueue(cur);
  }

  // ---- reconcile -------------------------------------------------------------------------

  async reconcile(cjKey: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(cjKey);
    const cached = this.cronJobInformer.get(namespace, name);
    if (!cached) return;
    // Upstream matches children by controller name: a recreated CronJob sees the old Jobs too.
    const jobs = this.jobInformer.list(namespace).filter((j) => {
      const ref = getControllerOf(j);
      return ref?.kind === 'CronJob' && ref.name === name;
    });
    const cj = structuredClone(cached);
    cj.status ??= {};
    let syncError: unknown;
    let result: { requeueAfterMs?: number; updateStatus: boolean } = { updateStatus: false };
    try {
      result = await this.syncCronJob(cj, jobs);
    } catch (err) {
      syncError = err;
      result.updateStatus = true;
    }
    if (syncError === undefined && (await this.cleanupFinishedJobs(cj, jobs))) result.updateStatus = true;
    if (result.updateStatus && !deepEqual(cached.status ?? {}, cj.status)) await this.updateStatus(cached, cj.status);
    if (result.requeueAfterMs !== undefined) return { requeueAfterMs: Math.max(0, result.requeueAfterMs) };
    if (syncError !== undefined) throw syncError;
  }

  /** Steps 1-5 of the file comment; mutates cj.status. */
  private async syncCronJob(cj: KubeObject, jobs: KubeObject[]): Promise<{ requeueAfterMs?: number; updateStatus: boolean }> {
    const now = this.clock.now();
    const ref = objectReference('CronJob', cj);
    let updateStatus = false;
    const children = new Set<string>();
    for (const j of jobs) {
      children.add(j.metadata.uid!);
      const found = inActiveList(cj, j.metadata.uid!);
      if (!found && !isJobFinished(j)) {
        // Maybe our cached CronJob is older than the status that lists it: read it fresh.
        const fresh = await this.ctx.client.get('cronjobs.batch', cj.metadata.name!, { namespace: cj.metadata.namespace });
        if (inActiveList(fresh, j.metadata.uid!)) {
          cj.status = structuredClone(fresh.status ?? {});
          continue;
        }
        this.recorder.event(ref, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (found && isJobFinished(j)) {
        deleteFromActiveList(cj, j.metadata.uid!);
        this.recorder.event(ref, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${finishedCondition(j)!.type}`);
        updateStatus = true;
      }
      if (isJobSucceeded(j)) {
        // A Job need not be active to count: its completion time is what matters.
        const completed = Date.parse(j.status?.completionTime ?? '');
        const lastSuccessful = Date.parse(cj.status.lastSuccessfulTime ?? '');
        if (!Number.isNaN(completed) && (Number.isNaN(lastSuccessful) || completed > lastSuccessful)) {
          cj.status.lastSuccessfulTime = j.status.completionTime;
          updateStatus = true;
        }
      }
    }
    // Active Jobs gone from the cache: confirm with the API, the watch may just be slow.
    for (const a of [...((cj.status.active ?? []) as JobRef[])]) {
      if (children.has(a.uid)) continue;
      try {
        await this.ctx.client.get('jobs.batch', a.name, { namespace: a.namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.recorder.event(ref, 'Normal', 'MissingJob', `Active job went missing: ${a.name}`);
        deleteFromActiveList(cj, a.uid);
        updateStatus = true;
      }
    }

    if (cj.metadata.deletionTimestamp) return { updateStatus };
    const tz: string | undefined = cj.spec?.timeZone ?? undefined;
    if (tz !== undefined) {
      const err = timeZoneError(tz);
      if (err) {
        this.recorder.event(ref, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: ${err}`);
        return { updateStatus };
      }
    }
    if (cj.spec?.suspend === true) return { updateStatus };
    if (/TZ/.test(String(cj.spec?.schedule ?? ''))) {
      this.recorder.event(
        ref,
        'Warning',
        'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule ${JSON.stringify(cj.spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
      );
    }
    const parsed = parseCronJobSchedule(cj);
    if (!parsed.ok) {
      this.recorder.event(ref, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${parsed.error}`);
      return { updateStatus };
    }
    const s = parsed.value;
    let scheduledTime: number | undefined;
    try {
      scheduledTime = this.nextScheduleTime(cj, now, s);
    } catch (err) {
      this.recorder.event(ref, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec?.schedule} : ${(err as Error).message}`);
      return { updateStatus };
    }
    const requeue = () => ({ requeueAfterMs: nextScheduleTimeDuration(cj, now, s), updateStatus });
    if (scheduledTime === undefined) return requeue(); // no unmet start time

    const deadline = cj.spec?.startingDeadlineSeconds;
    if (typeof deadline === 'number' && scheduledTime + deadline * 1000 < now) {
      this.recorder.event(ref, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduledTime)}`);
      return requeue();
    }
    const name = jobName(cj, scheduledTime);
    if (((cj.status.active ?? []) as JobRef[]).some((a) => a.name === name) || Date.parse(cj.status.lastScheduleTime ?? '') === scheduledTime) {
      return requeue(); // this scheduled time was handled already
    }
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && (cj.status.active ?? []).length > 0) {
      // The active list may lag behind a Job's end: Forbid is as exact as the caches are.
      this.recorder.event(ref, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeue();
    }
    if (policy === 'Replace') {
      for (const a of [...((cj.status.active ?? []) as JobRef[])]) {
        let job: KubeObject;
        try {
          job = await this.ctx.client.get('jobs.batch', a.name, { namespace: a.namespace });
        } catch (err) {
          this.recorder.event(ref, 'Warning', 'FailedGet', `Get job: ${(err as Error).message}`);
          throw err;
        }
        if (!(await this.deleteJob(cj, job))) throw new Error(`could not replace job ${job.metadata.namespace}/${job.metadata.name}`);
        updateStatus = true;
      }
    }

    const request = jobFromTemplate(cj, scheduledTime);
    let created: KubeObject;
    try {
      created = await this.ctx.client.create<KubeObject>('jobs.batch', request, { namespace: cj.metadata.namespace });
      this.recorder.event(ref, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    } catch (err) {
      if (isNamespaceTerminating(err)) throw err;
      if (!isAlreadyExists(err)) {
        this.recorder.event(ref, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
      // Created before (a status write lost, a stale cache): record it if it is ours.
      created = await this.ctx.client.get('jobs.batch', request.metadata.name!, { namespace: cj.metadata.namespace });
      if (getControllerOf(created)?.uid !== cj.metadata.uid) return { updateStatus };
      if (inActiveList(cj, created.metadata.uid!)) return { updateStatus };
    }
    // The Job name is the lock: recreating it after a crash here fails with AlreadyExists.
    cj.status.active = [...((cj.status.active ?? []) as JobRef[]), jobRef(created)];
    cj.status.lastScheduleTime = rfc3339(scheduledTime);
    return { requeueAfterMs: nextScheduleTimeDuration(cj, now, s), updateStatus: true };
  }

  /** The most recent unmet scheduled time within the starting deadline (upstream nextScheduleTime). */
  private nextScheduleTime(cj: KubeObject, now: number, s: ParsedCronJobSchedule): number | undefined {
    const r = mostRecentScheduleTime(cj, now, s, true);
    if (r.mostRecentTime === undefined || r.mostRecentTime > now) return undefined;
    if (r.missed > MAX_MISSED_START_TIMES) {
      this.recorder.event(
        objectReference('CronJob', cj),
        'Warning',
        'TooManyMissedTimes',
        `too many missed start times: ${r.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
      );
      this.logger.info({ cronjob: `${cj.metadata.namespace}/${cj.metadata.name}`, missed: r.missed }, 'too many missed times');
    }
    return r.mostRecentTime;
  }

  /** Deletes the oldest finished Jobs beyond the history limits; resolves whether status changed. */
  private async cleanupFinishedJobs(cj: KubeObject, jobs: KubeObject[]): Promise<boolean> {
    const successLimit = cj.spec?.successfulJobsHistoryLimit;
    const failedLimit = cj.spec?.failedJobsHistoryLimit;
    if (typeof successLimit !== 'number' && typeof failedLimit !== 'number') return false;
    const succeeded = jobs.filter((j) => finishedCondition(j)?.type === 'Complete');
    const failed = jobs.filter((j) => finishedCondition(j)?.type === 'Failed');
    let changed = false;
    if (typeof successLimit === 'number' && (await this.removeOldestJobs(cj, succeeded, successLimit))) changed = true;
    if (typeof failedLimit === 'number' && (await this.removeOldestJobs(cj, failed, failedLimit))) changed = true;
    return changed;
  }

  private async removeOldestJobs(cj: KubeObject, jobs: KubeObject[], keep: number): Promise<boolean> {
    const excess = jobs.length - keep;
    if (excess <= 0) return false;
    const oldestFirst = [...jobs].sort(byJobStartTime);
    let changed = false;
    for (const job of oldestFirst.slice(0, excess)) if (await this.deleteJob(cj, job)) changed = true;
    return changed;
  }

  /** Deletes a Job with its pods (Background) and drops it from status.active (upstream deleteJob). */
  private async deleteJob(cj: KubeObject, job: KubeObject): Promise<boolean> {
    const ref = objectReference('CronJob', cj);
    try {
      await this.ctx.client.delete('jobs.batch', job.metadata.name!, { namespace: job.metadata.namespace, propagationPolicy: 'Background' });
    } catch (err) {
      if (!isNotFound(err)) {
        this.recorder.event(ref, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
        this.logger.warn({ job: job.metadata.name, err: (err as Error).message }, 'error deleting job from cronjob');
        return false;
      }
    }
    deleteFromActiveList(cj, job.metadata.uid!);
    this.recorder.event(ref, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }

  /** Writes `status` over the CronJob (one retry on a fresh read after a conflict). */
  private async updateStatus(cj: KubeObject, status: unknown): Promise<void> {
    let current = cj;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ctx.client.updateStatus('cronjobs.batch', { ...current, status });
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
        current = await this.ctx.client.get('cronjobs.batch', cj.metadata.name!, { namespace: cj.metadata.namespace });
        if (current.metadata.uid !== cj.metadata.uid) return;
      }
    }
  }
}

function inActiveList(cj: KubeObject, uid: string): boolean {
  return ((cj.status?.active ?? []) as JobRef[]).some((a) => a.uid === uid);
}

function deleteFromActiveList(cj: KubeObject, uid: string): void {
  const active = ((cj.status?.active ?? []) as JobRef[]).filter((a) => a.uid !== uid);
  if (active.length) cj.status.active = active;
  else delete cj.status.active;
}

function jobRef(job: KubeObject): JobRef {
  return {
    kind: 'Job',
    apiVersion: 'batch/v1',
    namespace: job.metadata.namespace!,
    name: job.metadata.name!,
    uid: job.metadata.uid!,
    ...(job.metadata.resourceVersion ? { resourceVersion: job.metadata.resourceVersion } : {}),
  };
}

/** Oldest start first; Jobs never started last; ties by name (upstream byJobStartTime). */
function byJobStartTime(a: KubeObject, b: KubeObject): number {
  const ta = Date.parse(a.status?.startTime ?? '');
  const tb = Date.parse(b.status?.startTime ?? '');
  if (Number.isNaN(ta) !== Number.isNaN(tb)) return Number.isNaN(ta) ? 1 : -1;
  if (!Number.isNaN(ta) && ta !== tb) return ta - tb;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
}

/** Go's time.RFC1123Z in UTC, as upstream's MissSchedule message. */
function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

