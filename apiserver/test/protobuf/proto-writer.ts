// A tiny protobuf wire-format writer for tests: messages are built field by field with the
// field numbers written out by hand from the public generated.proto files, so the tests check
// the decoder's tables against an independent statement of the same facts.

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

function varintBytes(value: bigint): number[] {
  let v = BigInt.asUintN(64, value); // negative int32/int64 go out as 10-byte two's complement
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? low : low | 0x80);
  } while (v !== 0n);
  return out;
}

function tag(field: number, wireType: number): number[] {
  return varintBytes(BigInt((field << 3) | wireType));
}

/** A varint field: int32, int64 or bool. */
export function int(field: number, value: number | bigint | boolean): Buffer {
  const v = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
  return Buffer.from([...tag(field, WIRE_VARINT), ...varintBytes(v)]);
}

/** A length-delimited field holding raw bytes. */
export function bytes(field: number, data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...tag(field, WIRE_LEN), ...varintBytes(BigInt(data.length))]), data]);
}

export function str(field: number, s: string): Buffer {
  return bytes(field, Buffer.from(s, 'utf8'));
}

/** An embedded message made of the given fields. */
export function msg(field: number, ...fields: Buffer[]): Buffer {
  return bytes(field, Buffer.concat(fields));
}

/** One entry of a map<string, V> field; value is the encoded field 2 (or nothing). */
export function entry(field: number, key: string, ...value: Buffer[]): Buffer {
  return msg(field, str(1, key), ...value);
}

/** A repeated varint field in packed form. */
export function packed(field: number, values: number[]): Buffer {
  return bytes(field, Buffer.from(values.flatMap((v) => varintBytes(BigInt(v)))));
}

/** The parts of a Kubernetes protobuf body, kept apart so tests know where each one ends. */
export function envelopeParts(apiVersion: string, kind: string, object: Buffer[], contentEncoding = ''): Buffer[] {
  return [
    Buffer.from('k8s\0', 'latin1'),
    msg(1, str(1, apiVersion), str(2, kind)), // runtime.Unknown.typeMeta {apiVersion, kind}
    bytes(2, Buffer.concat(object)), // runtime.Unknown.raw
    str(3, contentEncoding), // runtime.Unknown.contentEncoding
    str(4, ''), // runtime.Unknown.contentType
  ];
}

export function envelope(apiVersion: string, kind: string, ...object: Buffer[]): Buffer {
  return Buffer.concat(envelopeParts(apiVersion, kind, object));
}
