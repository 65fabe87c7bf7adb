// When a CronJob should run (upstream pkg/controller/cronjob utils.go): the most recent
// scheduled time not yet run, how many were missed, when to look again, and the Job a
// scheduled time makes.

import type { CronSchedule, KubeObject } from '@minik8s/shared';
import { nextCronTime, parseCronSchedule } from '@minik8s/shared';
import { newControllerRef } from '../../util/controller-ref.ts';

/** batch.CronJobScheduledTimestampAnnotation. */
export const CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** upstream nextScheduleDelta: look again a little after the scheduled time. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
/** More missed start times than this raise TooManyMissedTimes. */
export const MAX_MISSED_START_TIMES = 100;

export interface ParsedCronJobSchedule {
  schedule: CronSchedule;
  /** The zone field schedules run in: spec.timeZone, else this process's zone (upstream time.Local). */
  timeZone: string;
}

/**
 * The CronJob's schedule as the controller runs it (upstream formatSchedule + ParseStandard):
 * spec.timeZone applies unless the schedule carries its own TZ=/CRON_TZ= prefix.
 */
export function parseCronJobSchedule(cj: KubeObject): { ok: true; value: ParsedCronJobSchedule } | { ok: false; error: string } {
  const r = parseCronSchedule(String(cj.spec?.schedule ?? ''));
  if (!r.ok) return r;
  const tz: string | undefined = cj.spec?.timeZone ?? undefined;
  return { ok: true, value: { schedule: r.schedule, timeZone: tz ?? 'Local' } };
}

function next(s: ParsedCronJobSchedule, after: number): number | undefined {
  return nextCronTime(s.schedule, new Date(after), s.timeZone)?.getTime();
}

export interface MostRecent {
  /** Scheduling starts after this: the last schedule time, else the creation time. */
  earliestTime: number;
  /** The latest scheduled time at or before now, if any since earliestTime. */
  mostRecentTime?: number;
  /** How many scheduled times were missed (an estimate past two, as upstream). */
  missed: number;
}

/**
 * The most recent scheduled time at or before `now` after the last one that ran (upstream
 * mostRecentScheduleTime). With `includeStartingDeadline`, times older than
 * startingDeadlineSeconds are not considered. Throws for a schedule whose runs are less than
 * a second apart.
 */
export function mostRecentScheduleTime(cj: KubeObject, now: number, s: ParsedCronJobSchedule, includeStartingDeadline: boolean): MostRecent {
  let earliestTime = Date.parse(cj.metadata.creationTimestamp ?? '') || now;
  const last = Date.parse(cj.status?.lastScheduleTime ?? '');
  if (!Number.isNaN(last)) earliestTime = last;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && typeof deadline === 'number') {
    // Nothing older than the deadline will be scheduled.
    earliestTime = Math.max(earliestTime, now - deadline * 1000);
  }
  const t1 = next(s, earliestTime);
  if (t1 === undefined || now < t1) return { earliestTime, missed: 0 };
  const t2 = next(s, t1);
  if (t2 === undefined || now < t2) return { earliestTime, mostRecentTime: t1, missed: 1 };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) throw new Error('time difference between two schedules is less than 1 second');
  // Upstream's estimate: how many intervals of the first gap fit until now.
  const missed = Math.floor(Math.floor((now - t1) / 1000) / between) + 1;
  // The exact most recent time: walk forward from a little before the estimate, widening the
  // window backwards for schedules whose gaps are not all alike.
  for (let back = 2; ; back *= 2) {
    const from = Math.max(t1, t1 + (missed - back) * between * 1000);
    let mostRecentTime: number | undefined;
    for (let t = next(s, from - 1000); t !== undefined && t <= now; t = next(s, t)) mostRecentTime = t;
    if (mostRecentTime !== undefined) return { earliestTime, mostRecentTime, missed };
    if (from === t1) return { earliestTime, mostRecentTime: t1, missed };
  }
}

/** How long until the next scheduled time after the most recent one, from `now` (nextScheduleTimeDuration). */
export function nextScheduleTimeDuration(cj: KubeObject, now: number, s: ParsedCronJobSchedule): number | undefined {
  let from: number;
  try {
    const r = mostRecentScheduleTime(cj, now, s, false);
    from = r.mostRecentTime ?? r.earliestTime;
  } catch {
    from = now; // still look again at some point: the next slot from now
  }
  const t = next(s, from);
  return t === undefined ? undefined : t + NEXT_SCHEDULE_DELTA_MS - now;
}

/** The Job's name for a scheduled time: <cronjob>-<minutes since the epoch> (upstream getJobName). */
export function jobName(cj: KubeObject, scheduledTime: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduledTime / 60_000)}`;
}

/** RFC 3339 of `ms` on the wall clock of `timeZone` with its offset (Go's Time.In(loc).Format(RFC3339)). */
export function formatRfc3339InZone(ms: number, timeZone: string): string {
  const seconds = Math.floor(ms / 1000) * 1000;
  if (timeZone === '' || timeZone === 'UTC') return new Date(seconds).toISOString().replace('.000Z', 'Z');
  const parts: Record<string, string> = {};
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  });
  for (const p of fmt.formatToParts(new Date(seconds))) parts[p.type] = p.value;
  const offset = (parts.timeZoneName ?? 'GMT').replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset === '' ? 'Z' : offset}`;
}

/**
 * The Job for `scheduledTime` (upstream getJobFromTemplate2): the template's labels,
 * annotations and spec, the deterministic name that keeps one Job per scheduled time, the
 * scheduled-timestamp annotation in the CronJob's time zone, and the controller reference.
 */
export function jobFromTemplate(cj: KubeObject, scheduledTime: number): KubeObject {
  const template = cj.spec?.jobTemplate ?? {};
  const annotations: Record<string, string> = { ...(template.metadata?.annotations ?? {}) };
  annotations[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION] = formatRfc3339InZone(scheduledTime, cj.spec?.timeZone ?? 'UTC');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(cj, scheduledTime),
      namespace: cj.metadata.namespace,
      ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
      annotations,
      ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}
