// Decodes a request body sent as `application/vnd.kubernetes.protobuf` (what client-go's typed
// clients, and so `kubectl create <generator>`, send) into the JSON object the same client would
// have sent as `application/json`.
//
// The body is the Kubernetes protobuf envelope: the 4 bytes "k8s\0", then a runtime.Unknown
// message {1: typeMeta {1: apiVersion, 2: kind}, 2: raw (the object's own message),
// 3: contentEncoding, 4: contentType}. Contract: either the whole object is decoded, or a
// ProtobufDecodeError says what was wrong (bad magic, truncation, a wire-type mismatch, or a
// field number our tables do not hold, e.g. "unknown field 99 in io.k8s.api.core.v1.PodSpec").

import { messageSchema } from './message-schema.ts';
import { API_VERSION_PACKAGES, PACKAGE_ALIASES } from './package-names.ts';
import { decodeMessage } from './decode-message.ts';
import { ProtobufDecodeError } from './protobuf-decode-error.ts';
import { WIRE_LEN, WireReader } from './wire-reader.ts';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"
const utf8 = new TextDecoder();

export interface DecodedProtobufObject {
  apiVersion: string;
  kind: string;
  /** The object as JSON, apiVersion and kind first. */
  object: Record<string, unknown>;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
}

/** Reads a message whose fields are all length-delimited; any other field is an error. */
function readLenFields(bytes: Uint8Array, context: string, known: number[]): Map<number, Uint8Array> {
  const r = new WireReader(bytes, context);
  const out = new Map<number, Uint8Array>();
  while (!r.done()) {
    const { field, wireType } = r.readTag();
    if (!known.includes(field)) throw r.error(`unknown field ${field}`);
    if (wireType !== WIRE_LEN) throw r.error(`field ${field} has wire type ${wireType}, want ${WIRE_LEN}`);
    out.set(field, r.readBytes());
  }
  return out;
}

function readEnvelope(body: Uint8Array): Envelope {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw new ProtobufDecodeError('the body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  const unknown = readLenFields(body.subarray(MAGIC.length), 'io.k8s.apimachinery.pkg.runtime.Unknown', [1, 2, 3, 4]);
  const typeMeta = readLenFields(unknown.get(1) ?? new Uint8Array(), 'io.k8s.apimachinery.pkg.runtime.TypeMeta', [1, 2]);
  const text = (b: Uint8Array | undefined) => (b ? utf8.decode(b) : '');
  return { apiVersion: text(typeMeta.get(1)), kind: text(typeMeta.get(2)), raw: unknown.get(2) ?? new Uint8Array(), contentEncoding: text(unknown.get(3)) };
}

export function decodeProtobufObject(body: Uint8Array): DecodedProtobufObject {
  const env = readEnvelope(body);
  if (env.contentEncoding !== '') throw new ProtobufDecodeError(`content encoding ${JSON.stringify(env.contentEncoding)} of the protobuf envelope is not supported`);
  if (env.kind === '' || env.apiVersion === '') throw new ProtobufDecodeError('the protobuf envelope names no apiVersion and kind');
  const alias = API_VERSION_PACKAGES[env.apiVersion];
  const schema = alias ? messageSchema(`${PACKAGE_ALIASES[alias]}.${env.kind}`) : undefined;
  // Only a top-level object (one with metadata) may be a request body.
  if (!schema || ![...schema.fields.values()].some((f) => f.json === 'metadata')) {
    throw new ProtobufDecodeError(`no protobuf schema for kind ${JSON.stringify(env.kind)} of apiVersion ${JSON.stringify(env.apiVersion)}`);
  }
  const fields = decodeMessage(schema, env.raw);
  return { apiVersion: env.apiVersion, kind: env.kind, object: { apiVersion: env.apiVersion, kind: env.kind, ...fields } };
}
