import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock/fake-clock.ts';
import { DelayingQueue } from '../../src/workqueue/delaying-queue.ts';
import { RateLimitingQueue } from '../../src/workqueue/rate-limiting-queue.ts';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from '../../src/workqueue/rate-limiters.ts';

test('exponential per-item backoff doubles from base to max, per key, and forget resets it', () => {
  const l = new ItemExponentialFailureRateLimiter<string>(5, 1000_000);
  const delays = Array.from({ length: 20 }, () => l.when('a'));
  assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
  assert.equal(delays[17], 655_360);
  assert.equal(delays[18], 1000_000, 'capped at 1000 s');
  assert.equal(l.when('b'), 5, 'other keys have their own count');
  assert.equal(l.numRequeues('a'), 20);
  l.forget('a');
  assert.equal(l.numRequeues('a'), 0);
  assert.equal(l.when('a'), 5);
  for (let i = 0; i < 2000; i++) l.when('c');
  assert.equal(l.when('c'), 1000_000, 'no overflow after many failures');
});

test('the default controller limiter is the max of per-item backoff and a 10 qps / 100 burst bucket', async () => {
  const clock = new FakeClock(0);
  const l = defaultControllerRateLimiter<string>(clock);
  // 100 different keys fail once: the bucket's burst absorbs them at the per-item 5 ms.
  for (let i = 0; i < 100; i++) assert.equal(l.when(`k${i}`), 5);
  // the 101st is spaced by the bucket (100 ms at 10 qps), more than its own 5 ms
  assert.equal(l.when('k100'), 100);
  assert.equal(l.when('k101'), 200);
  // one key failing repeatedly is limited by its own backoff once that is longer
  const m = new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter<string>(5, 1000_000), new BucketRateLimiter<string>(10, 100, clock));
  const d = Array.from({ length: 12 }, () => m.when('x'));
  assert.deepEqual(d.slice(-3), [2560, 5120, 10240]);
  assert.equal(m.numRequeues('x'), 12);
});

test('addAfter adds once the delay has passed on the clock; the earliest ready time wins', async () => {
  const clock = new FakeClock(0);
  const q = new DelayingQueue<string>({ clock });
  q.addAfter('a', 1000);
  q.addAfter('a', 5000); // later: ignored
  q.addAfter('b', 2000);
  q.addAfter('b', 500); // earlier: replaces
  q.addAfter('now', 0);
  assert.equal(q.len(), 1);
  assert.equal(q.waitingCount(), 2);
  await clock.step(499);
  assert.equal(q.len(), 1);
  await clock.step(1);
  assert.equal(q.len(), 2);
  await clock.step(500);
  assert.equal(q.len(), 3);
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await q.get()).item);
  assert.deepEqual(order, ['now', 'b', 'a']);
  await clock.step(10_000);
  assert.equal(q.len(), 0, 'the superseded timers add nothing');
});

test('shutDown drops delayed adds', async () => {
  const clock = new FakeClock(0);
  const q = new DelayingQueue<string>({ clock });
  q.addAfter('a', 10);
  q.shutDown();
  assert.equal(clock.hasWaiters(), false);
  await clock.step(100);
  assert.equal(q.len(), 0);
  q.addAfter('b', 10);
  assert.equal(clock.hasWaiters(), false);
});

test('a failing key is retried with backoff; forget after success resets its count', async () => {
  const clock = new FakeClock(0);
  const q = new RateLimitingQueue<string>({ clock });
  q.add('k');
  const readyAt: number[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const r = await q.get();
    assert.equal(r.item, 'k');
    readyAt.push(clock.now());
    q.addRateLimited('k'); // the reconcile failed
    q.done('k');
    await clock.step(clock.nextDue()! - clock.now());
  }
  assert.deepEqual(readyAt, [0, 5, 15, 35]);
  assert.equal(q.numRequeues('k'), 4);
  const r = await q.get();
  q.forget('k'); // success
  q.done(r.item!);
  assert.equal(q.numRequeues('k'), 0);
  q.addRateLimited('k');
  assert.equal(clock.nextDue()! - clock.now(), 5);
});
