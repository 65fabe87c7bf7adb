import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock/fake-clock.ts';
import { TokenBucket } from '../../src/client/token-bucket.ts';

test('a full bucket gives `burst` tokens at once, then spaces callers 1/qps apart', async () => {
  const clock = new FakeClock(0);
  const b = new TokenBucket(10, 3, clock);
  assert.deepEqual([b.reserve(), b.reserve(), b.reserve()], [0, 0, 0]);
  assert.equal(b.reserve(), 100);
  assert.equal(b.reserve(), 200);
  await clock.step(1000); // refills, capped at burst
  assert.deepEqual([b.reserve(), b.reserve(), b.reserve(), b.reserve()], [0, 0, 0, 100]);
});

test('wait() sleeps for its reservation and an aborted wait returns its token', async () => {
  const clock = new FakeClock(0);
  const b = new TokenBucket(1, 1, clock);
  assert.equal(await b.wait(), true);
  const ctl = new AbortController();
  const waiting = b.wait(ctl.signal);
  assert.equal(clock.nextDue(), 1000);
  ctl.abort();
  assert.equal(await waiting, false);
  await clock.step(1000);
  assert.equal(b.reserve(), 0, 'the aborted reservation was given back');
});

test('qps <= 0 means no limit', () => {
  const b = new TokenBucket(0, 1, new FakeClock());
  for (let i = 0; i < 1000; i++) assert.equal(b.reserve(), 0);
});
