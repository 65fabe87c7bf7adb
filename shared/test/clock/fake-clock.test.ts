import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock/fake-clock.ts';
import { realClock } from '../../src/clock/clock.ts';

test('timers fire in due order, each at its own time, only when time is stepped past them', async () => {
  const clock = new FakeClock(1000);
  const fired: [string, number][] = [];
  clock.setTimeout(() => fired.push(['b', clock.now()]), 20);
  clock.setTimeout(() => fired.push(['a', clock.now()]), 10);
  clock.setTimeout(() => fired.push(['a2', clock.now()]), 10);
  assert.equal(clock.waiters(), 3);
  await clock.step(9);
  assert.deepEqual(fired, []);
  await clock.step(11);
  assert.deepEqual(fired, [['a', 1010], ['a2', 1010], ['b', 1020]]);
  assert.equal(clock.now(), 1020);
  assert.equal(clock.hasWaiters(), false);
});

test('a cancelled timer never fires', async () => {
  const clock = new FakeClock();
  let fired = false;
  const t = clock.setTimeout(() => (fired = true), 5);
  t.cancel();
  await clock.step(10);
  assert.equal(fired, false);
});

test('timers scheduled by a firing timer within the step also fire', async () => {
  const clock = new FakeClock(0);
  const at: number[] = [];
  const tick = () => {
    at.push(clock.now());
    if (at.length < 3) clock.setTimeout(tick, 10);
  };
  clock.setTimeout(tick, 10);
  await clock.step(100);
  assert.deepEqual(at, [10, 20, 30]);
});

test('sleep resolves true after the time, false at once on abort', async () => {
  const clock = new FakeClock(0);
  const slept = clock.sleep(50);
  assert.equal(clock.nextDue(), 50);
  await clock.step(50);
  assert.equal(await slept, true);

  const ctl = new AbortController();
  const aborted = clock.sleep(50, ctl.signal);
  ctl.abort();
  assert.equal(await aborted, false);
  assert.equal(clock.hasWaiters(), false, 'the abort cancelled the timer');
  assert.equal(await clock.sleep(1, ctl.signal), false, 'an aborted signal does not sleep at all');
});

test('async code woken by one timer runs before the next timer fires', async () => {
  const clock = new FakeClock(0);
  const log: string[] = [];
  void (async () => {
    await clock.sleep(10);
    log.push(`woke ${clock.now()}`);
    await Promise.resolve();
    log.push('continued');
  })();
  clock.setTimeout(() => log.push(`timer ${clock.now()}`), 20);
  await clock.step(30);
  assert.deepEqual(log, ['woke 10', 'continued', 'timer 20']);
});

test('the real clock sleeps and aborts', async () => {
  assert.equal(await realClock.sleep(1), true);
  const ctl = new AbortController();
  const p = realClock.sleep(60_000, ctl.signal);
  ctl.abort();
  assert.equal(await p, false);
});
