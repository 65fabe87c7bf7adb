import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../src/workqueue/work-queue.ts';
import { setWorkqueueMetrics } from '../../src/workqueue/metrics.ts';
import { FakeClock } from '../../src/clock/fake-clock.ts';

test('adds are deduplicated while waiting and handed out in FIFO order', async () => {
  const q = new WorkQueue<string>();
  for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
  assert.equal(q.len(), 3);
  const got = [];
  for (let i = 0; i < 3; i++) {
    const r = await q.get();
    assert.equal(r.shutdown, false);
    got.push(r.item);
  }
  assert.deepEqual(got, ['a', 'b', 'c']);
});

test('a key being processed is never handed out twice; re-added meanwhile, it comes back after done()', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  const first = await q.get();
  assert.equal(first.item, 'a');
  q.add('a'); // changes while a worker holds it
  q.add('a');
  assert.equal(q.len(), 0, 'not queued while processing');
  let second: string | undefined;
  const waiting = q.get().then((r) => (second = r.item));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, undefined, 'a second worker does not get it');
  q.done('a');
  await waiting;
  assert.equal(second, 'a', 'the change is not lost: it is processed once more');
  q.done('a');
  assert.equal(q.len(), 0);
});

test('get() waits for an add', async () => {
  const q = new WorkQueue<number>();
  const p = q.get();
  q.add(7);
  assert.deepEqual(await p, { item: 7, shutdown: false });
});

test('after shutDown adds are ignored; queued items are still handed out, then shutdown: true', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  q.shutDown();
  q.add('b');
  assert.equal(q.shuttingDown(), true);
  assert.deepEqual(await q.get(), { item: 'a', shutdown: false });
  assert.equal((await q.get()).shutdown, true);
});

test('shutDown wakes every waiting worker', async () => {
  const q = new WorkQueue<string>();
  const waiting = [q.get(), q.get(), q.get()];
  q.shutDown();
  for (const r of await Promise.all(waiting)) assert.equal(r.shutdown, true);
});

test('shutDownWithDrain resolves only once every item handed out is done', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  q.add('b');
  await q.get();
  await q.get();
  let drained = false;
  const d = q.shutDownWithDrain().then(() => (drained = true));
  await new Promise((r) => setImmediate(r));
  q.done('a');
  await new Promise((r) => setImmediate(r));
  assert.equal(drained, false);
  q.done('b');
  await d;
  assert.equal(drained, true);
});

test('workers drain a queue during shutDownWithDrain', async () => {
  const q = new WorkQueue<number>();
  const processed: number[] = [];
  const worker = async () => {
    for (;;) {
      const r = await q.get();
      if (r.shutdown) return;
      await new Promise((res) => setImmediate(res));
      processed.push(r.item);
      q.done(r.item);
    }
  };
  for (let i = 0; i < 10; i++) q.add(i);
  const workers = [worker(), worker()];
  await q.shutDownWithDrain();
  await Promise.all(workers);
  assert.deepEqual(processed.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('named queues report depth, adds, queue latency and work duration', async () => {
  const clock = new FakeClock(0);
  const seen: string[] = [];
  setWorkqueueMetrics({
    depth: (n, d) => seen.push(`depth ${n} ${d}`),
    add: (n) => seen.push(`add ${n}`),
    retry: (n) => seen.push(`retry ${n}`),
    queueLatency: (n, s) => seen.push(`latency ${n} ${s}`),
    workDuration: (n, s) => seen.push(`work ${n} ${s}`),
  });
  try {
    const q = new WorkQueue<string>({ name: 'q1', clock });
    q.add('a');
    q.add('a');
    await clock.step(1500);
    await q.get();
    await clock.step(250);
    q.done('a');
    new WorkQueue<string>({ clock }).add('unnamed');
  } finally {
    setWorkqueueMetrics(undefined);
  }
  assert.deepEqual(seen, ['add q1', 'depth q1 1', 'depth q1 0', 'latency q1 1.5', 'work q1 0.25']);
});
