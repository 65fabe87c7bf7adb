import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runComponent, untilAborted } from '../../src/component/run-component.ts';
import { commonOptions, componentCommand } from '../../src/component/flags.ts';
import { createLogger } from '../../src/component/logger.ts';
import { Writable } from 'node:stream';
import { FakeApiserver } from '../client/fake-apiserver.ts';
import { waitUntil } from '../clock/wait-until.ts';

const server = new FakeApiserver();
before(async () => {
  await server.start();
});
after(async () => {
  await server.stop();
});

function options(argv: string[]) {
  const cmd = componentCommand('test-component', { port: 10999 });
  cmd.parse(['--bind-address=127.0.0.1', '--port=0', `--master=${server.url}`, ...argv], { from: 'user' });
  return commonOptions(cmd);
}

function quietLogger() {
  const lines: string[] = [];
  const logger = createLogger('test-component', 0, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
  return { logger, lines };
}

test('without leader election: serves health on a chosen port, runs the work, stops it gracefully, exits 0', async () => {
  const stop = new AbortController();
  const { logger, lines } = quietLogger();
  let port = 0;
  let workStopped = false;
  const code = runComponent({
    name: 'test-component',
    options: options(['--leader-elect=false']),
    exit: false,
    handleSignals: false,
    signal: stop.signal,
    logger,
    onListening: (p) => (port = p),
    run: async (ctx) => {
      assert.equal(ctx.client.userAgent.startsWith('test-component/v1.32.0'), true);
      const pods = ctx.informerFactory.informerFor('pods');
      ctx.informerFactory.start(ctx.signal);
      await pods.waitForCacheSync(ctx.signal);
      await untilAborted(ctx.signal);
      workStopped = true;
    },
  });
  await waitUntil(() => port > 0 && server.watchCount() === 1, 'serving and watching');
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text(), 'ok');
  assert.match(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), /reflector_watches_total\{name="pods"\} 1/);
  assert.ok(lines.some((l) => l.includes(`127.0.0.1:${port}`)), 'the chosen port is logged');
  stop.abort();
  assert.equal(await code, 0);
  assert.equal(workStopped, true);
  await waitUntil(() => server.watchCount() === 0, 'the watch to close');
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'the server is closed');
});

test('with leader election: leads through a Lease, and releases it on a clean stop after the work returned', async () => {
  const stop = new AbortController();
  const { logger } = quietLogger();
  let leading = false;
  let heldWhileStopping: string | undefined;
  let identity = '';
  const code = runComponent({
    name: 'test-component',
    options: options(['--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=200ms', '--leader-elect-resource-namespace=kube-system']),
    exit: false,
    handleSignals: false,
    signal: stop.signal,
    logger,
    run: async (ctx) => {
      leading = true;
      identity = ctx.identity;
      await untilAborted(ctx.signal);
      heldWhileStopping = server.getObject('/apis/coordination.k8s.io/v1/leases', 'kube-system', 'test-component')?.spec.holderIdentity;
      leading = false;
    },
  });
  await waitUntil(() => leading, 'leading');
  const lease = server.getObject('/apis/coordination.k8s.io/v1/leases', 'kube-system', 'test-component')!;
  assert.match(lease.spec.holderIdentity, /_[0-9a-f-]{36}$/);
  assert.equal(lease.spec.leaseDurationSeconds, 3);
  stop.abort();
  assert.equal(await code, 0);
  assert.equal(heldWhileStopping, identity, 'still held while the work stops');
  const released = server.getObject('/apis/coordination.k8s.io/v1/leases', 'kube-system', 'test-component')!;
  assert.equal(released.spec.holderIdentity, '');
  assert.equal(released.spec.leaseDurationSeconds, 1);
});

test('queues from ctx.newQueue are shut down on stop and drained before the Lease is released', async () => {
  const stop = new AbortController();
  const { logger } = quietLogger();
  const processed: string[] = [];
  let finishItem!: () => void;
  const itemBlocked = new Promise<void>((r) => (finishItem = r));
  let leaseAtDrain: string | undefined;
  let started = false;
  const code = runComponent({
    name: 'queue-component',
    options: options(['--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=200ms', '--leader-elect-resource-name=queue-component']),
    exit: false,
    handleSignals: false,
    signal: stop.signal,
    logger,
    run: async (ctx) => {
      const queue = ctx.newQueue<string>('things');
      queue.add('a');
      queue.add('b');
      const worker = (async () => {
        for (;;) {
          const { item, shutdown } = await queue.get();
          if (shutdown) return;
          started = true;
          if (item === 'a') await itemBlocked;
          processed.push(item);
          leaseAtDrain = server.getObject('/apis/coordination.k8s.io/v1/leases', 'kube-system', 'queue-component')?.spec.holderIdentity;
          queue.done(item);
        }
      })();
      // Returns at once on stop, without waiting for its worker: the scaffold drains the queue.
      await untilAborted(ctx.signal);
      void worker;
    },
  });
  await waitUntil(() => started, 'the worker to start');
  stop.abort();
  await waitUntil(() => server.getObject('/apis/coordination.k8s.io/v1/leases', 'kube-system', 'queue-component') !== undefined, 'lease');
  assert.equal(server.getObject('/apis/coordination.k8s.io/v1/leases', 'kube-system', 'queue-component')!.spec.holderIdentity !== '', true, 'not released while an item is processed');
  finishItem();
  assert.equal(await code, 0);
  assert.deepEqual(processed, ['a', 'b'], 'queued items were drained');
  assert.match(leaseAtDrain ?? '', /_[0-9a-f-]{36}$/, 'the lease was held while draining');
  assert.equal(server.getObject('/apis/coordination.k8s.io/v1/leases', 'kube-system', 'queue-component')!.spec.holderIdentity, '');
});

test('events recorded as the work stops are written before the Lease is released; one recorder per component name', async () => {
  const stop = new AbortController();
  const { logger } = quietLogger();
  server.reset();
  let leading = false;
  const code = runComponent({
    name: 'event-component',
    options: options(['--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=200ms', '--leader-elect-resource-name=event-component']),
    exit: false,
    handleSignals: false,
    signal: stop.signal,
    logger,
    run: async (ctx) => {
      assert.equal(ctx.eventRecorder('thing-controller'), ctx.eventRecorder('thing-controller'));
      assert.notEqual(ctx.eventRecorder('thing-controller'), ctx.eventRecorder('other-controller'));
      leading = true;
      await untilAborted(ctx.signal);
      // The last things a leader does, recorded without waiting (recording never blocks).
      for (let i = 0; i < 20; i++) {
        ctx.eventRecorder('thing-controller').event({ apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: `p-${i}`, uid: `u-${i}` }, 'Normal', 'Stopped', `stopped p-${i}`);
      }
    },
  });
  // Wait for the work itself, not the Lease: the Lease is stored before the elector reads the
  // answer, and a stop in between ends the campaign before any work starts.
  await waitUntil(() => leading, 'leading');
  stop.abort();
  assert.equal(await code, 0);
  const writes = server.requests.filter((r) => r.method !== 'GET');
  const eventPosts = writes.map((r, i) => ({ r, i })).filter(({ r }) => r.method === 'POST' && r.path === '/api/v1/namespaces/default/events');
  assert.equal(eventPosts.length, 20, 'every event was written');
  assert.deepEqual(new Set(eventPosts.map(({ r }) => JSON.parse(r.body).involvedObject.name)), new Set(Array.from({ length: 20 }, (_, i) => `p-${i}`)));
  const release = writes.findLastIndex((r) => r.path.endsWith('/leases/event-component') && JSON.parse(r.body).spec.holderIdentity === '');
  assert.ok(release > 0, 'the Lease was released');
  assert.ok(eventPosts.every(({ i }) => i < release), 'events were written before the release');
});

test('a leader that loses its Lease stops the work and exits 1 without releasing the Lease', async () => {
  const { logger, lines } = quietLogger();
  const leases = '/apis/coordination.k8s.io/v1/leases';
  let workSignal: AbortSignal | undefined;
  let workReturned = false;
  const code = runComponent({
    name: 'losing-component',
    options: options(['--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=200ms', '--leader-elect-resource-name=losing-component']),
    exit: false,
    handleSignals: false,
    logger,
    run: async (ctx) => {
      workSignal = ctx.signal;
      await untilAborted(ctx.signal);
      workReturned = true;
    },
  });
  await waitUntil(() => workSignal !== undefined, 'leading');
  // Another holder writes the Lease (as a standby that saw it expire would): the next renewal
  // conflicts, the re-read shows a valid foreign holder, and leadership is lost.
  const lease = server.getObject(leases, 'kube-system', 'losing-component')!;
  server.put(leases, { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder' } });
  assert.equal(await code, 1);
  assert.equal(workSignal!.aborted, true, 'the work was told to stop');
  await waitUntil(() => workReturned, 'the work to return');
  assert.equal(server.getObject(leases, 'kube-system', 'losing-component')!.spec.holderIdentity, 'intruder', 'a lost Lease is not released');
  assert.ok(lines.some((l) => l.includes('leaderelection lost')), 'the loss is logged');
});

test('work that throws ends the component with exit code 1', async () => {
  const { logger } = quietLogger();
  const code = await runComponent({
    name: 'test-component',
    options: options(['--leader-elect=false']),
    exit: false,
    handleSignals: false,
    logger,
    run: async () => {
      throw new Error('boom');
    },
  });
  assert.equal(code, 1);
});
