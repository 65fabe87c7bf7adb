import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  parseQuantity,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  quantityToMilli,
} from '../../src/validation/quantity.ts';

test('parses decimal, binary and exponent suffixes', () => {
  const cases: Array<[string | number, number]> = [
    ['100m', 0.1],
    ['1', 1],
    ['1.5', 1.5],
    ['2k', 2000],
    ['1M', 1e6],
    ['3G', 3e9],
    ['1Ki', 1024],
    ['128Mi', 128 * 1024 * 1024],
    ['2Gi', 2 * 1024 ** 3],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['+5', 5],
    ['-5m', -0.005],
    ['500u', 0.0005],
    ['7n', 7e-9],
    [0.25, 0.25],
    [3, 3],
  ];
  for (const [input, value] of cases) assert.equal(parseQuantity(input), value, String(input));
});

test('rejects what upstream rejects, with its messages', () => {
  for (const bad of ['', 'abc', '1x', '.', '--1', '1.2.3', '1 Gi']) assert.throws(() => parseQuantity(bad), { message: QUANTITY_FORMAT_ERROR }, bad);
  for (const bad of ['1Ki2', '1mm', '1e']) assert.throws(() => parseQuantity(bad), { message: QUANTITY_SUFFIX_ERROR }, bad);
});

test('canonical form is what the server echoes back', () => {
  const cases: Array<[string | number, string]> = [
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['1000Ki', '1000Ki'],
    ['0.5Ki', '512'],
    ['1e3', '1e3'],
    ['12e2', '1200'],
    ['0.0000000001', '1n'],
    ['0', '0'],
    [2, '2'],
  ];
  for (const [input, out] of cases) assert.equal(canonicalQuantity(input), out, String(input));
});

test('formats base-unit numbers; compares exactly; millis round up', () => {
  assert.equal(formatQuantity(0.25), '250m');
  assert.equal(formatQuantity(134217728, 'BinarySI'), '128Mi');
  assert.equal(formatQuantity(1e9), '1G');
  assert.equal(formatQuantity(100, 'BinarySI'), '100');
  assert.equal(compareQuantities('1', '1000m'), 0);
  assert.equal(compareQuantities('1Gi', '1G'), 1);
  assert.equal(compareQuantities('500m', '0.6'), -1);
  assert.equal(quantityToMilli('1'), 1000);
  assert.equal(quantityToMilli('1.5'), 1500);
  assert.equal(quantityToMilli('1u'), 1);
});
