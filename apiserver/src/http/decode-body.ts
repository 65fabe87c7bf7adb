// Request bodies: JSON or YAML (kubectl sends JSON whatever the Content-Type says), at most
// 3 MiB; wrong kind/apiVersion for the URL is a 400 before anything reaches storage.

import { parse as parseYaml } from 'yaml';
import { StatusError, badRequest, groupVersion, unsupportedMediaType, type KubeObject, type ResourceInfo } from '@minik8s/shared';
import { decodeProtobufObject, ProtobufDecodeError, PROTOBUF_MEDIA_TYPE } from '../protobuf/index.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

const OBJECT_TYPES = ['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml', '*/*'];
export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
}

// What String.prototype.trim() would remove (WhiteSpace and LineTerminator), without copying the body.
const BLANK = /^\s*$/;

export function parseBody(raw: string, contentType: string | undefined): unknown {
  return parseBodyAs(raw, mediaType(contentType));
}

function parseBodyAs(raw: string, mt: string): unknown {
  if (BLANK.test(raw)) throw badRequest('the body of the request is empty');
  const yaml = mt.includes('yaml');
  try {
    return yaml && !raw.trimStart().startsWith('{') && !raw.trimStart().startsWith('[') ? parseYaml(raw) : JSON.parse(raw);
  } catch (e) {
    if (yaml) {
      try {
        return parseYaml(raw);
      } catch {
        /* fall through to the error below */
      }
    }
    throw badRequest(`the object provided is unrecognized: ${(e as Error).message}`);
  }
}

/**
 * Decode a full object for create/update, checking its type against the URL. JSON and YAML
 * arrive as text; protobuf (what kubectl's typed `create` generators send) as bytes.
 */
export function decodeObject(raw: string | Buffer, contentType: string | undefined, info: ResourceInfo, expectKind = info.kind, expectApiVersion = groupVersion(info)): KubeObject {
  const mt = mediaType(contentType);
  if (mt === PROTOBUF_MEDIA_TYPE) {
    try {
      return checkObject(decodeProtobufObject(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'latin1')).object, expectKind, expectApiVersion);
    } catch (e) {
      if (e instanceof ProtobufDecodeError) {
        throw StatusError.from(415, 'UnsupportedMediaType', `the body of the request could not be decoded: decode protobuf: ${e.message}`);
      }
      throw e;
    }
  }
  if (!OBJECT_TYPES.includes(mt)) throw unsupportedMediaType(mt);
  const body = parseBodyAs(Buffer.isBuffer(raw) ? raw.toString('utf8') : raw, mt);
  return checkObject(body, expectKind, expectApiVersion);
}

export function checkObject(body: unknown, expectKind: string, expectApiVersion: string): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(`the object provided is unrecognized: expected a JSON object`);
  }
  const obj = body as KubeObject;
  if (obj.kind !== undefined && obj.kind !== expectKind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${expectKind})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== expectApiVersion) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expectApiVersion})`);
  }
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
    throw badRequest(`${expectKind} in version "${expectApiVersion.split('/').pop()}" cannot be handled as a ${expectKind}: metadata must be an object`);
  }
  obj.kind = expectKind;
  obj.apiVersion = expectApiVersion;
  dropNulls(obj);
  return obj;
}

/**
 * A JSON null decodes into Go's zero value, which the typed apiserver then omits: drop null
 * fields the same way (`kubectl rollout undo` sends `creationTimestamp: null` in templates).
 * A merge patch's nulls are applied before this runs, so their meaning ("delete") is kept.
 */
function dropNulls(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) dropNulls(v);
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (o[k] === null) delete o[k];
      else dropNulls(o[k]);
    }
  }
}
