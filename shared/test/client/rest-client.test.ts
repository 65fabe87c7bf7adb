import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { RestClient, defaultUserAgent, resolveResource } from '../../src/client/rest-client.ts';
import { setRestClientMetrics } from '../../src/client/metrics.ts';
import { StatusError, isConflict, isExpired, isNotFound } from '../../src/api/status-error.ts';
import { FakeClock } from '../../src/clock/fake-clock.ts';
import type { KubeObject, Status } from '../../src/api/types.ts';
import { FakeApiserver } from './fake-apiserver.ts';
import { waitUntil } from '../clock/wait-until.ts';

const server = new FakeApiserver();
let client: RestClient;

before(async () => {
  await server.start();
});
after(async () => {
  await client?.close();
  await server.stop();
});
beforeEach(async () => {
  server.intercept = undefined;
  server.requests.length = 0;
  await client?.close();
  client = new RestClient({ config: { server: server.url, token: 'tok' }, component: 'test-component', maxRetries: 3, clock: new FakeClock() });
});

const pod = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns1' }, spec: { containers: [] }, ...extra });

test('typed verbs use the catalogue paths, methods, content types and headers', async () => {
  const created = await client.create('pods', pod('a'));
  assert.equal(created.metadata.resourceVersion, String(server.rv));
  const got = await client.get('pods', 'a', { namespace: 'ns1' });
  assert.equal(got.metadata.uid, created.metadata.uid);
  const updated = await client.update('pods', { ...got, spec: { containers: [{ name: 'c' }] } });
  await client.updateStatus('pods', { ...updated, status: { phase: 'Running' } });
  await client.patch('pods', 'a', { metadata: { labels: { x: 'y' } } }, { namespace: 'ns1', type: 'merge', fieldManager: 'me' });
  const list = await client.list('pods', { namespace: 'ns1', labelSelector: 'x=y', limit: 10 });
  assert.equal(list.items.length, 1);
  assert.equal(list.items[0].status.phase, 'Running');
  assert.deepEqual(list.items[0].metadata.labels, { x: 'y' });
  await client.delete('pods', 'a', { namespace: 'ns1', propagationPolicy: 'Background' });
  await client.list('leases.coordination.k8s.io');
  await client.get('nodes', 'n1').catch(() => {});

  const seen = server.requests.map((r) => `${r.method} ${r.path}${r.query.size ? '?' + r.query.toString() : ''}`);
  assert.deepEqual(seen, [
    'POST /api/v1/namespaces/ns1/pods',
    'GET /api/v1/namespaces/ns1/pods/a',
    'PUT /api/v1/namespaces/ns1/pods/a',
    'PUT /api/v1/namespaces/ns1/pods/a/status',
    'PATCH /api/v1/namespaces/ns1/pods/a?fieldManager=me',
    'GET /api/v1/namespaces/ns1/pods?labelSelector=x%3Dy&limit=10',
    'DELETE /api/v1/namespaces/ns1/pods/a',
    'GET /apis/coordination.k8s.io/v1/leases',
    'GET /api/v1/nodes/n1',
  ]);
  const patch = server.requests[4];
  assert.equal(patch.headers['content-type'], 'application/merge-patch+json');
  assert.deepEqual(JSON.parse(server.requests[6].body), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
  for (const r of server.requests) {
    assert.equal(r.headers['user-agent'], defaultUserAgent('test-component'));
    assert.equal(r.headers.authorization, 'Bearer tok');
  }
  assert.match(defaultUserAgent('kube-scheduler'), /^kube-scheduler\/v1\.32\.0 \([a-z0-9]+\/[a-z0-9]+\) minik8s$/);
});

test('requests one after another reuse keep-alive connections', async () => {
  const before = server.connections;
  await client.create('pods', pod('keepalive'));
  for (let i = 0; i < 20; i++) await client.get('pods', 'keepalive', { namespace: 'ns1' });
  await client.list('pods', { namespace: 'ns1' });
  await client.patch('pods', 'keepalive', { metadata: { labels: { i: 'x' } } }, { namespace: 'ns1', type: 'merge' });
  // The pool may open a second connection when a request is sent just before the previous
  // one's connection is marked idle again; never one per request.
  const opened = server.connections - before;
  assert.ok(opened >= 1 && opened <= 2, `23 requests in a row opened ${opened} connections`);
});

test('patch types map to their content types; subresources and logs have their paths', async () => {
  server.intercept = () => ({ status: 200, body: {} });
  for (const type of ['json', 'merge', 'strategic', 'apply'] as const) {
    await client.patch('deployments.apps', 'd', [], { namespace: 'ns1', type, subresource: 'scale', force: type === 'apply' ? true : undefined });
  }
  await client.create('pods', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p', namespace: 'ns1' }, target: { kind: 'Node', name: 'n1' } }, { subresource: 'binding' });
  await client.get('deployments.apps', 'd', { namespace: 'ns1', subresource: 'scale' });
  await client.deleteCollection('pods', { namespace: 'ns1', labelSelector: 'a=b' });
  server.intercept = () => ({ status: 200, body: 'line 1\nline 2\n', headers: { 'content-type': 'text/plain' } });
  assert.equal(await client.logs('ns1', 'p', { container: 'c', tailLines: 2 }), 'line 1\nline 2\n');
  const r = server.requests;
  assert.deepEqual(r.slice(0, 4).map((x) => x.headers['content-type']), [
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
    'application/apply-patch+yaml',
  ]);
  assert.equal(r[3].query.get('force'), 'true');
  assert.equal(r[0].path, '/apis/apps/v1/namespaces/ns1/deployments/d/scale');
  assert.equal(`${r[4].method} ${r[4].path}`, 'POST /api/v1/namespaces/ns1/pods/p/binding');
  assert.equal(`${r[5].method} ${r[5].path}`, 'GET /apis/apps/v1/namespaces/ns1/deployments/d/scale');
  assert.equal(`${r[6].method} ${r[6].path}?${r[6].query}`, 'DELETE /api/v1/namespaces/ns1/pods?labelSelector=a%3Db');
  assert.equal(`${r[7].path}?${r[7].query}`, '/api/v1/namespaces/ns1/pods/p/log?container=c&tailLines=2');
});

test('a Status answer becomes a StatusError carrying that Status; other bodies get a Status made from the code', async () => {
  const err = await client.get('pods', 'missing', { namespace: 'ns1' }).catch((e) => e);
  assert.ok(err instanceof StatusError && isNotFound(err));
  assert.equal(err.status.message, 'pods "missing" not found');
  assert.equal(err.code, 404);

  server.intercept = () => ({ status: 403, body: 'nope', headers: { 'content-type': 'text/plain' } });
  const forbidden = await client.get('pods', 'x', { namespace: 'ns1' }).catch((e) => e);
  assert.ok(forbidden instanceof StatusError);
  assert.equal(forbidden.reason, 'Forbidden');
  assert.equal(forbidden.code, 403);
  assert.match(forbidden.message, /nope/);
});

test('409 Conflict is never retried: the caller decides', async () => {
  const created = await client.create('pods', pod('c'));
  server.requests.length = 0;
  const err = await client.update('pods', { ...created, metadata: { ...created.metadata, resourceVersion: '1' } }).catch((e) => e);
  assert.ok(isConflict(err));
  assert.equal(server.requests.length, 1);
  const dup = await client.create('pods', pod('c')).catch((e) => e);
  assert.equal(dup.reason, 'AlreadyExists');
  assert.equal(server.requests.length, 2);
});

test('429 is retried after exactly its Retry-After', async () => {
  const clock = new FakeClock(0);
  const c = new RestClient({ config: { server: server.url }, clock, maxRetries: 3 });
  let calls = 0;
  server.intercept = () => (++calls === 1 ? { status: 429, headers: { 'retry-after': '2' }, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'TooManyRequests', code: 429 } } : { status: 200, body: { ok: true } });
  const p = c.request<{ ok: boolean }>({ method: 'GET', path: '/api/v1/pods' });
  await waitUntil(() => clock.hasWaiters(), 'the client to wait');
  assert.equal(clock.nextDue(), 2000);
  await clock.step(1999);
  assert.equal(calls, 1);
  await clock.step(1);
  assert.deepEqual(await p, { ok: true });
  assert.equal(calls, 2);
  await c.close();
});

test('5xx is retried with doubling backoff up to maxRetries, then surfaces as a StatusError', async () => {
  const clock = new FakeClock(0);
  const c = new RestClient({ config: { server: server.url }, clock, maxRetries: 3, initialBackoffMs: 100 });
  server.intercept = () => ({ status: 503, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'ServiceUnavailable', message: 'etcd is down', code: 503 } });
  const p = c.request({ method: 'POST', path: '/api/v1/namespaces/a/pods', body: {} }).catch((e) => e);
  const delays: number[] = [];
  for (let i = 0; i < 3; i++) {
    await waitUntil(() => clock.hasWaiters(), 'backoff');
    delays.push(clock.nextDue()! - clock.now());
    await clock.step(clock.nextDue()! - clock.now());
  }
  const err = await p;
  assert.deepEqual(delays, [100, 200, 400]);
  assert.equal(server.requests.length, 4);
  assert.ok(err instanceof StatusError);
  assert.equal(err.message, 'etcd is down');
  await c.close();
});

test('4xx other than 429 is not retried', async () => {
  server.intercept = () => ({ status: 422, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', message: 'bad', code: 422 } });
  const err = await client.create('pods', pod('x')).catch((e) => e);
  assert.equal(err.reason, 'Invalid');
  assert.equal(server.requests.length, 1);
});

test('a cut connection is retried for GET but not for POST', async () => {
  let calls = 0;
  server.intercept = () => (++calls === 1 ? { destroy: true } : { status: 200, body: { items: [] } });
  const clock = new FakeClock(0);
  const c = new RestClient({ config: { server: server.url }, clock, maxRetries: 2 });
  const p = c.request({ method: 'GET', path: '/api/v1/pods' });
  await waitUntil(() => clock.hasWaiters(), 'backoff');
  await clock.step(clock.nextDue()! - clock.now());
  assert.deepEqual(await p, { items: [] });
  assert.equal(calls, 2);

  calls = 0;
  server.intercept = () => (++calls === 1 ? { destroy: true } : { status: 201, body: {} });
  await assert.rejects(c.request({ method: 'POST', path: '/api/v1/namespaces/a/pods', body: {} }));
  assert.equal(calls, 1);
  await c.close();
});

test('a refused connection is retried for every verb, and reported as <error> to metrics', async () => {
  const results: string[] = [];
  setRestClientMetrics({ requestResult: (m, _h, code) => results.push(`${m} ${code}`), requestLatency() {}, rateLimiterLatency() {} });
  try {
    const clock = new FakeClock(0);
    // A port nothing listens on: a server we start and stop.
    const gone = new FakeApiserver();
    const url = await gone.start();
    await gone.stop();
    const c = new RestClient({ config: { server: url }, clock, maxRetries: 2 });
    const p = c.request({ method: 'POST', path: '/api/v1/namespaces/a/pods', body: {} }).catch((e) => e);
    for (let i = 0; i < 2; i++) {
      await waitUntil(() => clock.hasWaiters(), 'backoff');
      await clock.step(clock.nextDue()! - clock.now());
    }
    const err: any = await p;
    assert.match(String(err?.code ?? err?.errors?.[0]?.code), /ECONNREFUSED/);
    assert.deepEqual(results, ['POST <error>', 'POST <error>', 'POST <error>']);
    await c.close();
  } finally {
    setRestClientMetrics(undefined);
  }
});

test('the client-side rate limit holds requests beyond the burst until tokens refill', async () => {
  const clock = new FakeClock(0);
  const c = new RestClient({ config: { server: server.url }, clock, qps: 1, burst: 2 });
  server.intercept = () => ({ status: 200, body: {} });
  const all = Promise.all([0, 1, 2].map(() => c.request({ method: 'GET', path: '/api/v1/pods' })));
  await waitUntil(() => server.requests.length === 2 && clock.hasWaiters(), 'two requests and one waiting');
  assert.equal(clock.nextDue(), 1000);
  await clock.step(1000);
  await all;
  assert.equal(server.requests.length, 3);
  await c.close();
});

test('an aborted request rejects with the abort reason', async () => {
  server.intercept = () => undefined;
  const ctl = new AbortController();
  ctl.abort(new Error('go away'));
  await assert.rejects(client.get('pods', 'a', { namespace: 'ns1', signal: ctl.signal }), /go away/);
});

test('resolveResource knows resource.group names and rejects unknown ones', async () => {
  assert.equal(resolveResource('deployments.apps').kind, 'Deployment');
  assert.equal(resolveResource('leases.coordination.k8s.io').namespaced, true);
  assert.throws(() => resolveResource('widgets'), /unknown resource "widgets"/);
  await assert.rejects(client.get('pods', 'x'), /namespace is required/);
});

// ---- watch ------------------------------------------------------------------------------------

test('watch yields events split across chunks, sends the protocol query, and ends on abort', async () => {
  server.splitWatchLines = 3;
  const base = server.put('/api/v1/pods', pod('w1'));
  const ctl = new AbortController();
  const events: string[] = [];
  const done = (async () => {
    for await (const ev of client.watch('pods', { namespace: 'ns1', resourceVersion: base.metadata.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 30, signal: ctl.signal })) {
      events.push(`${ev.type} ${ev.object.metadata.name ?? ''} ${ev.object.metadata.resourceVersion}`);
    }
  })();
  await waitUntil(() => server.watchCount() === 1, 'the watch to open');
  const m = server.put('/api/v1/pods', pod('w1', { spec: { x: 1 } }));
  server.bookmark();
  const d = server.remove('/api/v1/pods', 'ns1', 'w1')!;
  await waitUntil(() => events.length === 3, 'three events');
  ctl.abort();
  await done; // ends, does not throw
  server.splitWatchLines = 1;
  assert.deepEqual(events, [`MODIFIED w1 ${m.metadata.resourceVersion}`, `BOOKMARK  ${m.metadata.resourceVersion}`, `DELETED w1 ${d.metadata.resourceVersion}`]);
  const q = server.watchRequests().at(-1)!.query;
  assert.equal(q.get('watch'), 'true');
  assert.equal(q.get('allowWatchBookmarks'), 'true');
  assert.equal(q.get('resourceVersion'), base.metadata.resourceVersion);
  assert.equal(q.get('timeoutSeconds'), '30');
  await waitUntil(() => server.watchCount() === 0, 'the server to see the watch close');
});

test('watch of one object by name, and breaking out of the loop closes the stream', async () => {
  server.put('/api/v1/pods', pod('solo'));
  for await (const ev of client.watch('pods', { namespace: 'ns1', name: 'solo', fieldSelector: 'spec.nodeName=n1' })) {
    assert.equal(ev.type, 'ADDED');
    break;
  }
  assert.equal(server.watchRequests().at(-1)!.query.get('fieldSelector'), 'metadata.name=solo,spec.nodeName=n1');
  await waitUntil(() => server.watchCount() === 0, 'the stream to close');
});

test('a 410 ERROR event and a 410 answer both throw an expired StatusError', async () => {
  server.compact();
  const err = await (async () => {
    for await (const _ of client.watch('pods', { resourceVersion: '1' })) {
      // nothing expected
    }
  })().catch((e) => e);
  assert.ok(isExpired(err));
  assert.equal((err as StatusError).reason, 'Expired');

  const gone: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Gone', message: 'gone', code: 410 };
  server.intercept = () => ({ status: 410, body: gone });
  const err2 = await (async () => {
    for await (const _ of client.watch('pods', { resourceVersion: '1' })) {
      // nothing expected
    }
  })().catch((e) => e);
  assert.ok(isExpired(err2));
  assert.equal(err2.message, 'gone');
});

test('a watch the server closes just ends', async () => {
  const got: string[] = [];
  const done = (async () => {
    for await (const ev of client.watch('pods', { resourceVersion: String(server.rv) })) got.push(ev.type);
  })();
  await waitUntil(() => server.watchCount() === 1, 'watch open');
  server.closeWatches();
  await done;
  assert.deepEqual(got, []);
});
