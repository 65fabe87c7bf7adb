// What the apps/v1 workloads share: a selector that must select their own template, a pod
// template that always restarts, and IntOrString percentages for rolling updates
// (apps validation: ValidatePodTemplateSpecForReplicaSet, ValidatePositiveIntOrPercent,
// IsNotMoreThan100Percent).

import type { FieldError } from '@minik8s/shared';
import { forbidden, invalid, notSupported, required } from './field-error.ts';
import { goIntOrString, goLabelSelector, goStringMap } from './go-format.ts';
import { isValidPercent } from './names.ts';
import { compileLabelSelector, validateLabelSelector } from './object-meta.ts';
import { validatePodTemplateSpec } from './pod.ts';

type Obj = Record<string, any>;

export const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

/**
 * The selector of a workload: required, valid, non-empty (`empty selector is invalid for
 * <what>`), and matching the template's labels.
 */
export function validateWorkloadSelector(spec: Obj, what: string, requireSelector: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.selector) {
    if (requireSelector) errs.push(required('spec.selector'));
  } else {
    errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    const s = spec.selector as Obj;
    if (Object.keys(s.matchLabels ?? {}).length + (s.matchExpressions ?? []).length === 0) {
      errs.push(invalid('spec.selector', goLabelSelector(s), `empty selector is invalid for ${what}`));
    }
  }
  return errs;
}

/** The template must exist, be selected by the selector, be a valid pod template and restart Always. */
export function validateTemplateForSelector(spec: Obj, what: string, validateSpec = true): FieldError[] {
  const errs: FieldError[] = [];
  const template = spec.template as Obj | undefined;
  const selector = compileLabelSelector(spec.selector);
  if (!selector) {
    errs.push(invalid('spec.selector', goLabelSelector(spec.selector), 'invalid label selector'));
    return errs;
  }
  if (!template) return [required('spec.template')];
  const labels = template.metadata?.labels as Record<string, string> | undefined;
  if (!selector.empty && !selector.matches(labels)) errs.push(invalid('spec.template.metadata.labels', goStringMap(labels), SELECTOR_MISMATCH));
  if (validateSpec) errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  const restart = template.spec?.restartPolicy ?? '';
  if (restart !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec?.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${what} is not Supported`));
  }
  return errs;
}

/** An IntOrString that is a non-negative int or a `N%` string. */
export function validatePositiveIntOrPercent(v: unknown, field: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(field, goIntOrString(v), m));
  if (typeof v === 'number') return v < 0 ? [invalid(field, v, 'must be greater than or equal to 0')] : [];
  if (v === undefined || v === null) return [];
  return [invalid(field, goIntOrString(v), "must be an integer or percentage (e.g '5%%')")];
}

/** The number an IntOrString stands for: the int, or the percentage's number. */
export function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && isValidPercent(v).length === 0) return Number(v.slice(0, -1));
  return 0;
}

export function notMoreThan100Percent(v: unknown, field: string): FieldError[] {
  if (typeof v === 'string' && isValidPercent(v).length === 0 && Number(v.slice(0, -1)) > 100) {
    return [invalid(field, goIntOrString(v), 'must not be greater than 100%')];
  }
  return [];
}
