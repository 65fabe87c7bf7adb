import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextCronTime, parseCronSchedule, type CronSchedule } from '../../src/index.ts';

function parse(spec: string): CronSchedule {
  const r = parseCronSchedule(spec);
  if (!r.ok) throw new Error(r.error);
  return r.schedule;
}

const at = (iso: string) => new Date(iso);
const next = (spec: string, after: string, tz?: string) => nextCronTime(parse(spec), at(after), tz)?.toISOString();

describe('nextCronTime', () => {
  it('is strictly after the given time, on a minute boundary', () => {
    assert.equal(next('*/5 * * * *', '2026-01-01T00:00:00Z'), '2026-01-01T00:05:00.000Z');
    assert.equal(next('*/5 * * * *', '2026-01-01T00:04:59.999Z'), '2026-01-01T00:05:00.000Z');
    assert.equal(next('* * * * *', '2026-01-01T00:00:30Z'), '2026-01-01T00:01:00.000Z');
  });

  it('walks months, days and hours', () => {
    assert.equal(next('30 9 * * *', '2026-01-01T10:00:00Z'), '2026-01-02T09:30:00.000Z');
    assert.equal(next('0 0 1 * *', '2026-01-31T12:00:00Z'), '2026-02-01T00:00:00.000Z');
    assert.equal(next('0 12 29 2 *', '2026-03-01T00:00:00Z'), '2028-02-29T12:00:00.000Z');
    assert.equal(next('15 10 * 6 *', '2026-07-01T00:00:00Z'), '2027-06-01T10:15:00.000Z');
  });

  it('matches either day field unless one is a star (robfig)', () => {
    // 2026-01-01 is a Thursday. "1st of the month OR Monday".
    assert.equal(next('0 0 1 * MON', '2026-01-01T00:00:00Z'), '2026-01-05T00:00:00.000Z');
    // With a star day-of-month, only the weekday counts.
    assert.equal(next('0 0 * * MON', '2026-01-01T00:00:00Z'), '2026-01-05T00:00:00.000Z');
    assert.equal(next('0 0 13 * FRI', '2026-02-01T00:00:00Z'), '2026-02-06T00:00:00.000Z');
  });

  it('knows the descriptors', () => {
    assert.equal(next('@hourly', '2026-01-01T00:59:00Z'), '2026-01-01T01:00:00.000Z');
    assert.equal(next('@daily', '2026-01-01T00:00:00Z'), '2026-01-02T00:00:00.000Z');
    assert.equal(next('@midnight', '2026-01-01T13:00:00Z'), '2026-01-02T00:00:00.000Z');
    assert.equal(next('@weekly', '2026-01-01T00:00:00Z'), '2026-01-04T00:00:00.000Z');
    assert.equal(next('@monthly', '2026-01-15T00:00:00Z'), '2026-02-01T00:00:00.000Z');
    assert.equal(next('@yearly', '2026-01-01T00:00:00Z'), '2027-01-01T00:00:00.000Z');
    assert.equal(next('@annually', '2026-06-01T00:00:00Z'), '2027-01-01T00:00:00.000Z');
    assert.equal(next('@every 1h30m', '2026-01-01T00:00:00.700Z'), '2026-01-01T01:30:00.000Z');
  });

  it('runs on the wall clock of a time zone', () => {
    // 09:00 in Tokyo (UTC+9, no DST) is 00:00 UTC.
    assert.equal(next('0 9 * * *', '2026-01-01T01:00:00Z', 'Asia/Tokyo'), '2026-01-02T00:00:00.000Z');
    // 09:00 in New York: EST (UTC-5) in January, EDT (UTC-4) in July.
    assert.equal(next('0 9 * * *', '2026-01-10T00:00:00Z', 'America/New_York'), '2026-01-10T14:00:00.000Z');
    assert.equal(next('0 9 * * *', '2026-07-10T00:00:00Z', 'America/New_York'), '2026-07-10T13:00:00.000Z');
    // A TZ= prefix in the schedule wins over the argument.
    assert.equal(next('TZ=Asia/Tokyo 0 9 * * *', '2026-01-01T01:00:00Z', 'America/New_York'), '2026-01-02T00:00:00.000Z');
  });

  it('skips a wall time the zone jumps over and fires a repeated one once', () => {
    // 2026-03-08 02:30 does not exist in New York (02:00 EST -> 03:00 EDT).
    assert.equal(next('30 2 * * *', '2026-03-07T12:00:00Z', 'America/New_York'), '2026-03-09T06:30:00.000Z');
    // 2026-11-01 01:30 happens twice (EDT, then EST): the first one fires.
    const first = next('30 1 * * *', '2026-11-01T04:00:00Z', 'America/New_York');
    assert.equal(first, '2026-11-01T05:30:00.000Z');
    // After the first one, the next is the following day, not the repeat an hour later.
    assert.equal(next('30 1 * * *', first!, 'America/New_York'), '2026-11-02T06:30:00.000Z');
  });

  it('has no next time for a date that never comes', () => {
    assert.equal(next('0 0 31 2 *', '2026-01-01T00:00:00Z'), undefined);
  });
});
