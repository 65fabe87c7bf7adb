// Turns one protobuf message into the JSON a Go client would have written for the same Go
// struct, following encoding/json:
//   - keys in the struct's order, named by the json tag; an embedded struct's keys are flattened
//     into its parent;
//   - a non-pointer scalar with omitempty is left out when zero (Go's protobuf encoder writes
//     it anyway: name "", generation 0); a pointer is kept even when zero (replicas: 0);
//   - a field absent from the bytes is what Go would print for its zero value: left out with
//     omitempty, otherwise null (pointer, slice, map, []byte) or 0 / "" / false; a non-pointer
//     struct is printed even when omitempty (status: {}, creationTimestamp: null);
//   - []byte as standard base64; map<string, V> as an object; repeated fields as arrays
//     (packed or not).
// A field number missing from the tables is an error naming the message, never dropped.

import { messageSchema, type FieldSchema, type MessageSchema, type ScalarType, type ValueType } from './message-schema.ts';
import { ProtobufDecodeError } from './protobuf-decode-error.ts';
import { decodeSpecial, zeroSpecial } from './special-types.ts';
import { WIRE_LEN, WIRE_VARINT, WireReader, varintToBool, varintToInt32, varintToInt64, type Varint } from './wire-reader.ts';

type Raw = Varint | Uint8Array;

const OMIT = Symbol('omit');
const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();

function schemaOf(name: string): MessageSchema {
  const s = messageSchema(name);
  if (!s) throw new ProtobufDecodeError(`no protobuf schema for ${name}`);
  return s;
}

function isVarintScalar(v: ValueType): boolean {
  return v.kind === 'scalar' && (v.scalar === 'int32' || v.scalar === 'int64' || v.scalar === 'bool');
}

function scalarValue(t: ScalarType, raw: Raw): unknown {
  switch (t) {
    case 'int32':
      return varintToInt32(raw as Varint);
    case 'int64':
      return varintToInt64(raw as Varint);
    case 'bool':
      return varintToBool(raw as Varint);
    case 'string':
      return utf8.decode(raw as Uint8Array);
    case 'bytes': {
      const b = raw as Uint8Array;
      return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
    }
  }
}

function zeroScalar(t: ScalarType): unknown {
  return t === 'string' ? '' : t === 'bool' ? false : t === 'bytes' ? null : 0;
}

function isZeroScalar(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

/** One value of the type from one occurrence on the wire. */
function valueOf(v: ValueType, raw: Raw): unknown {
  switch (v.kind) {
    case 'scalar':
      return scalarValue(v.scalar, raw);
    case 'special':
      return decodeSpecial(v.special, raw as Uint8Array);
    case 'message':
      return decodeMessage(schemaOf(v.name), raw as Uint8Array);
  }
}

/** What Go prints for the zero value of a struct-typed (non-pointer) field. */
function zeroStruct(v: ValueType): unknown {
  if (v.kind === 'special') return zeroSpecial(v.special);
  if (v.kind === 'message') return decodeMessage(schemaOf(v.name), EMPTY);
  return zeroScalar(v.scalar);
}

function concat(raws: Raw[]): Uint8Array {
  return raws.length === 1 ? (raws[0] as Uint8Array) : Buffer.concat(raws as Uint8Array[]);
}

function repeatedItems(f: FieldSchema, raw: Raw, context: string): unknown[] {
  if (isVarintScalar(f.value) && raw instanceof Uint8Array) {
    // Packed: one length-delimited run of varints.
    const r = new WireReader(raw, `${context} field ${f.number}`);
    const out: unknown[] = [];
    while (!r.done()) out.push(valueOf(f.value, r.readVarint()));
    return out;
  }
  return [valueOf(f.value, raw)];
}

function mapEntry(f: FieldSchema, raw: Uint8Array, context: string): [string, unknown] {
  const r = new WireReader(raw, `${context} map entry of field ${f.number}`);
  const valueWire = isVarintScalar(f.value) ? WIRE_VARINT : WIRE_LEN;
  let key: string | undefined;
  let value: Raw | undefined;
  while (!r.done()) {
    const { field, wireType } = r.readTag();
    if (field === 1 && wireType === WIRE_LEN) key = utf8.decode(r.readBytes());
    else if (field === 2 && wireType === valueWire) value = valueWire === WIRE_VARINT ? r.readVarint() : r.readBytes();
    else throw r.error(`unexpected field ${field} with wire type ${wireType}`);
  }
  // Go's decoder starts each entry from zero values: a missing []byte value is empty, not nil.
  if (value === undefined) return [key ?? '', f.value.kind === 'scalar' && f.value.scalar === 'bytes' ? '' : zeroStruct(f.value)];
  return [key ?? '', valueOf(f.value, value)];
}

function fieldValue(f: FieldSchema, raws: Raw[] | undefined, context: string): unknown {
  if (f.repeated) {
    if (!raws) return f.omitempty ? OMIT : null;
    const items = raws.flatMap((raw) => repeatedItems(f, raw, context));
    return items.length === 0 && f.omitempty ? OMIT : items;
  }
  if (f.mapKey) {
    if (!raws) return f.omitempty ? OMIT : null;
    const obj: Record<string, unknown> = {};
    for (const raw of raws) {
      const [k, v] = mapEntry(f, raw as Uint8Array, context);
      obj[k] = v;
    }
    return obj;
  }
  const isStruct = !f.pointer && f.value.kind !== 'scalar';
  if (!raws) {
    if (isStruct) return zeroStruct(f.value);
    if (f.omitempty) return OMIT;
    return f.pointer ? null : zeroScalar((f.value as { scalar: ScalarType }).scalar);
  }
  // A message seen twice is merged (proto semantics: concatenation); a scalar's last value wins.
  const v = f.value.kind === 'message' ? valueOf(f.value, concat(raws)) : valueOf(f.value, raws[raws.length - 1]);
  if (f.value.kind === 'scalar' && !f.pointer && f.omitempty && isZeroScalar(v)) return OMIT;
  return v;
}

export function decodeMessage(schema: MessageSchema, bytes: Uint8Array): Record<string, unknown> {
  // 1. Collect each field's occurrences, checking numbers and wire types against the table.
  const seen = new Map<number, Raw[]>();
  const r = new WireReader(bytes, schema.name);
  while (!r.done()) {
    const { field, wireType } = r.readTag();
    const f = schema.fields.get(field);
    if (!f) throw r.error(`unknown field ${field}`);
    const want = isVarintScalar(f.value) && !f.mapKey ? WIRE_VARINT : WIRE_LEN;
    let raw: Raw;
    if (wireType === want) raw = want === WIRE_VARINT ? r.readVarint() : r.readBytes();
    else if (wireType === WIRE_LEN && f.repeated) raw = r.readBytes();
    else throw r.error(`field ${field} (${f.json || 'embedded'}) has wire type ${wireType}, want ${want}`);
    const list = seen.get(field);
    if (list) list.push(raw);
    else seen.set(field, [raw]);
  }
  // 2. Write every field of the struct, in its order, as encoding/json would.
  const out: Record<string, unknown> = {};
  for (const f of schema.fields.values()) {
    const v = fieldValue(f, seen.get(f.number), schema.name);
    if (v === OMIT) continue;
    if (f.json === '') Object.assign(out, v);
    else out[f.json] = v;
  }
  return out;
}
