import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { generateJobSelector } from '../../src/defaulting/index.ts';
import { parseCronSchedule } from '../../src/validation/index.ts';
import { createErrors, stored, updateErrors } from './helpers.ts';

function job(spec: Record<string, any> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: '0f6e9b2a-1111-4222-8333-444455556666' },
    spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl:5.34' }], restartPolicy: 'Never' } }, ...spec },
  };
}

function createdJob(spec: Record<string, any> = {}): KubeObject {
  const j = job(spec);
  generateJobSelector(j);
  return j;
}

function cronJob(spec: Record<string, any> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', namespace: 'default' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure' } } } },
      ...spec,
    },
  };
}

test('a Job with a generated selector is valid', () => {
  assert.deepEqual(createErrors('batch', 'Job', createdJob()), []);
});

test('a Job must not restart Always (the template default)', () => {
  const j = createdJob();
  delete j.spec.template.spec.restartPolicy;
  assert.deepEqual(createErrors('batch', 'Job', j), ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  const k = createdJob();
  k.spec.template.spec.restartPolicy = 'Sometimes';
  assert.deepEqual(createErrors('batch', 'Job', k), [
    'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
  ]);
});

test('parallelism, completions and backoffLimit may not be negative', () => {
  const j = createdJob({ parallelism: -1, completions: -2, backoffLimit: -3 });
  assert.deepEqual(createErrors('batch', 'Job', j), [
    'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
    'spec.completions: Invalid value: -2: must be greater than or equal to 0',
    'spec.backoffLimit: Invalid value: -3: must be greater than or equal to 0',
  ]);
});

test('a generated selector must not be tampered with', () => {
  const j = createdJob();
  j.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'] = 'someone-else';
  const errs = createErrors('batch', 'Job', j);
  assert.ok(errs.some((e) => e.startsWith('spec.selector: Invalid value: v1.LabelSelector{') && e.endsWith('`selector` not auto-generated')), String(errs));
});

test('a manual selector is required and must match the template', () => {
  const j = job({ manualSelector: true });
  assert.deepEqual(createErrors('batch', 'Job', j), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
  ]);
});

test("a Job's template and selector are immutable; parallelism is not", () => {
  const old = stored('batch', 'Job', createdJob());
  const scaled = structuredClone(old);
  scaled.spec.parallelism = 3;
  assert.deepEqual(updateErrors('batch', 'Job', scaled, old), []);
  const changed = structuredClone(old);
  changed.spec.template.spec.containers[0].image = 'perl:5.36';
  changed.spec.completions = 4;
  assert.deepEqual(updateErrors('batch', 'Job', changed, old), [
    'spec.completions: Invalid value: 4: field is immutable',
    'spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable',
  ]);
});

test('CronJob schedules parse like cron, descriptors included', () => {
  assert.deepEqual(createErrors('batch', 'CronJob', cronJob()), []);
  for (const s of ['@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually', '@every 1h30m', '0 9 * * MON-FRI', '15,45 */2 1-7 jan,jul ?']) {
    assert.deepEqual(createErrors('batch', 'CronJob', cronJob({ schedule: s })), [], s);
  }
  const cases: Array<[string, string]> = [
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['61 * * * *', 'end of range (61) above maximum (59): 61'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['@sometimes', 'unrecognized descriptor: @sometimes'],
  ];
  for (const [schedule, msg] of cases) {
    assert.deepEqual(createErrors('batch', 'CronJob', cronJob({ schedule })), [`spec.schedule: Invalid value: ${JSON.stringify(schedule)}: ${msg}`], schedule);
  }
  assert.deepEqual(createErrors('batch', 'CronJob', cronJob({ schedule: '' })), ['spec.schedule: Required value']);
});

test('the parsed schedule carries the selected values', () => {
  const r = parseCronSchedule('0 9 * * MON-FRI');
  assert.ok(r.ok && r.schedule.kind === 'fields');
  assert.deepEqual([...r.schedule.fields.dayOfWeek], [1, 2, 3, 4, 5]);
  assert.equal(r.schedule.fields.dayOfMonthStar, true);
  const every = parseCronSchedule('@every 1h30m');
  assert.ok(every.ok && every.schedule.kind === 'every' && every.schedule.seconds === 5400);
});

test('CronJob time zones, TZ in schedules, concurrency policy and name length', () => {
  assert.deepEqual(createErrors('batch', 'CronJob', cronJob({ timeZone: 'Europe/Paris' })), []);
  assert.deepEqual(createErrors('batch', 'CronJob', cronJob({ timeZone: 'Mars/Olympus' })), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  assert.deepEqual(createErrors('batch', 'CronJob', cronJob({ timeZone: '' })), ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string']);
  assert.deepEqual(createErrors('batch', 'CronJob', cronJob({ schedule: 'TZ=UTC 0 * * * *' })), [
    'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  ]);
  assert.deepEqual(createErrors('batch', 'CronJob', cronJob({ concurrencyPolicy: 'Sometimes' })), [
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
  ]);
  const long = cronJob();
  long.metadata.name = 'x'.repeat(53);
  assert.deepEqual(createErrors('batch', 'CronJob', long), [`metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`]);
});

test('a CronJob job template may not set a selector and must not restart Always', () => {
  const cj = cronJob();
  cj.spec.jobTemplate.spec.selector = { matchLabels: { a: 'b' } };
  delete cj.spec.jobTemplate.spec.template.spec.restartPolicy;
  assert.deepEqual(createErrors('batch', 'CronJob', cj), [
    'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
  ]);
});
