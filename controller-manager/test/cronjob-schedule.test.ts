// When a CronJob runs (cronjob-schedule.ts): the most recent unmet time, missed counts, the
// requeue delay, Job names and the scheduled-timestamp annotation.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import {
  formatRfc3339InZone,
  jobFromTemplate,
  jobName,
  mostRecentScheduleTime,
  nextScheduleTimeDuration,
  parseCronJobSchedule,
  type ParsedCronJobSchedule,
} from '../src/controllers/cronjob/cronjob-schedule.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0); // a Monday, 10:00 UTC
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function cj(schedule: string, opts: { created?: number; last?: number; deadline?: number; timeZone?: string } = {}): KubeObject {
  return {
    metadata: { name: 'c', namespace: 'ns', uid: 'u', creationTimestamp: iso(opts.created ?? T0) },
    spec: {
      schedule,
      timeZone: opts.timeZone ?? 'UTC',
      ...(opts.deadline !== undefined ? { startingDeadlineSeconds: opts.deadline } : {}),
      jobTemplate: { metadata: { labels: { a: 'b' }, annotations: { x: 'y' } }, spec: { parallelism: 2 } },
    },
    status: opts.last !== undefined ? { lastScheduleTime: iso(opts.last) } : {},
  };
}

function parsed(c: KubeObject): ParsedCronJobSchedule {
  const r = parseCronJobSchedule(c);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('mostRecentScheduleTime', () => {
  it('finds nothing before the first scheduled time, then the latest one missed', () => {
    const c = cj('*/5 * * * *');
    assert.deepEqual(mostRecentScheduleTime(c, T0 + 4 * MIN, parsed(c), true), { earliestTime: T0, missed: 0 });
    assert.deepEqual(mostRecentScheduleTime(c, T0 + 5 * MIN, parsed(c), true), { earliestTime: T0, mostRecentTime: T0 + 5 * MIN, missed: 1 });
    const r = mostRecentScheduleTime(c, T0 + 23 * MIN, parsed(c), true);
    assert.equal(r.mostRecentTime, T0 + 20 * MIN);
    assert.equal(r.missed, 4);
  });

  it('starts after lastScheduleTime and within startingDeadlineSeconds', () => {
    const c = cj('*/5 * * * *', { last: T0 + 10 * MIN });
    assert.equal(mostRecentScheduleTime(c, T0 + 12 * MIN, parsed(c), true).mostRecentTime, undefined);
    assert.equal(mostRecentScheduleTime(c, T0 + 15 * MIN, parsed(c), true).mostRecentTime, T0 + 15 * MIN);
    const d = cj('*/5 * * * *', { last: T0, deadline: 60 });
    assert.equal(mostRecentScheduleTime(d, T0 + 7 * MIN, parsed(d), true).mostRecentTime, undefined, 'T0+5 is older than the deadline');
    assert.equal(mostRecentScheduleTime(d, T0 + 7 * MIN, parsed(d), false).mostRecentTime, T0 + 5 * MIN);
  });

  it('is exact for schedules whose gaps differ', () => {
    // Mondays and Thursdays at 09:00; T0 is Monday 10:00.
    const c = cj('0 9 * * 1,4');
    const now = T0 + 23 * 24 * 60 * MIN; // four weeks and two days later: a Wednesday
    const r = mostRecentScheduleTime(c, now, parsed(c), false);
    assert.equal(iso(r.mostRecentTime!), '2026-01-26T09:00:00Z', 'the last Monday before that Wednesday');
    assert.ok(r.missed > 1);
  });

  it('counts hundreds of missed times without listing them', () => {
    const c = cj('* * * * *');
    const r = mostRecentScheduleTime(c, T0 + 500 * MIN + 30_000, parsed(c), true);
    assert.equal(r.missed, 500);
    assert.equal(r.mostRecentTime, T0 + 500 * MIN);
  });
});

describe('CronJob schedule helpers', () => {
  it('requeues just after the next scheduled time', () => {
    const c = cj('*/5 * * * *', { last: T0 + 5 * MIN });
    assert.equal(nextScheduleTimeDuration(c, T0 + 6 * MIN, parsed(c)), 4 * MIN + 100);
  });

  it('names Jobs by the scheduled minute and stamps the time in the CronJob zone', () => {
    const c = cj('0 9 * * *', { timeZone: 'Asia/Tokyo' });
    const at = Date.UTC(2026, 0, 6, 0, 0);
    assert.equal(jobName(c, at), `c-${at / MIN}`);
    const job = jobFromTemplate(c, at);
    assert.equal(job.metadata.name, `c-${at / MIN}`);
    assert.deepEqual(job.metadata.labels, { a: 'b' });
    assert.deepEqual(job.metadata.annotations, { x: 'y', 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-01-06T09:00:00+09:00' });
    assert.deepEqual(job.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'c', uid: 'u', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(job.spec, { parallelism: 2 });
    assert.equal(formatRfc3339InZone(at, 'UTC'), '2026-01-06T00:00:00Z');
    assert.equal(formatRfc3339InZone(at, 'America/New_York'), '2026-01-05T19:00:00-05:00');
  });

  it('runs field schedules in spec.timeZone unless the schedule names its own', () => {
    const tokyo = cj('0 9 * * *', { timeZone: 'Asia/Tokyo' });
    assert.equal(mostRecentScheduleTime(tokyo, Date.UTC(2026, 0, 6, 0, 1), parsed(tokyo), false).mostRecentTime, Date.UTC(2026, 0, 6, 0, 0));
    const own = cj('TZ=America/New_York 0 9 * * *', { timeZone: 'Asia/Tokyo' });
    assert.equal(mostRecentScheduleTime(own, Date.UTC(2026, 0, 5, 14, 1), parsed(own), false).mostRecentTime, Date.UTC(2026, 0, 5, 14, 0));
    assert.equal(parseCronJobSchedule(cj('61 * * * *')).ok, false);
  });
});
