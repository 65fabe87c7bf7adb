// Cron schedules: the parser the apiserver validates CronJobs with, and the next-run
// computation the CronJob controller schedules with.

export { parseCronSchedule, parseGoDuration, timeZoneError, type CronFields, type CronParseResult, type CronSchedule } from './cron-schedule.ts';
export { nextCronTime, resolveTimeZone } from './next-cron-time.ts';
