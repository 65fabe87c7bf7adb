// The apimachinery types whose JSON form is not an object of their protobuf fields: each is
// decoded to exactly what its Go MarshalJSON writes.
//   Quantity     {1: string}                       -> "500m" (the string as sent; Go sends it canonical)
//   IntOrString  {1: type, 2: intVal, 3: strVal}   -> 8080 or "http"
//   Time         {1: seconds, 2: nanos}            -> "2024-05-01T10:00:00Z" (seconds only, as Go reads it), zero -> null
//   MicroTime    {1: seconds, 2: nanos}            -> "2024-05-01T10:00:00.123456Z", zero -> null
//   Duration     {1: nanoseconds}                  -> "1h0m0s" (Go's time.Duration.String)
//   FieldsV1     {1: raw JSON}                     -> the parsed JSON
//   RawExtension {1: raw JSON}                     -> the parsed JSON

import type { SpecialType } from './package-names.ts';
import { ProtobufDecodeError } from './protobuf-decode-error.ts';
import { WIRE_LEN, WIRE_VARINT, WireReader, varintToInt32, varintToInt64, type Varint } from './wire-reader.ts';

const NAMES: Record<SpecialType, string> = {
  quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  intOrString: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  time: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  microTime: 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  duration: 'io.k8s.apimachinery.pkg.apis.meta.v1.Duration',
  fieldsV1: 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  rawExtension: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
};

const utf8 = new TextDecoder();

function fail(t: SpecialType, what: string): ProtobufDecodeError {
  return new ProtobufDecodeError(`${what} in ${NAMES[t]}`);
}

/** time.Time{} (year 1) in Unix seconds: what a non-Go encoder might send for "unset". */
const GO_ZERO_TIME_SECONDS = -62135596800;

// ParseQuantity's grammar: sign, digits with an optional fraction, then a binary-SI, decimal-SI
// or decimal-exponent suffix.
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** The JSON Go writes for the type's zero value (a field the sender left out). */
export function zeroSpecial(t: SpecialType): unknown {
  switch (t) {
    case 'quantity':
      return '0';
    case 'intOrString':
      return 0;
    case 'duration':
      return '0s';
    case 'time':
    case 'microTime':
    case 'fieldsV1':
    case 'rawExtension':
      return null;
  }
}

/** Reads the few scalar fields of a special message; any other field is an error. */
function readFields(t: SpecialType, bytes: Uint8Array, wire: Record<number, number>): Map<number, Varint | Uint8Array> {
  const r = new WireReader(bytes, NAMES[t]);
  const out = new Map<number, Varint | Uint8Array>();
  while (!r.done()) {
    const { field, wireType } = r.readTag();
    if (!(field in wire)) throw r.error(`unknown field ${field}`);
    if (wireType !== wire[field]) throw r.error(`field ${field} has wire type ${wireType}, want ${wire[field]}`);
    out.set(field, wireType === WIRE_VARINT ? r.readVarint() : r.readBytes());
  }
  return out;
}

function rfc3339(t: SpecialType, seconds: number, micros: number | undefined): string {
  const d = new Date(seconds * 1000);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(d.getTime()) || year < 0 || year > 9999) throw fail(t, `seconds ${seconds} out of range`);
  const iso = d.toISOString().slice(0, 19);
  return micros === undefined ? `${iso}Z` : `${iso}.${String(micros).padStart(6, '0')}Z`;
}

function rawJson(t: SpecialType, raw: Uint8Array | undefined): unknown {
  if (raw === undefined || raw.length === 0) return null;
  try {
    return JSON.parse(utf8.decode(raw));
  } catch (e) {
    throw fail(t, `raw bytes are not JSON (${(e as Error).message})`);
  }
}

export function decodeSpecial(t: SpecialType, bytes: Uint8Array): unknown {
  switch (t) {
    case 'quantity': {
      const s = readFields(t, bytes, { 1: WIRE_LEN }).get(1) as Uint8Array | undefined;
      if (s === undefined) return '0';
      const text = utf8.decode(s);
      if (!QUANTITY.test(text)) throw fail(t, `quantity ${JSON.stringify(text)} does not match the quantity format`);
      return text;
    }
    case 'intOrString': {
      const f = readFields(t, bytes, { 1: WIRE_VARINT, 2: WIRE_VARINT, 3: WIRE_LEN });
      const type = f.has(1) ? varintToInt64(f.get(1) as Varint) : 0;
      if (type === 0) return f.has(2) ? varintToInt32(f.get(2) as Varint) : 0;
      if (type === 1) return f.has(3) ? utf8.decode(f.get(3) as Uint8Array) : '';
      throw fail(t, `impossible IntOrString type ${type}`);
    }
    case 'time':
    case 'microTime': {
      // Go reads an empty message as the zero time, which it writes as null.
      if (bytes.length === 0) return null;
      const f = readFields(t, bytes, { 1: WIRE_VARINT, 2: WIRE_VARINT });
      const seconds = f.has(1) ? varintToInt64(f.get(1) as Varint) : 0;
      const nanos = f.has(2) ? varintToInt32(f.get(2) as Varint) : 0;
      if (nanos < 0 || nanos > 999_999_999) throw fail(t, `nanos ${nanos} out of range`);
      // metav1.Time keeps whole seconds only; MicroTime keeps microseconds.
      const micros = t === 'microTime' ? Math.floor(nanos / 1000) : undefined;
      if (seconds === GO_ZERO_TIME_SECONDS && !micros) return null;
      return rfc3339(t, seconds, micros);
    }
    case 'duration': {
      const f = readFields(t, bytes, { 1: WIRE_VARINT });
      const v = f.get(1) as Varint | undefined;
      return goDurationString(v === undefined ? 0n : BigInt.asIntN(64, (BigInt(v.hi) << 32n) | BigInt(v.lo)));
    }
    case 'fieldsV1':
    case 'rawExtension':
      return rawJson(t, readFields(t, bytes, { 1: WIRE_LEN }).get(1) as Uint8Array | undefined);
  }
}

/** Go's time.Duration.String: "0s", "1.5s", "1m30s", "1h0m0s", "250ms", "1.5µs", "800ns". */
export function goDurationString(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  const u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000n) out = `${u}ns`;
  else if (u < 1_000_000n) out = `${withFraction(u, 3)}µs`;
  else if (u < 1_000_000_000n) out = `${withFraction(u, 6)}ms`;
  else {
    const seconds = u / 1_000_000_000n;
    out = `${seconds % 60n}${fraction(u % 1_000_000_000n, 9)}s`;
    const minutes = seconds / 60n;
    if (minutes > 0n) {
      out = `${minutes % 60n}m${out}`;
      const hours = minutes / 60n;
      if (hours > 0n) out = `${hours}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

function withFraction(u: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  return `${u / scale}${fraction(u % scale, digits)}`;
}

/** ".5" for 500000000 of 9 digits; "" for 0. */
function fraction(f: bigint, digits: number): string {
  if (f === 0n) return '';
  return `.${f.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}
