import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Reflector } from '../../src/informer/reflector.ts';
import type { ReflectorStore } from '../../src/informer/reflector.ts';
import { listWatchFromClient } from '../../src/informer/list-watch.ts';
import { RestClient } from '../../src/client/rest-client.ts';
import { FakeClock } from '../../src/clock/fake-clock.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { FakeApiserver } from '../client/fake-apiserver.ts';
import { waitUntil } from '../clock/wait-until.ts';

const server = new FakeApiserver();
let client: RestClient;
let clock: FakeClock;
let stop: AbortController;
let running: Promise<void> | undefined;

/** Records what the reflector delivers, as lines. */
class RecordingStore implements ReflectorStore<KubeObject> {
  log: string[] = [];
  replace(items: KubeObject[], rv: string) {
    this.log.push(`replace ${items.map((i) => i.metadata.name).join(',')} @${rv}`);
  }
  add(o: KubeObject) {
    this.log.push(`add ${o.metadata.name} @${o.metadata.resourceVersion}`);
  }
  update(o: KubeObject) {
    this.log.push(`update ${o.metadata.name} @${o.metadata.resourceVersion}`);
  }
  delete(o: KubeObject) {
    this.log.push(`delete ${o.metadata.name} @${o.metadata.resourceVersion}`);
  }
}

const pod = (name: string, spec: unknown = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec });

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
  await running;
  running = undefined;
  server.closeWatches();
});

function start(store: ReflectorStore<KubeObject>, pageSize = 500): Reflector {
  const r = new Reflector({ name: 'pods', listerWatcher: listWatchFromClient(client, 'pods', { namespace: 'ns' }), store, clock, pageSize });
  running = r.run(stop.signal);
  return r;
}

test('lists page by page, then watches from the list resourceVersion with bookmarks; events arrive in order', async () => {
  for (const n of ['a', 'b', 'c', 'd', 'e']) server.put('/api/v1/pods', pod(n));
  const listRV = server.rv;
  const store = new RecordingStore();
  const r = start(store, 2);
  await waitUntil(() => server.watchCount() === 1, 'the watch');
  assert.deepEqual(store.log, [`replace a,b,c,d,e @${listRV}`]);
  const lists = server.listRequests();
  assert.deepEqual(lists.map((l) => [l.query.get('limit'), l.query.get('continue')]), [['2', null], ['2', '1:2'], ['2', '1:4']]);
  assert.equal(lists[0].query.get('resourceVersion'), null, 'a consistent read, never RV=0');
  const w = server.watchRequests()[0].query;
  assert.equal(w.get('resourceVersion'), String(listRV));
  assert.equal(w.get('allowWatchBookmarks'), 'true');
  const t = Number(w.get('timeoutSeconds'));
  assert.ok(t >= 300 && t < 600, `timeoutSeconds ${t}`);

  server.put('/api/v1/pods', pod('f'));
  server.put('/api/v1/pods', pod('a', { x: 1 }));
  server.remove('/api/v1/pods', 'ns', 'b');
  await waitUntil(() => store.log.length === 4, 'three events');
  assert.deepEqual(store.log.slice(1), [`add f @${listRV + 1}`, `update a @${listRV + 2}`, `delete b @${listRV + 3}`]);
  assert.equal(r.lastSyncResourceVersion(), String(listRV + 3));
});

test('a closed stream re-watches from the last resourceVersion seen (bookmarks included), without relisting', async () => {
  server.put('/api/v1/pods', pod('a'));
  const store = new RecordingStore();
  const r = start(store);
  await waitUntil(() => server.watchCount() === 1, 'the watch');
  server.put('/api/v1/pods', pod('c'));
  server.rv += 10; // writes elsewhere move the global revision
  server.bookmark();
  await waitUntil(() => r.lastSyncResourceVersion() === String(server.rv), 'the bookmark');
  server.closeWatches();
  await waitUntil(() => server.watchRequests().length === 2 && server.watchCount() === 1, 're-watch');
  assert.equal(server.watchRequests()[1].query.get('resourceVersion'), String(server.rv));
  assert.equal(server.listRequests().length, 1, 'no relist');
  server.put('/api/v1/pods', pod('b'));
  await waitUntil(() => store.log.at(-1) === `add b @${server.rv}`, 'the event after the re-watch');
});

test('a 410 on re-watch relists, and watches from the new list resourceVersion', async () => {
  server.put('/api/v1/pods', pod('a'));
  const store = new RecordingStore();
  start(store);
  await waitUntil(() => server.watchCount() === 1, 'the watch');
  // The watch is cut; meanwhile history is compacted away.
  server.destroyWatches();
  server.put('/api/v1/pods', pod('b'));
  server.compact();
  // A cut connection backs off (on the fake clock) before re-watching.
  await waitUntil(() => clock.hasWaiters(), 'backoff');
  await clock.step(clock.nextDue()! - clock.now());
  await waitUntil(() => server.listRequests().length === 2 && server.watchCount() === 1, 'relist and watch');
  assert.equal(store.log.at(-1), `replace a,b @${server.rv}`);
  assert.equal(server.watchRequests().at(-1)!.query.get('resourceVersion'), String(server.rv));
});

test('an ERROR 410 event on an open watch relists at once', async () => {
  const store = new RecordingStore();
  start(store);
  await waitUntil(() => server.watchCount() === 1, 'the watch');
  server.errorWatches({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', message: 'too old', code: 410 });
  await waitUntil(() => server.listRequests().length === 2 && server.watchCount() === 1, 'relist');
});

test('errors back off exponentially on the clock, then recover', async () => {
  let failing = true;
  server.intercept = (req) => (failing && req.query.get('watch') !== 'true' ? { status: 500, body: 'boom' } : undefined);
  const store = new RecordingStore();
  start(store);
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    await waitUntil(() => clock.hasWaiters(), 'backoff');
    delays.push(clock.nextDue()! - clock.now());
    if (i === 3) failing = false;
    await clock.step(clock.nextDue()! - clock.now());
  }
  assert.deepEqual(delays, [800, 1600, 3200, 6400]);
  await waitUntil(() => server.watchCount() === 1, 'recovered');
  assert.equal(server.listRequests().length, 5);
  assert.equal(store.log.length, 1);
});

test('an expired continue token restarts the list without paging', async () => {
  for (const n of ['a', 'b', 'c']) server.put('/api/v1/pods', pod(n));
  let pages = 0;
  server.intercept = (req) => {
    if (req.query.get('continue')) server.expireContinueTokens();
    if (req.query.get('limit')) pages++;
    return undefined;
  };
  const store = new RecordingStore();
  start(store, 2);
  await waitUntil(() => server.watchCount() === 1, 'the watch');
  assert.equal(pages, 2);
  const last = server.listRequests().at(-1)!.query;
  assert.equal(last.get('limit'), null);
  assert.equal(last.get('continue'), null);
  assert.deepEqual(store.log, [`replace a,b,c @${server.rv}`]);
});

test('abort stops the loop promptly, whatever it is doing', async () => {
  const store = new RecordingStore();
  start(store);
  await waitUntil(() => server.watchCount() === 1, 'the watch');
  stop.abort();
  await running;
  await waitUntil(() => server.watchCount() === 0, 'the watch to close');
});
