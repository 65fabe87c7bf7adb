import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { FakeClock, ItemExponentialFailureRateLimiter, RateLimitingQueue, RestClient, SharedInformerFactory } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../src/controller.ts';
import type { ControllerContext } from '../../src/controller-context.ts';
import { defaultControllerManagerOptions } from '../../src/options.ts';
import { EventRecorder } from '@minik8s/shared';

/** A context with no apiserver behind it: these controllers never read or write the API. */
function context(clock: FakeClock): ControllerContext {
  const client = new RestClient({ config: { server: 'http://127.0.0.1:1' } });
  return {
    client,
    informerFactory: new SharedInformerFactory(client),
    options: defaultControllerManagerOptions(),
    logger: pino({ level: 'silent' }),
    clock,
    newQueue: (name) => new RateLimitingQueue<string>({ name, clock, rateLimiter: new ItemExponentialFailureRateLimiter(100, 10_000) }),
    eventRecorder: (component) => new EventRecorder({ client, component }),
  };
}

class Scripted extends Controller {
  readonly calls: string[] = [];
  running = 0;
  maxRunning = 0;
  private readonly script: Map<string, (ReconcileResult | Error | undefined)[]>;

  constructor(ctx: ControllerContext, script: Record<string, (ReconcileResult | Error | undefined)[]>, maxRetries?: number) {
    super(ctx, { name: 'scripted', workers: 3, maxRetries });
    this.script = new Map(Object.entries(script));
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    this.calls.push(key);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise((r) => setImmediate(r));
    this.running--;
    const next = this.script.get(key)?.shift();
    if (next instanceof Error) throw next;
    return next;
  }
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('Controller workers', () => {
  it('retries a failed key after the backoff and forgets it on success', async () => {
    const clock = new FakeClock();
    const c = new Scripted(context(clock), { a: [new Error('boom'), undefined] });
    const stop = new AbortController();
    const run = c.run(stop.signal);
    c.enqueue('a');
    await settle();
    assert.deepEqual(c.calls, ['a']);
    await clock.step(99);
    assert.deepEqual(c.calls, ['a'], 'not before the backoff');
    await clock.step(1);
    await settle();
    assert.deepEqual(c.calls, ['a', 'a']);
    stop.abort();
    await run;
  });

  it('requeueAfterMs brings the key back after that time', async () => {
    const clock = new FakeClock();
    const c = new Scripted(context(clock), { k: [{ requeueAfterMs: 5_000 }, undefined] });
    const stop = new AbortController();
    const run = c.run(stop.signal);
    c.enqueue('k');
    await settle();
    await clock.step(4_999);
    assert.equal(c.calls.length, 1);
    await clock.step(1);
    await settle();
    assert.equal(c.calls.length, 2);
    stop.abort();
    await run;
  });

  it('drops a key after maxRetries failures', async () => {
    const clock = new FakeClock();
    const c = new Scripted(context(clock), { x: [new Error('1'), new Error('2'), new Error('3'), new Error('4')] }, 2);
    const stop = new AbortController();
    const run = c.run(stop.signal);
    c.enqueue('x');
    for (let i = 0; i < 10; i++) {
      await settle();
      await clock.step(10_000);
    }
    await settle();
    assert.equal(c.calls.length, 3, 'the first try and two retries');
    stop.abort();
    await run;
  });

  it('never reconciles one key twice at once, but distinct keys in parallel', async () => {
    const clock = new FakeClock();
    const c = new Scripted(context(clock), {});
    const stop = new AbortController();
    const run = c.run(stop.signal);
    for (let i = 0; i < 5; i++) c.enqueue('same');
    c.enqueue('b');
    c.enqueue('c');
    await settle();
    assert.deepEqual([...c.calls].sort(), ['b', 'c', 'same']);
    assert.ok(c.maxRunning >= 2);
    stop.abort();
    await run;
  });
});
