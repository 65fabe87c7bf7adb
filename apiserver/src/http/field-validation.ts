// fieldValidation=Strict|Warn|Ignore on writes: unknown fields are an error, a warning (HTTP
// Warning header, which kubectl prints) or nothing; in the last two cases they are dropped, as
// the real decoder drops what its types do not have. A wrong JSON type is always an error.

import { StatusError, badRequest, type KubeObject } from '@minik8s/shared';
import { validateStructure } from '../openapi/index.ts';
import { decodeError } from '../validation/index.ts';
import { q1, type RequestScope } from './scope.ts';

/**
 * What a patched object's unknown fields are reported against under fieldValidation=Strict. As
 * upstream's patch handler: not the kind (the object was never decoded from the request) but the
 * patch, in a 422 Invalid with no kind or name and one cause on the field `patch`, whose value is
 * the patched object's JSON (json and merge patches) or the patch as Go prints a map (strategic).
 */
export interface PatchContext {
  value: () => string;
}

/** Checks `obj` (of the request's kind) for wrong types and unknown fields; `patch` when it is a patched object. */
export function checkFields(scope: RequestScope, obj: KubeObject, patch?: PatchContext): void {
  const { kind, version, group } = scope.info;
  const mode = q1(scope.query, 'fieldValidation') ?? 'Warn';
  if (mode !== 'Strict' && mode !== 'Warn' && mode !== 'Ignore') {
    throw badRequest(`fieldValidation parameter unsupported: ${mode}`);
  }
  const cannotHandle = `${kind} in version "${version}" cannot be handled as a ${kind}`;
  const { unknownFields, errors } = validateStructure(group, version, kind, obj);
  if (errors.length) {
    throw badRequest(`${cannotHandle}: ${errors.map((e) => `${e.field}: ${e.detail}`).join(', ')}`);
  }
  // What the real decoder cannot read into its types (a bad quantity, bad base64) is a 400 too.
  const undecodable = decodeError(group, version, kind, obj);
  if (undecodable) throw badRequest(undecodable);
  if (!unknownFields.length) return;
  if (mode === 'Strict' && patch) throw strictPatchError(patch.value(), unknownFields);
  if (mode === 'Strict') {
    throw badRequest(`${cannotHandle}: strict decoding error: ${unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`);
  }
  if (mode === 'Warn') for (const f of unknownFields) scope.reply.header('warning', `299 - "unknown field \\"${f}\\""`);
  // Deepest paths first, so removing a list item's field never shifts another path.
  for (const f of [...unknownFields].reverse()) deletePath(obj, f);
}

/** Deletes `a.b[2].c` from obj (no-op when absent). */
export function deletePath(obj: unknown, path: string): void {
  const parts: Array<string | number> = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  let cur: any = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    cur = cur?.[parts[i]];
    if (cur === null || typeof cur !== 'object') return;
  }
  const last = parts[parts.length - 1];
  if (cur && typeof cur === 'object' && !Array.isArray(cur)) delete cur[last as string];
}

/**
 * errors.NewInvalid(schema.GroupKind{}, "", field.Invalid(field.NewPath("patch"), value,
 * strictDecodingError)): kubectl prints it as `The request is invalid: patch: Invalid value: ...`.
 */
function strictPatchError(value: string, unknownFields: string[]): StatusError {
  const body = `Invalid value: ${JSON.stringify(value)}: strict decoding error: ${unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`;
  return StatusError.from(422, 'Invalid', ` "" is invalid: patch: ${body}`, { causes: [{ reason: 'FieldValueInvalid', message: body, field: 'patch' }] });
}

/**
 * A decoded JSON value as Go's fmt prints it with %+v (a strategic merge patch is decoded into a
 * map[string]interface{} with integers kept as int64): `map[k:v ...]` with sorted keys, `[a b]`,
 * strings bare, null as `<nil>`, non-integral numbers as %g (shortest, exponent from 1e+06 on).
 */
export function goSprint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goSprint((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
  return String(v);
}

function goFloat(f: number): string {
  const exp = Math.floor(Math.log10(Math.abs(f)));
  if (exp >= -4 && exp < 6) return String(f);
  const [mantissa, e] = f.toExponential().split('e');
  const n = Number(e);
  return `${mantissa}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}
