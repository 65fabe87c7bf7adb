import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '@minik8s/shared';
import { RateLimitedTimedQueue } from '../../src/controllers/nodelifecycle/rate-limited-timed-queue.ts';

describe('rate-limited timed queue (node tainting)', () => {
  it('processes one node at once, the next after 1/qps', async () => {
    const clock = new FakeClock();
    const q = new RateLimitedTimedQueue(0.5, clock);
    assert.equal(q.add('a', 'ua'), true);
    assert.equal(q.add('b', 'ub'), true);
    assert.equal(q.add('a', 'ua'), false, 'queued once');
    const done: string[] = [];
    const fn = async (v: { value: string }) => {
      done.push(v.value);
      return { ok: true };
    };
    await q.try(fn);
    assert.deepEqual(done, ['a']);
    await clock.step(1_000);
    await q.try(fn);
    assert.deepEqual(done, ['a'], 'no token yet');
    await clock.step(1_000);
    await q.try(fn);
    assert.deepEqual(done, ['a', 'b']);
  });

  it('a qps of 0 stops everything; a failed item is retried after its wait', async () => {
    const clock = new FakeClock();
    const q = new RateLimitedTimedQueue(10, clock);
    q.add('a', 'ua');
    q.swapLimiter(0);
    let calls = 0;
    await q.try(async () => {
      calls++;
      return { ok: true };
    });
    assert.equal(calls, 0);
    q.swapLimiter(10);
    await q.try(async () => {
      calls++;
      return { ok: false, retryAfterMs: 500 };
    });
    assert.equal(calls, 1);
    assert.equal(q.has('a'), true);
    await clock.step(200);
    await q.try(async () => {
      calls++;
      return { ok: true };
    });
    assert.equal(calls, 1, 'not due yet');
    await clock.step(400);
    await q.try(async () => {
      calls++;
      return { ok: true };
    });
    assert.equal(calls, 2);
    assert.equal(q.has('a'), false);
  });
});
