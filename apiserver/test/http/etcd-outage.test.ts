// etcd goes away mid-watch and comes back: the apiserver reports not-ready, recovers, and its
// watchers either continue with no gap and no duplicate, or are told 410 to relist.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@minik8s/shared/testing';
import { startTestServer, openWatch, type TestServer } from '../support/test-server.ts';

describe('apiserver across an etcd restart', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  it('goes not-ready while etcd is down, recovers, and loses no watch event', async () => {
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
    const before = await t.req('POST', '/api/v1/namespaces/default/configmaps', cm('before'));
    assert.equal(before.status, 201);
    const w = await openWatch(`${t.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${before.body.metadata.resourceVersion}`);
    const during = await t.req('POST', '/api/v1/namespaces/default/configmaps', cm('during'));
    assert.equal(during.status, 201);
    await w.until((e) => e.length >= 1);

    await t.etcd.kill();
    await waitFor(async () => (await fetch(`${t.url}/readyz`)).status === 500, { timeoutMs: 20_000, message: 'readyz should fail while etcd is down' });
    const down = await t.req('POST', '/api/v1/namespaces/default/configmaps', cm('while-down'));
    assert.ok(down.status >= 500, `a write while etcd is down fails with 5xx, got ${down.status}`);
    assert.equal(down.body.kind, 'Status');

    await t.etcd.restart();
    await waitFor(async () => (await fetch(`${t.url}/readyz`)).status === 200, { timeoutMs: 60_000, message: 'readyz should recover once etcd is back' });
    const created: string[] = [];
    for (const name of ['after-1', 'after-2', 'after-3']) {
      const r = await waitFor(async () => {
        const x = await t.req('POST', '/api/v1/namespaces/default/configmaps', cm(name));
        return x.status === 201 || x.status === 409 ? x : undefined;
      }, { timeoutMs: 30_000 });
      if (r.status === 201) created.push(r.body.metadata.resourceVersion);
    }
    const evs = await w.until((e) => e.some((x) => x.type === 'ERROR') || e.some((x) => x.object.metadata.name === 'after-3'), 30_000);
    w.close();
    const data = evs.filter((e) => e.type !== 'ERROR');
    const rvs = data.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b), 'in order');
    assert.equal(new Set(rvs).size, rvs.length, 'no duplicates');
    if (evs.some((e) => e.type === 'ERROR')) {
      assert.equal(evs.at(-1).object.code, 410);
    } else {
      assert.deepEqual(data.map((e) => e.object.metadata.name), ['during', 'after-1', 'after-2', 'after-3']);
    }
  });
});
