import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '@minik8s/shared';
import { Backoff } from '../../src/pod-workers/backoff.ts';

test('a crashing container restarts at once, then after 10 s, 20 s, 40 s ... capped at 5 min', async () => {
  const clock = new FakeClock(1_000_000);
  const b = new Backoff(10_000, 300_000, clock);
  const key = 'uid/c';
  // First exit: no back-off yet; the restart arms 10 s.
  let exit = clock.now();
  assert.equal(b.isInBackOffSince(key, exit), false);
  assert.equal(b.next(key, exit), 10_000);
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    // The container ran a moment and exited again: held back for the current delay.
    await clock.step(100);
    exit = clock.now();
    assert.equal(b.isInBackOffSince(key, exit), true);
    await clock.step(b.get(key) - 1);
    assert.equal(b.isInBackOffSince(key, exit), true, 'still held just before the delay ends');
    await clock.step(1);
    assert.equal(b.isInBackOffSince(key, exit), false, 'free once the delay passed');
    delays.push(b.next(key, exit));
  }
  assert.deepEqual(delays, [20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('a key untouched for twice the maximum starts over; reset and gc forget keys', async () => {
  const clock = new FakeClock(0);
  const b = new Backoff(1_000, 4_000, clock);
  b.next('k', 0);
  b.next('k', 0);
  assert.equal(b.get('k'), 2_000);
  await clock.step(8_001);
  assert.equal(b.next('k', clock.now()), 1_000, 'expired: back to the initial delay');
  b.reset('k');
  assert.equal(b.get('k'), 0);
  b.next('a/x', clock.now());
  b.next('b/x', clock.now());
  b.deletePrefix('a/');
  assert.equal(b.get('a/x'), 0);
  assert.equal(b.get('b/x'), 1_000);
  await clock.step(8_001);
  b.gc();
  assert.equal(b.get('b/x'), 0);
});

test('image pulls back off since the last failed attempt', async () => {
  const clock = new FakeClock(0);
  const b = new Backoff(10_000, 300_000, clock);
  assert.equal(b.isInBackOffSinceUpdate('img'), false);
  b.next('img', clock.now());
  assert.equal(b.isInBackOffSinceUpdate('img'), true);
  assert.equal(b.backOffEndSinceUpdate('img'), 10_000);
  await clock.step(10_000);
  assert.equal(b.isInBackOffSinceUpdate('img'), false);
});
