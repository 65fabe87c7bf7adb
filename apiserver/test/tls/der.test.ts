// The DER encoder against encodings worked out by hand from X.690 (and the well-known bytes of
// OIDs as they appear in every certificate).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bitString,
  boolean,
  encodeLength,
  explicit,
  implicitPrimitive,
  integer,
  namedBitString,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  setOf,
  time,
  tlv,
  utf8String,
} from '../../src/http/tls/der.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('DER lengths', () => {
  it('uses the short form below 128 and the fewest bytes of the long form above', () => {
    assert.equal(hex(encodeLength(0)), '00');
    assert.equal(hex(encodeLength(127)), '7f');
    assert.equal(hex(encodeLength(128)), '8180');
    assert.equal(hex(encodeLength(255)), '81ff');
    assert.equal(hex(encodeLength(256)), '820100');
    assert.equal(hex(encodeLength(300)), '82012c');
    assert.equal(hex(encodeLength(0x10000)), '83010000');
    assert.throws(() => encodeLength(-1), RangeError);
  });

  it('puts them between tag and content', () => {
    assert.equal(hex(octetString(Buffer.alloc(200, 0xab))), `0481c8${'ab'.repeat(200)}`);
    assert.equal(hex(octetString(Buffer.alloc(300))), `0482012c${'00'.repeat(300)}`);
    assert.throws(() => tlv(0x1f, Buffer.alloc(0)), RangeError, 'multi-byte tags are refused');
  });
});

describe('DER integers', () => {
  it('are minimal two’s complement: a zero byte only where the top bit is set', () => {
    assert.equal(hex(integer(0)), '020100');
    assert.equal(hex(integer(2)), '020102');
    assert.equal(hex(integer(127)), '02017f');
    assert.equal(hex(integer(128)), '02020080');
    assert.equal(hex(integer(256)), '02020100');
    assert.equal(hex(integer(65535)), '020300ffff');
  });

  it('drop leading zero bytes of a magnitude', () => {
    assert.equal(hex(integer(Buffer.from([0, 0, 1]))), '020101');
    assert.equal(hex(integer(Buffer.from([0, 0x80]))), '02020080');
    assert.equal(hex(integer(Buffer.from([0x7f, 0xff]))), '02027fff');
    assert.equal(hex(integer(Buffer.alloc(0))), '020100');
  });

  it('refuse negative numbers', () => {
    assert.throws(() => integer(-1), RangeError);
  });
});

describe('DER object identifiers', () => {
  it('encode the first two arcs together and the rest in base 128', () => {
    assert.equal(hex(objectIdentifier('2.5.4.3')), '0603550403'); // commonName
    assert.equal(hex(objectIdentifier('1.2.840.10045.4.3.2')), '06082a8648ce3d040302'); // ecdsa-with-SHA256
    assert.equal(hex(objectIdentifier('1.2.840.10045.2.1')), '06072a8648ce3d0201'); // id-ecPublicKey
    assert.equal(hex(objectIdentifier('1.3.6.1.5.5.7.3.1')), '06082b06010505070301'); // serverAuth
    assert.equal(hex(objectIdentifier('2.5.29.17')), '0603551d11'); // subjectAltName
  });

  it('refuse malformed ones', () => {
    assert.throws(() => objectIdentifier('1'), RangeError);
    assert.throws(() => objectIdentifier('1.40'), RangeError);
    assert.throws(() => objectIdentifier('3.1'), RangeError);
    assert.throws(() => objectIdentifier('1.2.x'), RangeError);
  });
});

describe('DER strings, booleans, bit strings', () => {
  it('encodes UTF8String, BOOLEAN (TRUE is ff) and NULL', () => {
    assert.equal(hex(utf8String('ab')), '0c026162');
    assert.equal(hex(utf8String('é')), '0c02c3a9');
    assert.equal(hex(boolean(true)), '0101ff');
    assert.equal(hex(boolean(false)), '010100');
    assert.equal(hex(nullValue()), '0500');
  });

  it('gives whole-byte bit strings zero unused bits', () => {
    assert.equal(hex(bitString(Buffer.from([0xde, 0xad]))), '030300dead');
  });

  it('drops trailing zero bits of named bits and counts the unused ones', () => {
    // keyUsage digitalSignature (0) + keyCertSign (5): 1000 0100, 2 unused bits.
    assert.equal(hex(namedBitString([0, 5])), '03020284');
    // digitalSignature (0) + keyEncipherment (2): 1010 0000, 5 unused bits.
    assert.equal(hex(namedBitString([0, 2])), '030205a0');
    assert.equal(hex(namedBitString([0])), '03020780');
    // decipherOnly (8): the second byte's top bit.
    assert.equal(hex(namedBitString([8])), '0303070080');
    assert.equal(hex(namedBitString([])), '030100');
  });
});

describe('DER constructed and tagged values', () => {
  it('wraps SEQUENCE and sorts SET OF by encoding', () => {
    assert.equal(hex(sequence(integer(1), boolean(true))), '30060201010101ff');
    assert.equal(hex(sequence()), '3000');
    assert.equal(hex(setOf(integer(2), integer(1))), '3106020101020102');
  });

  it('tags [n] EXPLICIT as constructed around the whole TLV, [n] IMPLICIT in place of the tag', () => {
    assert.equal(hex(explicit(0, integer(2))), 'a003020102');
    assert.equal(hex(explicit(3, sequence())), 'a3023000');
    assert.equal(hex(implicitPrimitive(2, Buffer.from('ab'))), '82026162');
    assert.equal(hex(implicitPrimitive(7, Buffer.from([127, 0, 0, 1]))), '87047f000001');
    assert.throws(() => explicit(31, sequence()), RangeError);
  });
});

describe('DER certificate times', () => {
  it('uses UTCTime from 1950 to 2049, to the second', () => {
    assert.equal(Buffer.from(time(new Date('2025-01-02T03:04:05.678Z'))).toString('latin1'), '\x17\x0d250102030405Z');
    assert.equal(Buffer.from(time(new Date('1950-01-01T00:00:00Z'))).toString('latin1'), '\x17\x0d500101000000Z');
    assert.equal(Buffer.from(time(new Date('2049-12-31T23:59:59Z'))).toString('latin1'), '\x17\x0d491231235959Z');
  });

  it('uses GeneralizedTime outside it', () => {
    assert.equal(Buffer.from(time(new Date('2050-01-01T00:00:00Z'))).toString('latin1'), '\x18\x0f20500101000000Z');
    assert.equal(Buffer.from(time(new Date('1949-12-31T23:59:59Z'))).toString('latin1'), '\x18\x0f19491231235959Z');
  });
});
