import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, translateTimestampSince } from '../../src/printers/index.ts';
import { NOW, ago, S, M, H, D } from './support.ts';

describe('humanDuration (apimachinery duration.HumanDuration)', () => {
  const cases: [number, string][] = [
    [-3 * S, '<invalid>'],
    [-2 * S, '<invalid>'],
    [-1500, '0s'],
    [-1 * S, '0s'],
    [0, '0s'],
    [999, '0s'],
    [5 * S, '5s'],
    [119 * S + 999, '119s'],
    [2 * M, '2m'],
    [2 * M + 5 * S, '2m5s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 10 * M + 59 * S, '3h10m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [48 * H, '2d'],
    [3 * D + 4 * H, '3d4h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D + 5 * H, '8d'],
    [400 * D, '400d'],
    [729 * D, '729d'],
    [730 * D, '2y'],
    [2 * 365 * D + 10 * D, '2y10d'],
    [8 * 365 * D + 100 * D, '8y'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms} ms -> ${want}`, () => assert.equal(humanDuration(ms), want));
  }

  it('ages a timestamp against the given clock, <unknown> without one', () => {
    assert.equal(translateTimestampSince(ago(5 * M + 12 * S), NOW), '5m12s');
    assert.equal(translateTimestampSince('2025-03-01T11:59:59.750000Z', NOW), '0s');
    assert.equal(translateTimestampSince(undefined, NOW), '<unknown>');
    assert.equal(translateTimestampSince(null, NOW), '<unknown>');
    assert.equal(translateTimestampSince('not a time', NOW), '<unknown>');
  });
});
