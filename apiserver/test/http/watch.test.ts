// Watch semantics over HTTP: order, exactly-once, resourceVersion rules, 410 Expired.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, openWatch, pod, type TestServer } from '../support/test-server.ts';
import type { EtcdStore } from '../../src/storage/etcd-store.ts';

describe('apiserver watch', () => {
  let t: TestServer;
  before(async () => {
    // A small window so that "older than the window" is easy to reach.
    t = await startTestServer({ watchCacheSize: 50 });
    await t.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w' } });
  });
  after(async () => t?.stop());

  it('flushes headers at once and sends one JSON event per line', async () => {
    const w = await openWatch(`${t.url}/api/v1/namespaces/w/configmaps?watch=true`);
    assert.equal(w.status, 200);
    await t.req('POST', '/api/v1/namespaces/w/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' } });
    const evs = await w.until((e) => e.length >= 1);
    assert.equal(evs[0].type, 'ADDED');
    assert.equal(evs[0].object.kind, 'ConfigMap');
    assert.equal(evs[0].object.metadata.name, 'first');
    w.close();
  });

  it('a watch from a list RV sees every later change exactly once and in order', async () => {
    const list = await t.req('GET', '/api/v1/namespaces/w/pods');
    const w = await openWatch(`${t.url}/api/v1/namespaces/w/pods?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
    const expected: Array<[string, string, string]> = [];
    // Concurrent writers, each doing create -> update -> delete on its own pod.
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const c = await t.req('POST', '/api/v1/namespaces/w/pods', pod(`p${i}`));
        assert.equal(c.status, 201, c.text);
        expected.push(['ADDED', `p${i}`, c.body.metadata.resourceVersion]);
        const u = await t.req('PATCH', `/api/v1/namespaces/w/pods/p${i}`, { metadata: { labels: { step: 'two' } } }, { 'content-type': 'application/merge-patch+json' });
        assert.equal(u.status, 200, u.text);
        expected.push(['MODIFIED', `p${i}`, u.body.metadata.resourceVersion]);
        const d = await t.req('DELETE', `/api/v1/namespaces/w/pods/p${i}`);
        assert.equal(d.status, 200, d.text);
      }),
    );
    const evs = await w.until((e) => e.length >= 24);
    w.close();
    const got = evs.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion]);
    const rvs = evs.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b), 'events in resourceVersion order');
    assert.equal(new Set(rvs).size, rvs.length, 'no duplicates');
    for (const x of expected) assert.ok(got.some((g) => g[0] === x[0] && g[1] === x[1] && g[2] === x[2]), `missing ${x}`);
    assert.equal(evs.filter((e) => e.type === 'DELETED').length, 8);
    await new Promise((r) => setImmediate(r));
    assert.equal(w.events.length, 24, 'nothing more than the 24 changes');
  });

  it('resourceVersion=0 starts with ADDED for what exists; a label selector turns updates into ADDED/DELETED', async () => {
    await t.req('POST', '/api/v1/namespaces/w/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sel', labels: { app: 'a' } } });
    const w = await openWatch(`${t.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=0&labelSelector=app%3Da`);
    await w.until((e) => e.some((x) => x.object.metadata.name === 'sel'));
    await t.req('PATCH', '/api/v1/namespaces/w/configmaps/sel', { metadata: { labels: { app: 'b' } } }, { 'content-type': 'application/merge-patch+json' });
    await t.req('PATCH', '/api/v1/namespaces/w/configmaps/sel', { metadata: { labels: { app: 'a' } } }, { 'content-type': 'application/merge-patch+json' });
    const evs = await w.until((e) => e.filter((x) => x.object.metadata.name === 'sel').length >= 3);
    w.close();
    assert.deepEqual(evs.filter((x) => x.object.metadata.name === 'sel').map((e) => e.type), ['ADDED', 'DELETED', 'ADDED']);
  });

  it('a watch of one object by name, with bookmarks carrying a resourceVersion', async () => {
    const c = await t.req('POST', '/api/v1/namespaces/w/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } });
    const w = await openWatch(`${t.url}/api/v1/namespaces/w/configmaps/one?watch=true&allowWatchBookmarks=true&resourceVersion=${c.body.metadata.resourceVersion}`);
    await t.req('POST', '/api/v1/namespaces/w/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } });
    await t.req('PATCH', '/api/v1/namespaces/w/configmaps/one', { data: { k: 'v' } }, { 'content-type': 'application/merge-patch+json' });
    const evs = await w.until((e) => e.some((x) => x.type === 'BOOKMARK') && e.some((x) => x.type === 'MODIFIED'), 20_000);
    w.close();
    assert.ok(evs.filter((e) => e.type !== 'BOOKMARK').every((e) => e.object.metadata.name === 'one'));
    const bm = evs.find((e) => e.type === 'BOOKMARK');
    assert.ok(Number(bm.object.metadata.resourceVersion) > 0);
    assert.equal(bm.object.kind, 'ConfigMap');
  });

  it('timeoutSeconds ends the stream', async () => {
    const w = await openWatch(`${t.url}/api/v1/namespaces/w/secrets?watch=true&timeoutSeconds=1`);
    await w.ended;
  });

  it('a watch from a resourceVersion older than the window gets a 410 Expired ERROR event', async () => {
    const first = await t.req('POST', '/api/v1/namespaces/w/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old' } });
    for (let i = 0; i < 60; i++) {
      await t.req('PATCH', '/api/v1/namespaces/w/configmaps/old', { data: { i: String(i) } }, { 'content-type': 'application/merge-patch+json' });
    }
    const w = await openWatch(`${t.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${first.body.metadata.resourceVersion}`);
    const evs = await w.until((e) => e.length >= 1);
    await w.ended;
    assert.equal(evs.length, 1);
    assert.equal(evs[0].type, 'ERROR');
    assert.equal(evs[0].object.kind, 'Status');
    assert.equal(evs[0].object.code, 410);
    assert.equal(evs[0].object.reason, 'Expired');
    assert.match(evs[0].object.message, /^too old resource version: \d+ \(\d+\)$/);
  });

  it('a list continue token older than etcd compaction is 410 Expired', async () => {
    for (let i = 0; i < 3; i++) await t.req('POST', '/api/v1/namespaces/w/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: `s${i}` } });
    const page = await t.req('GET', '/api/v1/namespaces/w/secrets?limit=1');
    assert.ok(page.body.metadata.continue);
    const later = await t.req('POST', '/api/v1/namespaces/w/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'later' } });
    await (t.server.storage as any).client.kv.compact({ revision: Number(later.body.metadata.resourceVersion), physical: true });
    const r = await t.req('GET', `/api/v1/namespaces/w/secrets?limit=1&continue=${encodeURIComponent(page.body.metadata.continue)}`);
    assert.equal(r.status, 410, r.text);
    assert.equal(r.body.reason, 'Expired');
  });

  it('1,000 watchers cost one etcd watch', async () => {
    const cache = t.server.registry.store({ group: '', resource: 'services' })!.cache;
    const ws = await Promise.all(Array.from({ length: 1000 }, () => openWatch(`${t.url}/api/v1/namespaces/w/services?watch=true`)));
    assert.equal(cache.watcherCount, 1000);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(metrics, /apiserver_registered_watchers\{group="",resource="services"\} 1000/);
    await t.req('POST', '/api/v1/namespaces/w/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fan' }, spec: { ports: [{ port: 80 }], selector: { app: 'x' } } });
    await Promise.all(ws.map((w) => w.until((e) => e.length >= 1)));
    // The storage layer has exactly one watch per resource, however many HTTP watchers.
    assert.equal((t.server.storage as EtcdStore).activeWatchCount, t.server.registry.all().length);
    for (const w of ws) w.close();
  });
});
