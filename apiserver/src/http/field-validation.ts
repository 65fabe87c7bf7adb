// fieldValidation=Strict|Warn|Ignore on writes: unknown or duplicate fields are an error, a
// warning (HTTP Warning header, which kubectl prints), or nothing. A wrong JSON type is always
// an error, as the real decoder cannot read it into the Go struct.

import { badRequest, type KubeObject, type ResourceInfo } from '@minik8s/shared';
import { validateStructure } from '../openapi/index.ts';
import { decodeError } from '../validation/index.ts';
import { q1, type RequestScope } from './scope.ts';

export function checkFields(scope: RequestScope, obj: KubeObject, info: ResourceInfo = scope.info, kind = info.kind, version = info.version, group = info.group): void {
  const mode = q1(scope.query, 'fieldValidation') ?? 'Warn';
  if (mode !== 'Strict' && mode !== 'Warn' && mode !== 'Ignore') {
    throw badRequest(`fieldValidation parameter unsupported: ${mode}`);
  }
  const { unknownFields, errors } = validateStructure(group, version, kind, obj);
  if (errors.length) {
    const gv = group ? `${group}/${version}` : version;
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${errors.map((e: { field: string; detail: string }) => `${e.field}: ${e.detail}`).join(', ')}`.replace(`version "${version}"`, `version "${gv.split('/').pop()}"`));
  }
  // What the real decoder cannot read into its types (a bad quantity, bad base64) is a 400 too.
  const undecodable = decodeError(group, version, kind, obj);
  if (undecodable) throw badRequest(undecodable);
  if (!unknownFields.length || mode === 'Ignore') return;
  if (mode === 'Strict') {
    const list = (unknownFields as string[]).map((f) => `unknown field "${f}"`);
    throw badRequest(`strict decoding error: ${list.join(', ')}`);
  }
  for (const f of unknownFields as string[]) scope.reply.header('warning', `299 - "unknown field \\"${f}\\""`);
}
