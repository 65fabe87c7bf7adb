// Cron schedules as CronJobs accept them: robfig/cron's standard parser (five fields, or a
// descriptor such as @hourly / @every 1h30m), with its error messages, and IANA time zones.
//
// One parser for the whole cluster: the apiserver validates spec.schedule with
// parseCronSchedule, and the CronJob controller computes run times from the same reading with
// nextCronTime (robfig's Schedule.Next), so what validation accepts is what runs.

export interface CronFields {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  /** True when day-of-month or day-of-week was `*` or `?` (cron's "star bit"). */
  dayOfMonthStar: boolean;
  dayOfWeekStar: boolean;
}

export type CronSchedule = { kind: 'fields'; fields: CronFields; timeZone?: string } | { kind: 'every'; seconds: number };

export type CronParseResult = { ok: true; schedule: CronSchedule } | { ok: false; error: string };

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

class CronError extends Error {}

/** Go's strconv.Atoi plus cron's wording. */
function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named !== undefined ? named : mustParseInt(expr);
}

function getRange(expr: string, b: Bounds, out: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, b);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    if (single) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
  for (let i = start; i <= end; i += step) out.add(i);
  return star;
}

function getField(field: string, b: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(',').filter((x) => x !== '')) star = getRange(expr, b, values) || star;
  return { values, star };
}

function all(b: Bounds): Set<number> {
  const s = new Set<number>();
  for (let i = b.min; i <= b.max; i++) s.add(i);
  return s;
}

const UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go's time.ParseDuration, in seconds. */
export function parseGoDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of s.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * UNITS[part[2]!]!;
  return m[1] === '-' ? -total : total;
}

function descriptor(spec: string): CronSchedule {
  const star = (b: Bounds) => all(b);
  const one = (n: number) => new Set([n]);
  const fields = (f: Partial<CronFields>): CronSchedule => ({
    kind: 'fields',
    fields: {
      minute: one(0),
      hour: one(0),
      dayOfMonth: star(DOM),
      month: star(MONTHS),
      dayOfWeek: star(DOW),
      dayOfMonthStar: true,
      dayOfWeekStar: true,
      ...f,
    },
  });
  switch (spec) {
    case '@yearly':
    case '@annually':
      return fields({ dayOfMonth: one(1), month: one(1), dayOfMonthStar: false });
    case '@monthly':
      return fields({ dayOfMonth: one(1), dayOfMonthStar: false });
    case '@weekly':
      return fields({ dayOfWeek: one(0), dayOfWeekStar: false });
    case '@daily':
    case '@midnight':
      return fields({});
    case '@hourly':
      return fields({ hour: star(HOURS) });
    default:
      break;
  }
  if (spec.startsWith('@every ')) {
    const d = parseGoDuration(spec.slice('@every '.length));
    if (d === undefined) throw new CronError(`failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(spec.slice('@every '.length))}`);
    return { kind: 'every', seconds: d };
  }
  throw new CronError(`unrecognized descriptor: ${spec}`);
}

/** cron.ParseStandard: five fields (minute hour dom month dow) or a descriptor. */
export function parseCronSchedule(input: string): CronParseResult {
  try {
    let spec = input;
    if (spec.length === 0) throw new CronError('empty spec string');
    let timeZone: string | undefined;
    if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
      const i = spec.indexOf(' ');
      const eq = spec.indexOf('=');
      timeZone = spec.slice(eq + 1, i < 0 ? undefined : i);
      const err = timeZoneError(timeZone);
      if (err) throw new CronError(`provided bad location ${timeZone}: ${err}`);
      spec = i < 0 ? '' : spec.slice(i).trim();
    }
    if (spec.startsWith('@')) return { ok: true, schedule: descriptor(spec) };
    const fields = spec.split(/\s+/).filter((x) => x !== '');
    if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
    const minute = getField(fields[0]!, MINUTES);
    const hour = getField(fields[1]!, HOURS);
    const dom = getField(fields[2]!, DOM);
    const month = getField(fields[3]!, MONTHS);
    const dow = getField(fields[4]!, DOW);
    const schedule: CronSchedule = {
      kind: 'fields',
      fields: {
        minute: minute.values,
        hour: hour.values,
        dayOfMonth: dom.values,
        month: month.values,
        dayOfWeek: dow.values,
        dayOfMonthStar: dom.star,
        dayOfWeekStar: dow.star,
      },
    };
    if (timeZone) schedule.timeZone = timeZone;
    return { ok: true, schedule };
  } catch (e) {
    if (e instanceof CronError) return { ok: false, error: e.message };
    throw e;
  }
}

/** undefined when Go's time.LoadLocation would accept the name, else its error text. */
export function timeZoneError(name: string): string | undefined {
  if (name === '' || name === 'UTC') return undefined;
  if (name === 'Local') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return undefined;
  } catch {
    return `unknown time zone ${name}`;
  }
}
