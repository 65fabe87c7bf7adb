import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../src/component/duration.ts';

test('Go duration syntax parses to milliseconds', () => {
  const cases: [string, number][] = [
    ['15s', 15_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['0', 0],
    ['-3s', -3_000],
    ['+1s', 1_000],
    ['.5s', 500],
    ['1.s', 1_000],
    ['10us', 0.01],
    ['10µs', 0.01],
    ['1000000ns', 1],
    ['1h0m0s', 3_600_000],
  ];
  for (const [s, ms] of cases) assert.equal(parseDuration(s), ms, s);
});

test('malformed durations are errors in Go words', () => {
  assert.throws(() => parseDuration('10'), /missing unit in duration "10"/);
  assert.throws(() => parseDuration(''), /invalid duration ""/);
  for (const s of ['s', '1x', '.s', '1s2', 'ten seconds', '1 s']) assert.throws(() => parseDuration(s), /duration/, s);
});

test('durations print as Go prints them', () => {
  assert.equal(formatDuration(15_000), '15s');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(5_400_000), '1h30m0s');
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(-1_500), '-1.5s');
});
