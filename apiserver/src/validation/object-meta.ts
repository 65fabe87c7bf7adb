// ObjectMeta, labels, annotations and label selectors, as apimachinery validates them
// (pkg/api/validation/objectmeta.go, pkg/apis/meta/v1/validation) plus core's extra check that
// finalizer names are standard or fully qualified.

import type { FieldError, ObjectMeta } from '@minik8s/shared';
import {
  child,
  forbidden,
  goValue,
  IMMUTABLE,
  index,
  invalid,
  nonNegative,
  required,
  tooLong,
} from './field-error.ts';
import type { BadValue } from './field-error.ts';
import { goStringSlice } from './go-format.ts';
import { isDNS1123Label, isQualifiedName, isValidLabelValue } from './names.ts';
import type { NameValidator } from './names.ts';

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateLabelName(name: string, field: string): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(field, name, m));
}

export function validateLabels(labels: unknown, field: string): FieldError[] {
  if (!labels || typeof labels !== 'object') return [];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    errs.push(...validateLabelName(k, field));
    const value = typeof v === 'string' ? v : String(v);
    for (const m of isValidLabelValue(value)) errs.push(invalid(field, value, m));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  if (!annotations || typeof annotations !== 'object') return [];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations as Record<string, unknown>)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(field, k, m));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export function validateFinalizerName(name: string, field: string): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(field, name, m));
}

/** Core's rule: a finalizer without a `/` must be one Kubernetes itself uses. */
export function validateKubeFinalizerName(name: string, field: string): FieldError[] {
  if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
    return [invalid(field, name, 'name is neither a standard finalizer name nor is it fully qualified')];
  }
  return [];
}

function validateFinalizers(finalizers: unknown, field: string): FieldError[] {
  if (!Array.isArray(finalizers)) return [];
  const errs: FieldError[] = [];
  for (const f of finalizers) errs.push(...validateFinalizerName(String(f), field));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(invalid(field, goStringSlice(finalizers), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

function validateOwnerReferences(refs: unknown, field: string): FieldError[] {
  if (!Array.isArray(refs)) return [];
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs as Array<Record<string, unknown>>) {
    const apiVersion = String(ref?.apiVersion ?? '');
    const kind = String(ref?.kind ?? '');
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    if (!version) errs.push(invalid(child(field, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!kind) errs.push(invalid(child(field, 'kind'), kind, 'kind must not be empty'));
    if (!ref?.name) errs.push(invalid(child(field, 'name'), String(ref?.name ?? ''), 'name must not be empty'));
    if (!ref?.uid) errs.push(invalid(child(field, 'uid'), String(ref?.uid ?? ''), 'uid must not be empty'));
    if (apiVersion === 'v1' && kind === 'Event') {
      errs.push(invalid(field, goValue(ownerRefRepr(ref)), '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref?.controller === true) {
      const name = `${kind}/${String(ref.name ?? '')}`;
      if (firstController) {
        errs.push(
          invalid(
            field,
            goValue(`[]v1.OwnerReference{${refs.map((r) => ownerRefRepr(r)).join(', ')}}`),
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`,
          ),
        );
      } else {
        firstController = name;
      }
    }
  }
  return errs;
}

function ownerRefRepr(ref: Record<string, unknown>): string {
  return `v1.OwnerReference{APIVersion:${JSON.stringify(String(ref?.apiVersion ?? ''))}, Kind:${JSON.stringify(String(ref?.kind ?? ''))}, Name:${JSON.stringify(String(ref?.name ?? ''))}, UID:${JSON.stringify(String(ref?.uid ?? ''))}}`;
}

/**
 * ValidateObjectMeta: name (or generateName) through the resource's name rule, the namespace
 * as the scope requires, labels, annotations, owner references and finalizers.
 */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  requiresNamespace: boolean,
  nameFn: NameValidator,
  path = 'metadata',
): FieldError[] {
  const m: ObjectMeta = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) for (const msg of nameFn(m.generateName, true)) errs.push(invalid(child(path, 'generateName'), m.generateName, msg));
  if (!m.name) errs.push(required(child(path, 'name'), 'name or generateName is required'));
  else for (const msg of nameFn(m.name, false)) errs.push(invalid(child(path, 'name'), m.name, msg));
  if (requiresNamespace) {
    if (!m.namespace) errs.push(required(child(path, 'namespace')));
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(invalid(child(path, 'namespace'), m.namespace, msg));
  } else if (m.namespace) {
    errs.push(forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...nonNegative(child(path, 'generation'), m.generation));
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, child(path, 'finalizers')));
  (m.finalizers ?? []).forEach((f, i) => errs.push(...validateKubeFinalizerName(String(f), index(child(path, 'finalizers'), i))));
  return errs;
}

/**
 * ValidateObjectMetaUpdate: identity fields are immutable, a deleting object takes no new
 * finalizers, generation never goes down. (The resourceVersion rule lives in the store, which
 * decides unconditional updates.)
 */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, path = 'metadata'): FieldError[] {
  const n: ObjectMeta = meta ?? {};
  const o: ObjectMeta = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const added = (n.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (added.length) {
      const list = [...new Set(added)].sort();
      errs.push(
        forbidden(
          child(path, 'finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(list).goRepr}`,
        ),
      );
    }
  }
  if ((n.generation ?? 0) < (o.generation ?? 0)) errs.push(invalid(child(path, 'generation'), n.generation ?? 0, 'must not be decremented'));
  errs.push(...immutable(n.name ?? '', o.name ?? '', child(path, 'name')));
  errs.push(...immutable(n.namespace ?? '', o.namespace ?? '', child(path, 'namespace')));
  errs.push(...immutable(n.uid ?? '', o.uid ?? '', child(path, 'uid')));
  if ((n.creationTimestamp ?? '') !== (o.creationTimestamp ?? '')) {
    errs.push(invalid(child(path, 'creationTimestamp'), goValue(goTime(n.creationTimestamp)), IMMUTABLE));
  }
  if ((n.deletionTimestamp ?? '') !== (o.deletionTimestamp ?? '')) {
    errs.push(invalid(child(path, 'deletionTimestamp'), n.deletionTimestamp ? goValue(goTime(n.deletionTimestamp)) : null, IMMUTABLE));
  }
  if (n.deletionGracePeriodSeconds !== o.deletionGracePeriodSeconds) {
    errs.push(invalid(child(path, 'deletionGracePeriodSeconds'), n.deletionGracePeriodSeconds ?? null, IMMUTABLE));
  }
  errs.push(...validateLabels(n.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(n.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, child(path, 'ownerReferences')));
  (n.finalizers ?? []).forEach((f, i) => errs.push(...validateKubeFinalizerName(String(f), index(child(path, 'finalizers'), i))));
  return errs;
}

/** metav1.Time prints through time.Time's String(): `2024-05-01 10:00:00 +0000 UTC`. */
function goTime(t: string | undefined): string {
  const d = t ? new Date(t) : undefined;
  if (!d || Number.isNaN(d.getTime())) return '0001-01-01 00:00:00 +0000 UTC';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

/** ValidateImmutableField for values compared deeply (JSON-equal after dropping undefined). */
export function immutable(value: unknown, old: unknown, field: string, render?: BadValue): FieldError[] {
  return deepEqual(value, old) ? [] : [invalid(field, render !== undefined ? render : (value as BadValue), IMMUTABLE)];
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJSON(a) === canonicalJSON(b);
}

/**
 * JSON with sorted keys, and with null, empty lists and empty maps dropped from objects: the
 * equality apimachinery's Semantic.DeepEqual gives (a nil slice equals an empty one).
 */
export function canonicalJSON(v: unknown): string {
  return JSON.stringify(normalize(v)) ?? 'null';
}

function isEmpty(x: unknown): boolean {
  if (x === undefined || x === null) return true;
  if (Array.isArray(x)) return x.length === 0;
  return typeof x === 'object' && Object.keys(x).length === 0;
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = normalize((v as Record<string, unknown>)[k]);
      if (isEmpty(x)) continue;
      out[k] = x;
    }
    return out;
  }
  return v;
}

// ---- label selectors ----------------------------------------------------------------------

export interface LabelSelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export function validateLabelSelector(sel: unknown, path: string, allowInvalidLabelValue = false): FieldError[] {
  if (!sel || typeof sel !== 'object') return [];
  const s = sel as LabelSelector;
  const errs = validateLabels(s.matchLabels, child(path, 'matchLabels'));
  (s.matchExpressions ?? []).forEach((e, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const values = e?.values ?? [];
    switch (e?.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(child(p, 'operator'), e?.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(e?.key ?? '', child(p, 'key')));
    if (!allowInvalidLabelValue) {
      values.forEach((v, j) => {
        for (const m of isValidLabelValue(String(v))) errs.push(invalid(index(child(p, 'values'), j), String(v), m));
      });
    }
  });
  return errs;
}

/**
 * metav1.LabelSelectorAsSelector: a missing selector selects nothing, an empty one everything.
 * Returns undefined when the selector cannot be converted (an unknown operator).
 */
export type CompiledSelector = { empty: boolean; matches(labels: Record<string, string> | undefined): boolean };

export function compileLabelSelector(sel: unknown): CompiledSelector | undefined {
  if (!sel || typeof sel !== 'object') return { empty: false, matches: () => false };
  const s = sel as LabelSelector;
  const ml = s.matchLabels ?? {};
  const exprs = s.matchExpressions ?? [];
  if (Object.keys(ml).length + exprs.length === 0) return { empty: true, matches: () => true };
  for (const e of exprs) if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e?.operator ?? '')) return undefined;
  return {
    empty: false,
    matches(labels) {
      const l = labels ?? {};
      for (const [k, v] of Object.entries(ml)) if (l[k] !== v) return false;
      for (const e of exprs) {
        const has = Object.prototype.hasOwnProperty.call(l, e.key ?? '');
        const val = l[e.key ?? ''];
        const values = e.values ?? [];
        if (e.operator === 'In' && !(has && values.includes(val!))) return false;
        if (e.operator === 'NotIn' && has && values.includes(val!)) return false;
        if (e.operator === 'Exists' && !has) return false;
        if (e.operator === 'DoesNotExist' && has) return false;
      }
      return true;
    },
  };
}
