// When a parsed cron schedule fires next (robfig/cron's Schedule.Next), in a time zone.
//
// Field schedules are matched on the wall clock of the zone: the search walks naive wall-clock
// time (months, then days, then hours, then minutes, as robfig does) and converts each match
// to an instant with Intl. Around daylight-saving changes:
//  - a wall time that does not exist (the hour skipped in spring) never fires;
//  - a wall time that exists twice (the hour repeated in autumn) fires once, at its first
//    occurrence after `after`.
// A schedule that cannot fire within five years of `after` (e.g. "0 0 31 2 *") has no next
// time: robfig returns the zero time there, this returns undefined.

import type { CronFields, CronSchedule } from './cron-schedule.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone name Intl understands: '' and 'UTC' are UTC, 'Local' is this process's zone. */
export function resolveTimeZone(timeZone: string | undefined): string {
  if (timeZone === undefined || timeZone === '' || timeZone === 'UTC') return 'UTC';
  if (timeZone === 'Local') return Intl.DateTimeFormat().resolvedOptions().timeZone;
  return timeZone;
}

/** The wall clock of `ms` in `timeZone`, as a naive UTC timestamp (whole seconds). */
function wallClock(ms: number, timeZone: string): number {
  if (timeZone === 'UTC') return Math.floor(ms / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/**
 * The earliest instant after `after` whose wall clock in `timeZone` is `wall`, or undefined
 * when the zone skips that wall time. Offsets a day and a half either side bracket any single
 * transition, so the candidates below include every offset in force around `wall`.
 */
function instantOf(wall: number, timeZone: string, after: number): number | undefined {
  if (timeZone === 'UTC') return wall > after ? wall : undefined;
  const offsets = new Set<number>();
  for (const probe of [wall - 36 * HOUR, wall, wall + 36 * HOUR]) offsets.add(wallClock(probe, timeZone) - Math.floor(probe / 1000) * 1000);
  let best: number | undefined;
  for (const offset of offsets) {
    const t = wall - offset;
    if (t <= after || wallClock(t, timeZone) !== wall) continue;
    if (best === undefined || t < best) best = t;
  }
  return best;
}

function dayMatches(f: CronFields, t: Date): boolean {
  const dom = f.dayOfMonth.has(t.getUTCDate());
  const dow = f.dayOfWeek.has(t.getUTCDay());
  // robfig: with a `*` in either field both must match; otherwise either one is enough.
  if (f.dayOfMonthStar || f.dayOfWeekStar) return dom && dow;
  return dom || dow;
}

/** The first naive wall-clock minute at or after `start` that the fields accept. */
function nextWallMatch(f: CronFields, start: number): number | undefined {
  const yearLimit = new Date(start).getUTCFullYear() + 5;
  let t = new Date(start);
  while (t.getUTCFullYear() <= yearLimit) {
    const y = t.getUTCFullYear();
    const mo = t.getUTCMonth();
    const d = t.getUTCDate();
    const h = t.getUTCHours();
    if (!f.month.has(mo + 1)) t = new Date(Date.UTC(y, mo + 1, 1));
    else if (!dayMatches(f, t)) t = new Date(Date.UTC(y, mo, d + 1));
    else if (!f.hour.has(h)) t = new Date(Date.UTC(y, mo, d, h + 1));
    else if (!f.minute.has(t.getUTCMinutes())) t = new Date(t.getTime() + MINUTE);
    else return t.getTime();
  }
  return undefined;
}

/**
 * The first time strictly after `after` at which `schedule` fires, or undefined when it never
 * does within five years. `timeZone` (an IANA name, 'UTC' or 'Local') applies to field
 * schedules; a `TZ=`/`CRON_TZ=` prefix parsed into the schedule wins over it, as robfig's
 * parser puts the location on the schedule. Without either the schedule runs in UTC.
 * `@every d` fires d after `after` truncated to the second.
 */
export function nextCronTime(schedule: CronSchedule, after: Date, timeZone?: string): Date | undefined {
  const afterMs = after.getTime();
  if (schedule.kind === 'every') {
    const delayMs = Math.max(1, Math.floor(schedule.seconds)) * 1000;
    return new Date(Math.floor(afterMs / 1000) * 1000 + delayMs);
  }
  const zone = resolveTimeZone(schedule.timeZone ?? timeZone);
  let wall = Math.floor(wallClock(afterMs, zone) / MINUTE) * MINUTE + MINUTE;
  // Each round either returns or moves `wall` past a skipped wall time: a few rounds at most.
  for (let round = 0; round < 1000; round++) {
    const match = nextWallMatch(schedule.fields, wall);
    if (match === undefined) return undefined;
    const t = instantOf(match, zone, afterMs);
    if (t !== undefined) return new Date(t);
    wall = match + MINUTE;
  }
  return undefined;
}
