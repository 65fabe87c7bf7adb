// batch/v1 Jobs and CronJobs (batch validation: ValidateJob, ValidateJobUpdate,
// ValidateCronJobCreate, ValidateCronJobUpdate). The pod template of a Job is immutable once
// created; a CronJob's schedule must parse as cron does and its time zone must exist.

import type { FieldError, KubeObject } from '@minik8s/shared';
import { goValue, IMMUTABLE, invalid, nonNegative, notSupported, required } from './field-error.ts';
import { goLabelSelector, goStringMap } from './go-format.ts';
import { isDNS1123Label, nameIsDNSSubdomain } from './names.ts';
import { compileLabelSelector, deepEqual, immutable, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { validatePodTemplateSpec } from './pod.ts';
import { parseCronSchedule, timeZoneError } from '@minik8s/shared';
import { SELECTOR_MISMATCH } from './workload-template.ts';

type Obj = Record<string, any>;

export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

const MAX_PARALLELISM_INDEXED = 100000;

function hasLabel(labels: Record<string, string> | undefined, path: string, k: string, expected: string): FieldError[] {
  const actual = labels?.[k];
  if (actual === undefined) return [required(`${path}.labels[${k}]`, `must be '${expected}'`)];
  if (actual !== expected) return [invalid(`${path}.labels[${k}]`, goStringMap(labels), `must be '${expected}'`)];
  return [];
}

/** With a generated selector, the template must carry the job's uid and name labels. */
function validateGeneratedSelector(job: KubeObject): FieldError[] {
  const spec: Obj = job.spec ?? {};
  if (spec.manualSelector === true || !spec.selector) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  if (!uid) errs.push(required('metadata.uid'));
  const labels = spec.template?.metadata?.labels as Record<string, string> | undefined;
  const p = 'spec.template.metadata';
  errs.push(...hasLabel(labels, p, LEGACY_CONTROLLER_UID_LABEL, uid));
  errs.push(...hasLabel(labels, p, LEGACY_JOB_NAME_LABEL, name));
  errs.push(...hasLabel(labels, p, CONTROLLER_UID_LABEL, uid));
  errs.push(...hasLabel(labels, p, JOB_NAME_LABEL, name));
  const expected = { [CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: name, [LEGACY_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name };
  const sel = compileLabelSelector(spec.selector);
  if (sel && !sel.matches(expected)) errs.push(invalid('spec.selector', goLabelSelector(spec.selector), '`selector` not auto-generated'));
  return errs;
}

/** validateJobSpec: the parts a Job and a CronJob's job template share. */
function validateJobSpecCommon(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    errs.push(...nonNegative(`${path}.${f}`, spec[f]));
  }
  if (spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes !== null && (spec.backoffLimitPerIndex === undefined || spec.backoffLimitPerIndex === null)) {
    errs.push(required(`${path}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (spec.completions === undefined || spec.completions === null) errs.push(required(`${path}.completions`, 'when completion mode is Indexed'));
      if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_PARALLELISM_INDEXED) {
        errs.push(invalid(`${path}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
      }
    }
  }
  if (mode === undefined || mode === null || mode === 'NonIndexed') {
    if (spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null) {
      errs.push(invalid(`${path}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    }
    if (spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes !== null) {
      errs.push(invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, 'requires indexed completion mode'));
    }
  }
  if (spec.podReplacementPolicy !== undefined && spec.podReplacementPolicy !== null) {
    const allowed = spec.podFailurePolicy ? ['Failed'] : ['Failed', 'TerminatingOrFailed'];
    if (!allowed.includes(spec.podReplacementPolicy)) errs.push(notSupported(`${path}.podReplacementPolicy`, spec.podReplacementPolicy, allowed));
  }
  errs.push(...validatePodTemplateSpec(spec.template, `${path}.template`));
  const restart = spec.template?.spec?.restartPolicy ?? '';
  if (restart === 'Always' || restart === '') {
    errs.push(required(`${path}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  } else if (restart !== 'OnFailure' && restart !== 'Never') {
    errs.push(notSupported(`${path}.template.spec.restartPolicy`, restart, ['OnFailure', 'Never']));
  } else if (spec.podFailurePolicy && restart !== 'Never') {
    errs.push(invalid(`${path}.template.spec.restartPolicy`, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

function validateJobSpec(spec: Obj): FieldError[] {
  const errs = validateJobSpecCommon(spec, 'spec');
  if (!spec.selector) errs.push(required('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const sel = compileLabelSelector(spec.selector);
  if (sel && !sel.matches(spec.template?.metadata?.labels)) {
    errs.push(invalid('spec.template.metadata.labels', goStringMap(spec.template?.metadata?.labels), SELECTOR_MISMATCH));
  }
  return errs;
}

export function validateJob(job: KubeObject): FieldError[] {
  const errs = validateObjectMeta(job.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateGeneratedSelector(job));
  errs.push(...validateJobSpec(job.spec ?? {}));
  const spec: Obj = job.spec ?? {};
  if (spec.completionMode === 'Indexed' && typeof spec.completions === 'number' && spec.completions > 0) {
    const host = `${job.metadata.name ?? ''}-${spec.completions - 1}`;
    if (isDNS1123Label(host).length > 0) {
      errs.push(invalid('metadata.name', job.metadata.name ?? '', `will not able to create pod with invalid DNS label: ${host}`));
    }
  }
  return errs;
}

/**
 * ValidateJobUpdate: the selector, completion mode and pod template are immutable; completions
 * too, except for an Indexed job scaled with parallelism == completions (elastic jobs).
 */
export function validateJobUpdate(job: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata);
  const ns: Obj = job.spec ?? {};
  const os: Obj = old.spec ?? {};
  errs.push(...validateJobSpec(ns));
  if (!deepEqual(ns.completions, os.completions)) {
    const elastic = ns.completionMode === 'Indexed' && typeof ns.completions === 'number' && ns.completions === ns.parallelism && typeof os.completions === 'number' && os.completions === os.parallelism;
    if (!elastic) errs.push(invalid('spec.completions', ns.completions ?? null, IMMUTABLE));
  }
  errs.push(...immutable(ns.selector, os.selector, 'spec.selector', goLabelSelector(ns.selector)));
  if (!deepEqual(ns.template, os.template)) {
    errs.push(invalid('spec.template', goValue('core.PodTemplateSpec{...}'), IMMUTABLE));
  }
  errs.push(...immutable(ns.completionMode, os.completionMode, 'spec.completionMode', ns.completionMode ?? null));
  errs.push(...immutable(ns.podFailurePolicy, os.podFailurePolicy, 'spec.podFailurePolicy', goValue('batch.PodFailurePolicy{...}')));
  errs.push(...immutable(ns.backoffLimitPerIndex, os.backoffLimitPerIndex, 'spec.backoffLimitPerIndex', ns.backoffLimitPerIndex ?? null));
  errs.push(...immutable(ns.managedBy, os.managedBy, 'spec.managedBy', ns.managedBy ?? null));
  errs.push(...immutable(ns.successPolicy, os.successPolicy, 'spec.successPolicy', goValue('batch.SuccessPolicy{...}')));
  return errs;
}

// ---- CronJob ------------------------------------------------------------------------------

function validateTimeZone(tz: unknown): FieldError[] {
  if (tz === undefined || tz === null) return [];
  const s = String(tz);
  if (s === '') return [invalid('spec.timeZone', s, 'timeZone must be nil or non-empty string')];
  for (const part of s.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part)) {
      return [invalid('spec.timeZone', s, `unknown time zone ${s}`)];
    }
  }
  const errs: FieldError[] = [];
  if (s.toLowerCase() === 'local') errs.push(invalid('spec.timeZone', s, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  const err = timeZoneError(s);
  if (err) errs.push(invalid('spec.timeZone', s, err));
  return errs;
}

function validateCronJobSpec(spec: Obj, oldSpec: Obj | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = String(spec.schedule ?? '');
  if (!schedule) {
    errs.push(required('spec.schedule'));
  } else {
    const parsed = parseCronSchedule(schedule);
    if (!parsed.ok) errs.push(invalid('spec.schedule', schedule, parsed.error));
    const allowTZ = oldSpec !== undefined && String(oldSpec.schedule ?? '').includes('TZ');
    if (allowTZ && schedule.includes('TZ') && spec.timeZone !== undefined && spec.timeZone !== null) {
      errs.push(invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && schedule.includes('TZ')) {
      errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  errs.push(...nonNegative('spec.startingDeadlineSeconds', spec.startingDeadlineSeconds));
  if (oldSpec === undefined || oldSpec.timeZone !== spec.timeZone) errs.push(...validateTimeZone(spec.timeZone));
  const cp = spec.concurrencyPolicy ?? '';
  if (cp === '') errs.push(required('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  const jt: Obj = spec.jobTemplate ?? {};
  const jspec: Obj = jt.spec ?? {};
  errs.push(...validateJobSpecCommon(jspec, 'spec.jobTemplate.spec'));
  if (jspec.selector) errs.push(invalid('spec.jobTemplate.spec.selector', goLabelSelector(jspec.selector), '`selector` will be auto-generated'));
  if (jspec.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...nonNegative('spec.successfulJobsHistoryLimit', spec.successfulJobsHistoryLimit));
  errs.push(...nonNegative('spec.failedJobsHistoryLimit', spec.failedJobsHistoryLimit));
  return errs;
}

export function validateCronJob(cj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateCronJobSpec(cj.spec ?? {}, undefined));
  const name = cj.metadata.name ?? '';
  // The controller appends an 11-character suffix to make job names of at most 63.
  if (name.length > 52) errs.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
  return errs;
}

export function validateCronJobUpdate(cj: KubeObject, old: KubeObject): FieldError[] {
  return [...validateObjectMetaUpdate(cj.metadata, old.metadata), ...validateCronJobSpec(cj.spec ?? {}, old.spec ?? {})];
}
