// Constructors for field errors, rendered word for word as apimachinery's field.Error does
// (k8s.io/apimachinery/pkg/util/validation/field/errors.go): the detail is what follows
// `<field>: ` in kubectl's output, e.g. `Invalid value: "Foo": a lowercase RFC 1123 ...`.
//
// A bad value prints as Go prints it: strings quoted (%q), numbers and booleans bare, missing
// values as `"null"`, and anything else through a GoValue carrying Go's %#v text (see go-format.ts).

import type { FieldError } from '@minik8s/shared';

/** A value already rendered as Go's %#v would print it (maps, slices, structs). */
export interface GoValue {
  readonly goRepr: string;
}

export type BadValue = string | number | boolean | null | undefined | GoValue;

export function goValue(text: string): GoValue {
  return { goRepr: text };
}

/** Go's %q for a string: JSON's quoting, which matches it for printable text. */
export function quote(s: string): string {
  return JSON.stringify(s);
}

/** A nil value prints as the quoted string "null", as field.Error does. */
export function renderValue(v: BadValue): string {
  if (v === null || v === undefined) return '"null"';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v.goRepr;
}

function withDetail(head: string, detail: string): string {
  return detail ? `${head}: ${detail}` : head;
}

export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, detail: withDetail('Required value', detail) };
}

export function invalid(field: string, value: BadValue, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, detail: withDetail(`Invalid value: ${renderValue(value)}`, detail) };
}

/** An Invalid error that omits the value (field.OmitValueType). */
export function invalidOmitValue(field: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, detail: withDetail('Invalid value', detail) };
}

export function notSupported(field: string, value: BadValue, supported: readonly string[]): FieldError {
  const detail = supported.length ? `supported values: ${supported.map(quote).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, detail: withDetail(`Unsupported value: ${renderValue(value)}`, detail) };
}

export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, detail: withDetail('Forbidden', detail) };
}

export function duplicate(field: string, value: BadValue, detail = ''): FieldError {
  return { type: 'FieldValueDuplicate', field, detail: withDetail(`Duplicate value: ${renderValue(value)}`, detail) };
}

export function notFound(field: string, value: BadValue, detail = ''): FieldError {
  return { type: 'FieldValueNotFound', field, detail: withDetail(`Not found: ${renderValue(value)}`, detail) };
}

export function tooLong(field: string, maxLength: number): FieldError {
  return { type: 'FieldValueTooLong', field, detail: `Too long: may not be more than ${maxLength} bytes` };
}

export function tooMany(field: string, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field, detail: `Too many: ${actual}: must have at most ${max} items` };
}

/** Field paths as field.Path prints them: `spec.containers[0].name`, `metadata.labels[app]`. */
export function child(path: string, name: string, name2?: string): string {
  // Every field validated builds its path, error or not: no rest-parameter array per call.
  const p = path ? `${path}.${name}` : name;
  if (name2 === undefined) return p;
  return p ? `${p}.${name2}` : name2;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

export const IMMUTABLE = 'field is immutable';
export const NEGATIVE = 'must be greater than or equal to 0';

export function nonNegative(field: string, value: unknown): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, NEGATIVE)] : [];
}

/**
 * The list of errors upstream would report, with exact duplicates dropped as
 * ErrorList.ToAggregate does.
 */
export function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = `${e.field}: ${e.detail}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
