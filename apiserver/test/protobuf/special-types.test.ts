// The hand-decoded apimachinery types against what their Go MarshalJSON writes.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSpecial, goDurationString, zeroSpecial } from '../../src/protobuf/special-types.ts';
import { ProtobufDecodeError } from '../../src/protobuf/protobuf-decode-error.ts';
import { int, str } from './proto-writer.ts';

const S = 1_000_000_000n;

describe('goDurationString (Go time.Duration.String)', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0s'],
    [1n, '1ns'],
    [999n, '999ns'],
    [1_100n, '1.1µs'],
    [2_200_000n, '2.2ms'],
    [3_300_000_000n, '3.3s'],
    [4n * 60n * S + 5n * S, '4m5s'],
    [4n * 60n * S + 5_001_000_000n, '4m5.001s'],
    [5n * 3600n * S + 6n * 60n * S + 7_001_000_000n, '5h6m7.001s'],
    [8n * 60n * S + 1n, '8m0.000000001s'],
    [3600n * S, '1h0m0s'],
    [-90n * S, '-1m30s'],
    [2n ** 63n - 1n, '2562047h47m16.854775807s'],
    [-(2n ** 63n), '-2562047h47m16.854775808s'],
  ];
  for (const [ns, want] of cases) it(`${ns}ns is ${want}`, () => assert.equal(goDurationString(ns), want));

  it('decodes a meta.v1.Duration message {1: nanoseconds}', () => {
    assert.equal(decodeSpecial('duration', int(1, 90n * S)), '1m30s');
    assert.equal(decodeSpecial('duration', int(1, -1n)), '-1ns');
    assert.equal(decodeSpecial('duration', new Uint8Array()), '0s');
  });
});

describe('Time and MicroTime', () => {
  it('Time keeps whole seconds (Go drops nanos when reading protobuf); an empty message is the zero time, null', () => {
    assert.equal(decodeSpecial('time', Buffer.concat([int(1, 0), int(2, 500)])), '1970-01-01T00:00:00Z');
    assert.equal(decodeSpecial('time', int(1, -1)), '1969-12-31T23:59:59Z');
    assert.equal(decodeSpecial('time', int(1, 253402300799)), '9999-12-31T23:59:59Z');
    assert.equal(decodeSpecial('time', new Uint8Array()), null);
    assert.equal(decodeSpecial('time', int(1, -62135596800)), null); // Go's time.Time{} sent explicitly
  });

  it('MicroTime keeps microseconds, truncating nanoseconds', () => {
    assert.equal(decodeSpecial('microTime', Buffer.concat([int(1, 1), int(2, 999_999_999)])), '1970-01-01T00:00:01.999999Z');
    assert.equal(decodeSpecial('microTime', int(1, 1)), '1970-01-01T00:00:01.000000Z');
    assert.equal(decodeSpecial('microTime', new Uint8Array()), null);
  });

  it('refuses out-of-range values', () => {
    assert.throws(() => decodeSpecial('time', int(1, 253402300800)), ProtobufDecodeError);
    assert.throws(() => decodeSpecial('microTime', Buffer.concat([int(1, 1), int(2, 1_000_000_000)])), /nanos 1000000000 out of range in io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\.MicroTime/);
    assert.throws(() => decodeSpecial('time', int(3, 1)), /unknown field 3 in io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\.Time/);
  });
});

describe('Quantity, IntOrString, FieldsV1, RawExtension', () => {
  it('Quantity is its string; every suffix form of the grammar is accepted', () => {
    for (const q of ['0', '1', '-1', '+2', '500m', '1.5', '.5', '1.', '100Ki', '1Gi', '2Ei', '1k', '3M', '5n', '7u', '1e3', '1E-3', '12e+6']) {
      assert.equal(decodeSpecial('quantity', str(1, q)), q);
    }
    for (const q of ['', 'abc', '1.5.5', '1KiB', 'm', '1 Gi', '--1']) {
      assert.throws(() => decodeSpecial('quantity', str(1, q)), ProtobufDecodeError, q);
    }
    assert.equal(decodeSpecial('quantity', new Uint8Array()), '0');
  });

  it('IntOrString is a number or a string by its type', () => {
    assert.equal(decodeSpecial('intOrString', Buffer.concat([int(1, 0), int(2, 8080)])), 8080);
    assert.equal(decodeSpecial('intOrString', Buffer.concat([int(1, 1), str(3, '25%')])), '25%');
    assert.equal(decodeSpecial('intOrString', int(2, -1)), -1);
    assert.equal(decodeSpecial('intOrString', int(1, 1)), '');
    assert.equal(decodeSpecial('intOrString', new Uint8Array()), 0);
  });

  it('FieldsV1 and RawExtension carry raw JSON', () => {
    assert.deepEqual(decodeSpecial('fieldsV1', str(1, '{"f:spec":{"f:replicas":{}}}')), { 'f:spec': { 'f:replicas': {} } });
    assert.deepEqual(decodeSpecial('rawExtension', str(1, '[1,"a"]')), [1, 'a']);
    assert.equal(decodeSpecial('rawExtension', new Uint8Array()), null);
  });

  it('zero values are what Go prints for a zero struct', () => {
    assert.deepEqual(
      (['quantity', 'intOrString', 'time', 'microTime', 'duration', 'fieldsV1', 'rawExtension'] as const).map(zeroSpecial),
      ['0', 0, null, null, '0s', null, null],
    );
  });
});
