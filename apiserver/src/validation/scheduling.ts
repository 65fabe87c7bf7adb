// What the scheduler reads from a pod spec: tolerations, affinity, topology spread constraints
// (core validation: ValidateTolerations, validateAffinity, validateTopologySpreadConstraints).

import type { FieldError } from '@minik8s/shared';
import { child, duplicate, forbidden, index, invalid, notSupported, required } from './field-error.ts';
import { isValidLabelValue, nameIsDNSLabel } from './names.ts';
import { validateLabelName, validateLabelSelector } from './object-meta.ts';

type Obj = Record<string, any>;

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaintEffect(effect: unknown, allowEmpty: boolean, field: string): FieldError[] {
  if (!allowEmpty && !effect) return [required(field)];
  if (!TAINT_EFFECTS.includes(String(effect))) return [notSupported(field, String(effect ?? ''), TAINT_EFFECTS)];
  return [];
}

export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  if (!Array.isArray(tolerations)) return [];
  const errs: FieldError[] = [];
  tolerations.forEach((t: Obj, i) => {
    const p = index(path, i);
    const key = String(t?.key ?? '');
    const op = String(t?.operator ?? '');
    const value = String(t?.value ?? '');
    const effect = String(t?.effect ?? '');
    if (key) errs.push(...validateLabelName(key, child(p, 'key')));
    if (!key && op !== 'Exists') {
      errs.push(invalid(child(p, 'operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t?.tolerationSeconds !== undefined && t?.tolerationSeconds !== null && effect !== 'NoExecute') {
      errs.push(invalid(child(p, 'effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length) errs.push(invalid(child(p, 'operator'), value, msgs.join(';')));
    } else if (op === 'Exists') {
      if (value) errs.push(invalid(child(p, 'operator'), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(child(p, 'operator'), op, ['Equal', 'Exists']));
    }
    if (effect) errs.push(...validateTaintEffect(effect, true, child(p, 'effect')));
  });
  return errs;
}

function validateNodeSelectorRequirement(rq: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values: unknown[] = Array.isArray(rq?.values) ? rq.values : [];
  switch (rq?.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(child(path, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(child(path, 'operator'), String(rq?.operator ?? ''), 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(String(rq?.key ?? ''), child(path, 'key')));
  values.forEach((v, i) => {
    for (const m of isValidLabelValue(String(v))) errs.push(invalid(index(child(path, 'values'), i), String(v), m));
  });
  return errs;
}

function validateNodeSelectorTerm(term: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (Array.isArray(term?.matchExpressions) ? term.matchExpressions : []).forEach((r: Obj, j: number) =>
    errs.push(...validateNodeSelectorRequirement(r, index(child(path, 'matchExpressions'), j))),
  );
  (Array.isArray(term?.matchFields) ? term.matchFields : []).forEach((r: Obj, j: number) => {
    const p = index(child(path, 'matchFields'), j);
    const values: unknown[] = Array.isArray(r?.values) ? r.values : [];
    if (r?.operator === 'In' || r?.operator === 'NotIn') {
      if (values.length !== 1) errs.push(required(child(p, 'values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    } else {
      errs.push(invalid(child(p, 'operator'), String(r?.operator ?? ''), 'not a valid selector operator'));
    }
    if (r?.key !== 'metadata.name') errs.push(invalid(child(p, 'key'), String(r?.key ?? ''), 'not a valid field selector key'));
  });
  return errs;
}

function validatePodAffinityTerm(term: Obj, path: string): FieldError[] {
  const errs = validateLabelSelector(term?.labelSelector, child(path, 'labelSelector'));
  errs.push(...validateLabelSelector(term?.namespaceSelector, child(path, 'namespaceSelector')));
  for (const ns of (Array.isArray(term?.namespaces) ? term.namespaces : []) as string[]) {
    for (const m of nameIsDNSLabel(String(ns), false)) errs.push(invalid(child(path, 'namespace'), String(ns), m));
  }
  if (!term?.topologyKey) errs.push(required(child(path, 'topologyKey'), 'can not be empty'));
  errs.push(...validateLabelName(String(term?.topologyKey ?? ''), child(path, 'topologyKey')));
  return errs;
}

function validatePodAffinityBlock(a: Obj | undefined, path: string): FieldError[] {
  if (!a) return [];
  const errs: FieldError[] = [];
  (Array.isArray(a.requiredDuringSchedulingIgnoredDuringExecution) ? a.requiredDuringSchedulingIgnoredDuringExecution : []).forEach(
    (t: Obj, i: number) => errs.push(...validatePodAffinityTerm(t, index(child(path, 'requiredDuringSchedulingIgnoredDuringExecution'), i))),
  );
  (Array.isArray(a.preferredDuringSchedulingIgnoredDuringExecution) ? a.preferredDuringSchedulingIgnoredDuringExecution : []).forEach(
    (w: Obj, i: number) => {
      const p = index(child(path, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      if (!(w?.weight > 0 && w?.weight <= 100)) errs.push(invalid(child(p, 'weight'), w?.weight ?? 0, 'must be in the range 1-100'));
      errs.push(...validatePodAffinityTerm(w?.podAffinityTerm, child(p, 'podAffinityTerm')));
    },
  );
  return errs;
}

export function validateAffinity(affinity: unknown, path: string): FieldError[] {
  if (!affinity || typeof affinity !== 'object') return [];
  const a = affinity as Obj;
  const errs: FieldError[] = [];
  const na = a.nodeAffinity as Obj | undefined;
  if (na) {
    const np = child(path, 'nodeAffinity');
    const req = na.requiredDuringSchedulingIgnoredDuringExecution as Obj | undefined;
    if (req) {
      const tp = child(np, 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms');
      const terms = Array.isArray(req.nodeSelectorTerms) ? req.nodeSelectorTerms : [];
      if (terms.length === 0) errs.push(required(tp, 'must have at least one node selector term'));
      terms.forEach((t: Obj, i: number) => errs.push(...validateNodeSelectorTerm(t, index(tp, i))));
    }
    (Array.isArray(na.preferredDuringSchedulingIgnoredDuringExecution) ? na.preferredDuringSchedulingIgnoredDuringExecution : []).forEach(
      (t: Obj, i: number) => {
        const p = index(child(np, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
        if (!(t?.weight > 0 && t?.weight <= 100)) errs.push(invalid(child(p, 'weight'), t?.weight ?? 0, 'must be in the range 1-100'));
        errs.push(...validateNodeSelectorTerm(t?.preference, child(p, 'preference')));
      },
    );
  }
  errs.push(...validatePodAffinityBlock(a.podAffinity, child(path, 'podAffinity')));
  errs.push(...validatePodAffinityBlock(a.podAntiAffinity, child(path, 'podAntiAffinity')));
  return errs;
}

const WHEN_UNSATISFIABLE = ['DoNotSchedule', 'ScheduleAnyway'];

export function validateTopologySpreadConstraints(constraints: unknown, path: string): FieldError[] {
  if (!Array.isArray(constraints)) return [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  constraints.forEach((c: Obj, i) => {
    const p = index(path, i);
    if (!(typeof c?.maxSkew === 'number' && c.maxSkew > 0)) errs.push(invalid(child(p, 'maxSkew'), c?.maxSkew ?? 0, 'must be greater than zero'));
    if (!c?.topologyKey) errs.push(required(child(p, 'topologyKey'), 'can not be empty'));
    if (!WHEN_UNSATISFIABLE.includes(c?.whenUnsatisfiable)) {
      errs.push(notSupported(child(p, 'whenUnsatisfiable'), String(c?.whenUnsatisfiable ?? ''), WHEN_UNSATISFIABLE));
    }
    const k = `{${c?.topologyKey ?? ''}, ${c?.whenUnsatisfiable ?? ''}}`;
    if (seen.has(k)) errs.push(duplicate(p, k));
    seen.add(k);
    if (c?.minDomains !== undefined && c?.minDomains !== null) {
      if (!(c.minDomains > 0)) errs.push(invalid(child(p, 'minDomains'), c.minDomains, 'must be greater than 0'));
      else if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(invalid(child(p, 'minDomains'), c.minDomains, 'can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway'));
      }
    }
    errs.push(...validateLabelSelector(c?.labelSelector, child(p, 'labelSelector')));
  });
  return errs;
}
