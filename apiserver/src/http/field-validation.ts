// fieldValidation=Strict|Warn|Ignore on writes: unknown fields are an error, a warning (HTTP
// Warning header, which kubectl prints) or nothing; in the last two cases they are dropped, as
// the real decoder drops what its types do not have. A wrong JSON type is always an error.

import { badRequest, type KubeObject, type ResourceInfo } from '@minik8s/shared';
import { validateStructure } from '../openapi/index.ts';
import { decodeError } from '../validation/index.ts';
import { q1, type RequestScope } from './scope.ts';

export function checkFields(scope: RequestScope, obj: KubeObject, info: ResourceInfo = scope.info, kind = info.kind, version = info.version, group = info.group): void {
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
