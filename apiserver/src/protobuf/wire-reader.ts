// A reader of the protobuf wire format (https://protobuf.dev/programming-guides/encoding/):
// tags, varints, length-delimited fields, fixed32/64. Kubernetes' int32/int64 fields are plain
// varints (no zigzag); a negative int32 arrives as a 10-byte sign-extended varint.

import { ProtobufDecodeError } from './protobuf-decode-error.ts';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

/** A varint's 64 bits as two unsigned 32-bit halves (a JS number holds only 53 bits exactly). */
export interface Varint {
  lo: number;
  hi: number;
}

export function varintToInt32(v: Varint): number {
  return v.lo | 0;
}

/** Exact up to 2^53; larger magnitudes lose precision, as JSON numbers do in JavaScript anyway. */
export function varintToInt64(v: Varint): number {
  return (v.hi | 0) * 0x1_0000_0000 + v.lo;
}

export function varintToBool(v: Varint): boolean {
  return v.lo !== 0 || v.hi !== 0;
}

export class WireReader {
  readonly buf: Uint8Array;
  /** Names the message being read in error messages. */
  readonly context: string;
  private pos: number;

  constructor(buf: Uint8Array, context: string) {
    this.buf = buf;
    this.context = context;
    this.pos = 0;
  }

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** The next field's number and wire type. */
  readTag(): { field: number; wireType: number } {
    const v = this.readVarint();
    const field = v.hi === 0 ? v.lo >>> 3 : -1;
    if (field <= 0 || field > 0x1fff_ffff) throw this.error(`invalid field number in a tag`);
    return { field, wireType: v.lo & 7 };
  }

  readVarint(): Varint {
    let lo = 0;
    let hi = 0;
    for (let i = 0, shift = 0; i < 10; i++, shift += 7) {
      if (this.pos >= this.buf.length) throw this.error('truncated varint');
      const b = this.buf[this.pos++];
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    throw this.error('varint longer than 10 bytes');
  }

  /** The payload of a length-delimited field, as a view into the buffer. */
  readBytes(): Uint8Array {
    const len = this.readVarint();
    if (len.hi !== 0 || len.lo > this.buf.length - this.pos) throw this.error(`truncated length-delimited field (needs ${len.hi === 0 ? len.lo : 'over 2^32'} bytes, ${this.buf.length - this.pos} left)`);
    const out = this.buf.subarray(this.pos, this.pos + len.lo);
    this.pos += len.lo;
    return out;
  }

  readFixed(bytes: 4 | 8): Uint8Array {
    if (this.buf.length - this.pos < bytes) throw this.error(`truncated fixed${bytes * 8} field`);
    const out = this.buf.subarray(this.pos, this.pos + bytes);
    this.pos += bytes;
    return out;
  }

  error(what: string): ProtobufDecodeError {
    return new ProtobufDecodeError(`${what} in ${this.context}`);
  }
}
