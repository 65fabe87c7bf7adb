import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { SharedIndexInformer } from '../../src/informer/shared-informer.ts';
import type { ResourceEventHandler } from '../../src/informer/shared-informer.ts';
import { SharedInformerFactory } from '../../src/informer/shared-informer-factory.ts';
import { listWatchFromClient } from '../../src/informer/list-watch.ts';
import { NAMESPACE_INDEX, NODE_NAME_INDEX, nodeNameIndexFunc } from '../../src/informer/index-funcs.ts';
import { RestClient } from '../../src/client/rest-client.ts';
import { FakeClock } from '../../src/clock/fake-clock.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { FakeApiserver } from '../client/fake-apiserver.ts';
import { waitUntil } from '../clock/wait-until.ts';

const server = new FakeApiserver();
let client: RestClient;
let clock: FakeClock;
let stop: AbortController;
let runs: Promise<void>[] = [];

const pod = (name: string, spec: unknown = {}, ns = 'ns'): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec });
const at = (o: KubeObject) => `${o.metadata.name}@${o.metadata.resourceVersion}`;

function recorder(log: string[], prefix = ''): ResourceEventHandler<KubeObject> {
  return {
    onAdd: (o, initial) => log.push(`${prefix}add ${at(o)}${initial ? ' initial' : ''}`),
    onUpdate: (a, b) => log.push(`${prefix}update ${at(a)} -> ${at(b)}`),
    onDelete: (o) => log.push(`${prefix}delete ${at(o)}`),
  };
}

function informer(): SharedIndexInformer {
  return new SharedIndexInformer({
    name: 'pods',
    listerWatcher: listWatchFromClient(client, 'pods'),
    indexers: { [NAMESPACE_INDEX]: (o) => [o.metadata.namespace!], [NODE_NAME_INDEX]: nodeNameIndexFunc },
    clock,
  });
}

function run(inf: SharedIndexInformer): void {
  runs.push(inf.run(stop.signal));
}

before(async () => {
  await server.start();
  client = new RestClient({ config: { server: server.url }, maxRetries: 0 });
});
after(async () => {
  await client.close();
  await server.stop();
});
beforeEach(() => {
  server.reset();
  clock = new FakeClock(0);
  stop = new AbortController();
});
afterEach(async () => {
  stop.abort();
  await Promise.all(runs);
  runs = [];
});

test('initial list as onAdd(initial), then each change once, in order; the cache is updated before handlers run', async () => {
  const a = server.put('/api/v1/pods', pod('a'));
  const inf = informer();
  const log: string[] = [];
  const seenInCache: boolean[] = [];
  inf.addEventHandler({
    ...recorder(log),
    onUpdate: (o, n) => {
      log.push(`update ${at(o)} -> ${at(n)}`);
      seenInCache.push(inf.get('ns', n.metadata.name!) === n);
    },
  });
  assert.equal(inf.hasSynced(), false);
  run(inf);
  assert.equal(await inf.waitForCacheSync(stop.signal), true);
  assert.equal(inf.hasSynced(), true);
  await waitUntil(() => server.watchCount() === 1, 'the watch');
  const a2 = server.put('/api/v1/pods', pod('a', { nodeName: 'n1' }));
  const b = server.put('/api/v1/pods', pod('b', { nodeName: 'n1' }));
  const aGone = server.remove('/api/v1/pods', 'ns', 'a')!;
  await waitUntil(() => log.length === 4, 'four deliveries');
  assert.deepEqual(log, [`add ${at(a)} initial`, `update ${at(a)} -> ${at(a2)}`, `add ${at(b)}`, `delete ${at(aGone)}`]);
  assert.deepEqual(seenInCache, [true]);
  assert.deepEqual(inf.getIndexer().byIndex(NODE_NAME_INDEX, 'n1').map(at), [at(b)]);
  assert.deepEqual(inf.list('ns').map(at), [at(b)]);
});

test('after a relist the difference is delivered: vanished keys get onDelete with their last known state', async () => {
  const keep = server.put('/api/v1/pods', pod('keep'));
  const change = server.put('/api/v1/pods', pod('change'));
  const gone = server.put('/api/v1/pods', pod('gone'));
  const recreated = server.put('/api/v1/pods', pod('recreated'));
  const inf = informer();
  const log: string[] = [];
  inf.addEventHandler(recorder(log));
  run(inf);
  await waitUntil(() => server.watchCount() === 1, 'the watch');
  log.length = 0;

  // The connection breaks and watches fail while the collection changes; history is compacted.
  server.intercept = (req) => (req.query.get('watch') === 'true' ? { status: 503, body: 'down' } : undefined);
  server.destroyWatches();
  const changed = server.put('/api/v1/pods', pod('change', { x: 1 }));
  server.remove('/api/v1/pods', 'ns', 'gone');
  server.remove('/api/v1/pods', 'ns', 'recreated');
  const again = server.put('/api/v1/pods', pod('recreated'));
  const added = server.put('/api/v1/pods', pod('added'));
  server.compact();
  await waitUntil(() => clock.hasWaiters(), 'backoff');
  server.intercept = undefined;
  await clock.step(clock.nextDue()! - clock.now());
  await waitUntil(() => server.listRequests().length === 2 && server.watchCount() === 1, 'relist');

  assert.notEqual(again.metadata.uid, recreated.metadata.uid);
  assert.deepEqual([...log].sort(), [
    `add ${at(added)}`,
    `add ${at(again)}`,
    `delete ${at(gone)}`,
    `delete ${at(recreated)}`,
    `update ${at(change)} -> ${at(changed)}`,
    `update ${at(keep)} -> ${at(keep)}`,
  ].sort());
  // the recreated key: delete of the old object comes before the add of the new one
  assert.ok(log.indexOf(`delete ${at(recreated)}`) < log.indexOf(`add ${at(again)}`));
  assert.deepEqual(inf.getIndexer().listKeys().sort(), ['ns/added', 'ns/change', 'ns/keep', 'ns/recreated']);
});

test('periodic resync re-delivers every cached object as onUpdate(obj, obj), per handler period', async () => {
  server.put('/api/v1/pods', pod('a'));
  server.put('/api/v1/pods', pod('b'));
  const inf = informer();
  const fast: string[] = [];
  const never: string[] = [];
  inf.addEventHandler(recorder(fast), 1000);
  inf.addEventHandler(recorder(never));
  run(inf);
  await inf.waitForCacheSync();
  fast.length = 0;
  never.length = 0;
  await clock.step(999);
  assert.deepEqual(fast, []);
  await clock.step(1);
  assert.equal(fast.length, 2);
  for (const line of fast) assert.match(line, /^update (\w)@(\d+) -> \1@\2$/);
  await clock.step(1000);
  assert.equal(fast.length, 4);
  assert.deepEqual(never, []);
});

test('a handler added after sync first gets the cache as initial adds; a removed one gets nothing', async () => {
  const a = server.put('/api/v1/pods', pod('a'));
  const inf = informer();
  run(inf);
  await inf.waitForCacheSync();
  const log: string[] = [];
  const reg = inf.addEventHandler(recorder(log));
  assert.equal(reg.hasSynced(), true);
  assert.deepEqual(log, [`add ${at(a)} initial`]);
  reg.remove();
  await waitUntil(() => server.watchCount() === 1, 'the watch');
  server.put('/api/v1/pods', pod('b'));
  const other: string[] = [];
  inf.addEventHandler(recorder(other));
  await waitUntil(() => other.length === 2, 'b delivered');
  assert.equal(log.length, 1);
});

test('a throwing handler does not stop the others', async () => {
  const inf = informer();
  const log: string[] = [];
  inf.addEventHandler({ onAdd: () => { throw new Error('bad handler'); } });
  inf.addEventHandler(recorder(log));
  run(inf);
  await waitUntil(() => server.watchCount() === 1, 'the watch');
  server.put('/api/v1/pods', pod('a'));
  await waitUntil(() => log.length === 1, 'delivered');
});

test('waitForCacheSync answers false when its signal aborts first', async () => {
  const inf = informer();
  const ctl = new AbortController();
  const p = inf.waitForCacheSync(ctl.signal);
  ctl.abort();
  assert.equal(await p, false);
});

test('the factory holds one informer per resource and scope, and starts and syncs them all', async () => {
  server.put('/api/v1/pods', pod('a', {}, 'x'));
  server.put('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  const factory = new SharedInformerFactory(client, { clock });
  const pods = factory.informerFor('pods');
  assert.equal(factory.informerFor('pods', { indexers: { [NODE_NAME_INDEX]: nodeNameIndexFunc } }), pods);
  assert.notEqual(factory.informerFor('pods', { namespace: 'x' }), pods);
  assert.notEqual(factory.informerFor('pods', { labelSelector: 'a=b' }), pods);
  const nodes = factory.informerFor('nodes', { namespace: 'ignored-for-cluster-scope' });
  assert.equal(factory.informerFor('nodes'), nodes);
  factory.start(stop.signal);
  assert.equal(await factory.waitForCacheSync(stop.signal), true);
  assert.deepEqual(pods.list().map((p) => p.metadata.name), ['a']);
  assert.deepEqual(pods.list('x').map((p) => p.metadata.name), ['a']);
  assert.equal(nodes.get('', 'n1')?.metadata.name, 'n1');
  assert.ok(pods.getIndexer().hasIndex(NAMESPACE_INDEX) && pods.getIndexer().hasIndex(NODE_NAME_INDEX));
  const scoped = server.listRequests().find((r) => r.path === '/api/v1/namespaces/x/pods');
  assert.ok(scoped, 'the namespaced informer lists its namespace');
  assert.ok(server.listRequests().some((r) => r.query.get('labelSelector') === 'a=b'));
  stop.abort();
  await factory.shutdown();
});
