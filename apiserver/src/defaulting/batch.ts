// batch/v1 defaults (batch/v1 defaults.go: SetDefaults_Job, SetDefaults_CronJob) and the
// selector the Job strategy generates on create (pkg/registry/batch/job/strategy.go).

import { defaultPodTemplate, setIfMissing } from './pod.ts';

type Obj = Record<string, any>;

export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

const MAX_INT32 = 2147483647;

function specOf(obj: Obj): Obj {
  if (!obj.spec || typeof obj.spec !== 'object') obj.spec = {};
  return obj.spec as Obj;
}

/** A Job without labels takes its template's (upstream defaults this on every decode). */
function copyTemplateLabels(job: Obj): void {
  const labels = job.spec?.template?.metadata?.labels;
  if (labels && typeof labels === 'object' && Object.keys(job.metadata?.labels ?? {}).length === 0) {
    job.metadata ??= {};
    job.metadata.labels = { ...labels };
  }
}

export function defaultJob(job: Obj): void {
  const s = specOf(job);
  // A non-parallel job may leave both unset: both become 1.
  if ((s.completions === undefined || s.completions === null) && (s.parallelism === undefined || s.parallelism === null)) {
    s.completions = 1;
    s.parallelism = 1;
  }
  setIfMissing(s, 'parallelism', 1);
  setIfMissing(s, 'backoffLimit', s.backoffLimitPerIndex !== undefined && s.backoffLimitPerIndex !== null ? MAX_INT32 : 6);
  copyTemplateLabels(job);
  if (!s.completionMode) s.completionMode = 'NonIndexed';
  setIfMissing(s, 'suspend', false);
  if (!s.podReplacementPolicy) s.podReplacementPolicy = s.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  for (const rule of Array.isArray(s.podFailurePolicy?.rules) ? s.podFailurePolicy.rules : []) {
    for (const pattern of Array.isArray(rule?.onPodConditions) ? rule.onPodConditions : []) {
      if (pattern && !pattern.status) pattern.status = 'True';
    }
  }
  defaultPodTemplate(s.template ?? (s.template = {}));
}

export function defaultCronJob(cj: Obj): void {
  const s = specOf(cj);
  if (!s.concurrencyPolicy) s.concurrencyPolicy = 'Allow';
  setIfMissing(s, 'suspend', false);
  setIfMissing(s, 'successfulJobsHistoryLimit', 3);
  setIfMissing(s, 'failedJobsHistoryLimit', 1);
  // The job template gets the pod template defaults only (no Job defaults), as upstream.
  if (!s.jobTemplate || typeof s.jobTemplate !== 'object') s.jobTemplate = {};
  if (!s.jobTemplate.spec || typeof s.jobTemplate.spec !== 'object') s.jobTemplate.spec = {};
  defaultPodTemplate(s.jobTemplate.spec.template ?? (s.jobTemplate.spec.template = {}));
}

/**
 * The Job strategy's create step (generateSelector): unless spec.manualSelector is true, label
 * the template with the job's name and uid (both the legacy and the batch.kubernetes.io keys,
 * leaving labels the user set alone so validation can reject conflicts) and select on
 * `batch.kubernetes.io/controller-uid`. Labels follow upstream whatever the order this runs in
 * relative to applyDefaults: a Job without labels takes the user's template labels, or, when
 * the template had none, the generated ones (as upstream's read-time defaulting shows them).
 * Needs metadata.name and metadata.uid set.
 */
export function generateJobSelector(job: Obj): void {
  const s = specOf(job);
  if (s.manualSelector === true) return;
  // Decode-time defaulting happens before this upstream: the user's template labels first.
  copyTemplateLabels(job);
  const name = String(job.metadata?.name ?? '');
  const uid = String(job.metadata?.uid ?? '');
  if (!s.template || typeof s.template !== 'object') s.template = {};
  s.template.metadata ??= {};
  const labels: Record<string, string> = (s.template.metadata.labels ??= {});
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(k in labels)) labels[k] = name;
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (!(k in labels)) labels[k] = uid;
  if (!s.selector || typeof s.selector !== 'object') s.selector = {};
  s.selector.matchLabels ??= {};
  if (!(CONTROLLER_UID_LABEL in s.selector.matchLabels)) s.selector.matchLabels[CONTROLLER_UID_LABEL] = uid;
  copyTemplateLabels(job);
}
