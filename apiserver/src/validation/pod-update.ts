// What a pod update may change (core validation: ValidatePodUpdate). A pod's spec is immutable
// but for container images, a shorter activeDeadlineSeconds, added tolerations, removed
// scheduling gates and a grace period moved from negative to 1; anything else is refused with
// upstream's message followed by a description of the difference.
//
// Upstream appends go-cmp's diff of the two specs; ours lists the changed paths with `-` (old)
// and `+` (new) lines in the same frame, which carries the same information.

import type { FieldError, KubeObject } from '@minik8s/shared';
import { forbidden, invalid, required } from './field-error.ts';
import { inclusiveRangeError } from './names.ts';
import { canonicalJSON, deepEqual, validateObjectMetaUpdate } from './object-meta.ts';
import { validatePod } from './pod.ts';
import { validateTolerations } from './scheduling.ts';

type Obj = Record<string, any>;

const MAX_INT32 = 2147483647;

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function validateContainerUpdates(next: unknown, prev: unknown, path: string): { errs: FieldError[]; stop: boolean } {
  const n: Obj[] = Array.isArray(next) ? next : [];
  const o: Obj[] = Array.isArray(prev) ? prev : [];
  if (n.length !== o.length) return { errs: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  n.forEach((c, i) => {
    const image = typeof c?.image === 'string' ? c.image : '';
    if (!image) errs.push(required(`${path}[${i}].image`));
    if (image.trim().length !== image.length) errs.push(invalid(`${path}[${i}].image`, image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

function withoutSeconds(t: Obj): string {
  const { tolerationSeconds: _s, ...rest } = t ?? {};
  return canonicalJSON(rest);
}

/** Existing tolerations may only change their tolerationSeconds; new ones may be added. */
function validateOnlyAddedTolerations(next: unknown, prev: unknown, path: string): FieldError[] {
  const n: Obj[] = Array.isArray(next) ? next : [];
  const o: Obj[] = Array.isArray(prev) ? prev : [];
  for (const old of o) {
    if (!n.some((t) => withoutSeconds(t) === withoutSeconds(old))) {
      return [forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
    }
  }
  return validateTolerations(n, path);
}

export function validatePodUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...validatePod(pod));
  const ns: Obj = pod.spec ?? {};
  const os: Obj = old.spec ?? {};

  const mirror = 'kubernetes.io/config.mirror';
  const na = pod.metadata?.annotations ?? {};
  const oa = old.metadata?.annotations ?? {};
  if (mirror in oa && na[mirror] !== oa[mirror]) errs.push(forbidden(`metadata.annotations[${mirror}]`, 'may not remove or update mirror pod annotation'));
  if (mirror in na && !(mirror in oa)) errs.push(forbidden(`metadata.annotations[${mirror}]`, 'may not add mirror pod annotation'));

  for (const [field, path] of [
    ['containers', 'spec.containers'],
    ['initContainers', 'spec.initContainers'],
  ] as const) {
    const r = validateContainerUpdates(ns[field], os[field], path);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }

  if (ns.activeDeadlineSeconds !== undefined && ns.activeDeadlineSeconds !== null) {
    const v = ns.activeDeadlineSeconds;
    if (v < 0 || v > MAX_INT32) {
      errs.push(invalid('spec.activeDeadlineSeconds', v, inclusiveRangeError(0, MAX_INT32)));
      return errs;
    }
    if (os.activeDeadlineSeconds !== undefined && os.activeDeadlineSeconds !== null && os.activeDeadlineSeconds < v) {
      errs.push(invalid('spec.activeDeadlineSeconds', v, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (os.activeDeadlineSeconds !== undefined && os.activeDeadlineSeconds !== null) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }

  errs.push(...validateOnlyAddedTolerations(ns.tolerations, os.tolerations, 'spec.tolerations'));

  const newGates: Obj[] = Array.isArray(ns.schedulingGates) ? ns.schedulingGates : [];
  const oldGates = new Set((Array.isArray(os.schedulingGates) ? os.schedulingGates : []).map((g: Obj) => g?.name));
  newGates.forEach((g, i) => {
    if (!oldGates.has(g?.name)) errs.push(forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${g?.name}'`));
  });

  if (deepEqual(ns, os)) return errs;

  // Put the old values of what may change into a copy of the new spec, then compare.
  const munged: Obj = structuredClone(ns);
  (munged.containers ?? []).forEach((c: Obj, i: number) => (c.image = os.containers?.[i]?.image));
  (munged.initContainers ?? []).forEach((c: Obj, i: number) => (c.image = os.initContainers?.[i]?.image));
  munged.activeDeadlineSeconds = os.activeDeadlineSeconds;
  munged.schedulingGates = os.schedulingGates;
  munged.tolerations = os.tolerations;
  if (typeof os.terminationGracePeriodSeconds === 'number' && os.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = os.terminationGracePeriodSeconds;
  }
  if (oldGates.size > 0) {
    // A gated pod may gain node selector entries and change its node affinity.
    munged.nodeSelector = os.nodeSelector;
    if (munged.affinity || os.affinity) munged.affinity = { ...(munged.affinity ?? {}), nodeAffinity: os.affinity?.nodeAffinity };
  }
  if (!deepEqual(munged, os)) {
    errs.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${specDiff(os, munged)}`));
  }
  return errs;
}

/** The changed leaves of two specs, as `- path: old` / `+ path: new` lines inside `core.PodSpec{ }`. */
export function specDiff(old: unknown, next: unknown): string {
  const lines: string[] = [];
  walk(old, next, '', lines);
  return `  core.PodSpec{\n${lines.join('\n')}\n  }\n`;
}

function walk(a: unknown, b: unknown, path: string, out: string[]): void {
  if (canonicalJSON(a) === canonicalJSON(b)) return;
  const bothObjects = a && b && typeof a === 'object' && typeof b === 'object';
  if (bothObjects && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a) ? [...Array(Math.max(a.length, (b as unknown[]).length)).keys()].map(String) : [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    for (const k of keys) {
      const sub = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], sub, out);
    }
    return;
  }
  out.push(`- \t${path}: ${render(a)}`);
  out.push(`+ \t${path}: ${render(b)}`);
}

function render(v: unknown): string {
  return v === undefined || v === null ? 'nil' : JSON.stringify(v);
}
