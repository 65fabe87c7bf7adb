import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '@minik8s/shared';
import { BoundedFrequencyRunner } from '../../src/index.ts';

/** A runner over a FakeClock whose fn records when it ran (and can be held mid-run). */
function setup(opts: { minIntervalMs: number; maxIntervalMs: number; burstRuns?: number }) {
  const clock = new FakeClock(0);
  const runs: number[] = [];
  let hold: Promise<void> | undefined;
  const runner = new BoundedFrequencyRunner({
    name: 'test',
    clock,
    ...opts,
    fn: async () => {
      runs.push(clock.now());
      if (hold) await hold;
    },
  });
  const ac = new AbortController();
  const loop = runner.loop(ac.signal);
  return {
    clock,
    runs,
    runner,
    holdNext(): () => void {
      let release!: () => void;
      hold = new Promise((r) => (release = r));
      return () => {
        hold = undefined;
        release();
      };
    },
    stop: async () => {
      ac.abort();
      await loop;
    },
  };
}

test('runs when asked, at most a burst at once, then once per minInterval', async () => {
  const t = setup({ minIntervalMs: 1000, maxIntervalMs: 60_000, burstRuns: 2 });
  t.runner.run();
  await t.clock.step(0);
  t.runner.run();
  await t.clock.step(0);
  assert.deepEqual(t.runs, [0, 0], 'a burst of 2 runs at once');
  t.runner.run();
  t.runner.run();
  t.runner.run();
  await t.clock.step(999);
  assert.deepEqual(t.runs, [0, 0], 'the third waits for a token');
  await t.clock.step(1);
  assert.deepEqual(t.runs, [0, 0, 1000], 'three requests coalesced into one run');
  await t.clock.step(5000);
  assert.deepEqual(t.runs, [0, 0, 1000], 'nothing asked: nothing runs before maxInterval');
  await t.stop();
});

test('runs every maxInterval even when nobody asks', async () => {
  const t = setup({ minIntervalMs: 100, maxIntervalMs: 1000 });
  await t.clock.step(1000);
  await t.clock.step(1000);
  await t.clock.step(500);
  assert.deepEqual(t.runs, [1000, 2000]);
  await t.stop();
});

test('a request during a run is served by one more run after it, never concurrently', async () => {
  const t = setup({ minIntervalMs: 0, maxIntervalMs: 60_000 });
  const release = t.holdNext();
  t.runner.run();
  await t.clock.step(0);
  assert.deepEqual(t.runs, [0]);
  t.runner.run();
  t.runner.run();
  await t.clock.step(10);
  assert.deepEqual(t.runs, [0], 'no second run while the first is in progress');
  release();
  await t.clock.step(0);
  await t.clock.step(0);
  assert.deepEqual(t.runs, [0, 10], 'the coalesced request ran once after it');
  await t.stop();
});

test('retryAfter runs later unless something asks sooner; stop waits for the run in progress', async () => {
  const t = setup({ minIntervalMs: 0, maxIntervalMs: 60_000 });
  t.runner.retryAfter(500);
  await t.clock.step(499);
  assert.deepEqual(t.runs, []);
  await t.clock.step(1);
  assert.deepEqual(t.runs, [500]);
  t.runner.retryAfter(500);
  await t.clock.step(100);
  t.runner.run();
  await t.clock.step(0);
  assert.deepEqual(t.runs, [500, 600], 'a plain request does not wait for the retry');
  const release = t.holdNext();
  t.runner.run();
  await t.clock.step(0);
  let stopped = false;
  const stopping = t.stop().then(() => (stopped = true));
  await t.clock.step(0);
  assert.equal(stopped, false);
  release();
  await stopping;
  t.runner.run();
  await t.clock.step(60_000);
  assert.equal(t.runs.length, 3, 'a stopped runner runs no more');
});

test('maxInterval below minInterval is refused', () => {
  assert.throws(() => new BoundedFrequencyRunner({ name: 'x', fn: async () => {}, minIntervalMs: 10, maxIntervalMs: 5 }), /maxInterval/);
});
