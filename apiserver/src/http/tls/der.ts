// A minimal DER (ASN.1 Distinguished Encoding Rules, ITU-T X.690) encoder: just the types an
// X.509 v3 certificate is made of. Node's crypto signs and exports keys but cannot build a
// certificate, and the apiserver must not need an openssl binary to make its own.
//
// Every value is one TLV: a tag byte, the length of the content, the content. DER leaves no
// choice in how a value is written (minimal lengths and integers, fixed time formats), so the
// same input always gives the same bytes, which is what a signature over them needs.
//
// Contract: encode only; tags are single-byte (tag numbers < 31), which covers everything a
// certificate uses. Nothing here parses DER.

/** Universal tags (X.690 8.x); constructed types carry bit 6 (0x20). */
const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  UTF8_STRING: 0x0c,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/**
 * The length octets (X.690 8.1.3): one byte below 128 (short form); else 0x80 | the number of
 * bytes that follow, then the length big-endian in as few bytes as possible (long form).
 */
export function encodeLength(length: number): Buffer {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`invalid DER length ${length}`);
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte tag. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xff || (tag & 0x1f) === 0x1f) throw new RangeError(`unsupported DER tag 0x${tag.toString(16)}`);
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function sequence(...items: Uint8Array[]): Buffer {
  return tlv(TAG.SEQUENCE, Buffer.concat(items));
}

/**
 * A SET OF. DER sorts the elements by their encodings (X.690 11.6); certificates use sets
 * only for the attributes of one name component, nearly always a single one.
 */
export function setOf(...items: Uint8Array[]): Buffer {
  const sorted = [...items].sort((a, b) => Buffer.compare(a, b));
  return tlv(TAG.SET, Buffer.concat(sorted));
}

export function boolean(value: boolean): Buffer {
  // DER: TRUE is all ones (X.690 11.1).
  return tlv(TAG.BOOLEAN, Buffer.from([value ? 0xff : 0x00]));
}

export function nullValue(): Buffer {
  return tlv(TAG.NULL, Buffer.alloc(0));
}

/**
 * A non-negative INTEGER from a small number or from big-endian magnitude bytes (a serial
 * number). Two's complement in the fewest bytes: leading zero bytes are dropped, and one zero
 * byte is put back when the top bit is set, or the value would read as negative.
 */
export function integer(value: number | Uint8Array): Buffer {
  let bytes: Buffer;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`only non-negative safe integers are encoded, not ${value}`);
    const digits: number[] = [];
    for (let n = value; n > 0; n = Math.floor(n / 256)) digits.unshift(n % 256);
    bytes = Buffer.from(digits);
  } else {
    bytes = Buffer.from(value);
  }
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.INTEGER, bytes);
}

/**
 * An OBJECT IDENTIFIER from its dotted form (X.690 8.19): the first two arcs share one value
 * (40 * first + second), then every arc in base 128, high bit set on all but its last byte.
 */
export function objectIdentifier(oid: string): Buffer {
  const arcs = oid.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new RangeError(`invalid object identifier ${oid}`);
    return Number(a);
  });
  if (arcs.length < 2 || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! > 39)) throw new RangeError(`invalid object identifier ${oid}`);
  const values = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  const bytes: number[] = [];
  for (const v of values) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`object identifier arc too large in ${oid}`);
    const group: number[] = [v % 128];
    for (let n = Math.floor(v / 128); n > 0; n = Math.floor(n / 128)) group.unshift((n % 128) | 0x80);
    bytes.push(...group);
  }
  return tlv(TAG.OBJECT_IDENTIFIER, Buffer.from(bytes));
}

export function utf8String(value: string): Buffer {
  return tlv(TAG.UTF8_STRING, Buffer.from(value, 'utf8'));
}

export function octetString(value: Uint8Array): Buffer {
  return tlv(TAG.OCTET_STRING, value);
}

/** A BIT STRING of whole bytes (a signature, a public key): zero unused bits. */
export function bitString(value: Uint8Array): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), value]));
}

/**
 * A BIT STRING of named bits (keyUsage): bit 0 is the most significant bit of the first byte.
 * DER drops trailing zero bits (X.690 11.2.2), so the content is as short as the highest bit
 * set, and its first byte says how many bits of the last byte are unused.
 */
export function namedBitString(bits: readonly number[]): Buffer {
  if (bits.length === 0) return tlv(TAG.BIT_STRING, Buffer.from([0]));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) {
    if (!Number.isInteger(bit) || bit < 0) throw new RangeError(`invalid bit ${bit}`);
    bytes[Math.floor(bit / 8)]! |= 0x80 >> (bit % 8);
  }
  const unused = 7 - (highest % 8);
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unused]), bytes]));
}

/**
 * A certificate time (RFC 5280 4.1.2.5): UTCTime (YYMMDDHHMMSSZ) for 1950 through 2049,
 * GeneralizedTime (YYYYMMDDHHMMSSZ) otherwise; always UTC, whole seconds (milliseconds dropped).
 */
export function time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  const two = (n: number) => String(n).padStart(2, '0');
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(TAG.UTC_TIME, Buffer.from(`${two(year % 100)}${rest}`, 'ascii'));
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} cannot be encoded`);
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(`${String(year).padStart(4, '0')}${rest}`, 'ascii'));
}

/** [n] EXPLICIT: the whole inner TLV wrapped in a constructed context-specific tag. */
export function explicit(tagNumber: number, inner: Uint8Array): Buffer {
  return tlv(0xa0 | contextTagNumber(tagNumber), inner);
}

/**
 * [n] IMPLICIT over a primitive type: the type's own tag replaced by the context-specific one,
 * content unchanged (a GeneralName's dNSName [2] and iPAddress [7], a keyIdentifier [0]).
 */
export function implicitPrimitive(tagNumber: number, content: Uint8Array): Buffer {
  return tlv(0x80 | contextTagNumber(tagNumber), content);
}

function contextTagNumber(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`unsupported context tag [${n}]`);
  return n;
}
