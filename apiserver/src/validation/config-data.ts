// ConfigMaps and Secrets (core validation: ValidateConfigMap, ValidateSecret and their
// updates): config keys, a 1 MiB total, `immutable`, and the keys each Secret type requires.
//
// In JSON a Secret's `data` values are base64 text. Upstream rejects bad base64 while decoding
// the body (a 400); here it is reported as a field error on `data[key]`, with Go's message.

import type { FieldError, KubeObject } from '@minik8s/shared';
import { forbidden, invalid, key, required, tooLong } from './field-error.ts';
import { isConfigMapKey, nameIsDNSSubdomain } from './names.ts';
import { deepEqual, immutable, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';

export const MAX_SECRET_SIZE = 1024 * 1024;

const B64_CHAR = /[A-Za-z0-9+/]/;

/**
 * Decodes standard padded base64 as Go's encoding/json does for []byte, or returns the offset
 * Go reports in `illegal base64 data at input byte N`.
 */
export function decodeBase64Strict(s: string): { bytes: number } | { badByte: number } {
  const clean = s.replace(/[\r\n]/g, '');
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i]!;
    if (c === '=') {
      const rest = clean.slice(i);
      const okPad = (rest === '=' || rest === '==') && (i + rest.length) % 4 === 0 && i % 4 >= 2;
      if (!okPad) return { badByte: i };
      break;
    }
    if (!B64_CHAR.test(c)) return { badByte: i };
  }
  if (clean.length % 4 !== 0) return { badByte: clean.length - (clean.length % 4) };
  return { bytes: Buffer.from(clean, 'base64').length };
}

function validateKeys(data: unknown, path: string, errs: FieldError[]): Record<string, unknown> {
  const d = data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  for (const k of Object.keys(d)) for (const m of isConfigMapKey(k)) errs.push(invalid(key(path, k), k, m));
  return d;
}

export function validateConfigMap(cm: KubeObject): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain);
  const data = cm.data as Record<string, unknown> | undefined;
  const binary = cm.binaryData as Record<string, unknown> | undefined;
  let size = 0;
  for (const [k, v] of Object.entries(data && typeof data === 'object' ? data : {})) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key('data', k), k, m));
    if (binary && k in binary) errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(String(v));
  }
  for (const [k, v] of Object.entries(validateKeys(binary, 'binaryData', errs))) {
    const d = decodeBase64Strict(String(v));
    if ('badByte' in d) errs.push(invalid(key('binaryData', k), '<binary data redacted>', `illegal base64 data at input byte ${d.badByte}`));
    else size += d.bytes;
  }
  // The error is on the whole object: an empty field.Path prints as `[]`.
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('[]', MAX_SECRET_SIZE));
  return errs;
}

export function validateConfigMapUpdate(cm: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata);
  if (old.immutable === true) {
    if (cm.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!deepEqual(cm.data, old.data)) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
    if (!deepEqual(cm.binaryData, old.binaryData)) errs.push(forbidden('binaryData', 'field is immutable when `immutable` is set'));
  }
  errs.push(...validateConfigMap(cm));
  return errs;
}

export function validateSecret(secret: KubeObject): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, true, nameIsDNSSubdomain);
  const data = validateKeys(secret.data, 'data', []);
  const decoded: Record<string, Buffer> = {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key('data', k), k, m));
    const d = decodeBase64Strict(String(v));
    if ('badByte' in d) {
      errs.push(invalid(key('data', k), '<secret contents redacted>', `illegal base64 data at input byte ${d.badByte}`));
      continue;
    }
    decoded[k] = Buffer.from(String(v), 'base64');
    size += d.bytes;
  }
  for (const k of Object.keys(secret.stringData && typeof secret.stringData === 'object' ? (secret.stringData as object) : {})) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key('stringData', k), k, m));
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));

  const has = (k: string) => k in data || (secret.stringData !== undefined && k in (secret.stringData as object));
  switch (secret.type ?? '') {
    case 'kubernetes.io/service-account-token':
      if (!secret.metadata.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const k = secret.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(k)) {
        errs.push(required(key('data', k)));
        break;
      }
      const text = decoded[k]?.toString('utf8') ?? String((secret.stringData as Record<string, unknown> | undefined)?.[k] ?? '');
      try {
        const parsed = JSON.parse(text);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('json: cannot unmarshal into Go value of type map[string]interface {}');
      } catch (e) {
        errs.push(invalid(key('data', k), '<secret contents redacted>', e instanceof Error ? e.message : String(e)));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) {
        errs.push(required(key('data', 'username')));
        errs.push(required(key('data', 'password')));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!has('ssh-privatekey')) errs.push(required(key('data', 'ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required(key('data', 'tls.crt')));
      if (!has('tls.key')) errs.push(required(key('data', 'tls.key')));
      break;
    default:
      break;
  }
  return errs;
}

export function validateSecretUpdate(secret: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata);
  errs.push(...immutable(secret.type ?? '', old.type ?? '', 'type'));
  if (old.immutable === true) {
    if (secret.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!deepEqual(secret.data, old.data)) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
  }
  errs.push(...validateSecret(secret));
  return errs;
}
