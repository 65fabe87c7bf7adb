// Create / get / list / update / delete over HTTP against a real etcd, as a client sees them.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { startTestServer, pod, type TestServer } from '../support/test-server.ts';

const exec = promisify(execFile);

function putWithoutContentType(url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('apiserver CRUD', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  it('has the system namespaces at start', async () => {
    const r = await t.req('GET', '/api/v1/namespaces');
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'NamespaceList');
    const names = r.body.items.map((n: any) => n.metadata.name).sort();
    for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) assert.ok(names.includes(ns), ns);
    assert.equal(r.body.items[0].status.phase, 'Active');
  });

  it('creates a pod with server-set metadata and defaults, and 409s a duplicate', async () => {
    const r = await t.req('POST', '/api/v1/namespaces/default/pods', pod('web-1'));
    assert.equal(r.status, 201, r.text);
    const m = r.body.metadata;
    assert.match(m.uid, /^[0-9a-f-]{36}$/);
    assert.match(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(m.namespace, 'default');
    assert.equal(m.generation, 1);
    assert.ok(Number(m.resourceVersion) > 0);
    assert.equal(r.body.status.phase, 'Pending');
    assert.equal(r.body.spec.restartPolicy, 'Always');
    const dup = await t.req('POST', '/api/v1/namespaces/default/pods', pod('web-1'));
    assert.equal(dup.status, 409);
    assert.equal(dup.body.kind, 'Status');
    assert.equal(dup.body.reason, 'AlreadyExists');
    assert.equal(dup.body.message, 'pods "web-1" already exists');
    assert.deepEqual(dup.body.details, { name: 'web-1', kind: 'pods' });
  });

  it('generateName makes a unique name', async () => {
    const body = pod('');
    (body.metadata as any) = { generateName: 'gen-' };
    const a = await t.req('POST', '/api/v1/namespaces/default/pods', body);
    const b = await t.req('POST', '/api/v1/namespaces/default/pods', body);
    assert.equal(a.status, 201, a.text);
    assert.match(a.body.metadata.name, /^gen-[a-z0-9]{5}$/);
    assert.notEqual(a.body.metadata.name, b.body.metadata.name);
  });

  it('gets, 404s with the Kubernetes message, and names the group outside core', async () => {
    const r = await t.req('GET', '/api/v1/namespaces/default/pods/web-1');
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'Pod');
    assert.equal(r.body.apiVersion, 'v1');
    const nf = await t.req('GET', '/api/v1/namespaces/default/pods/nope');
    assert.equal(nf.status, 404);
    assert.equal(nf.body.message, 'pods "nope" not found');
    const nfd = await t.req('GET', '/apis/apps/v1/namespaces/default/deployments/nope');
    assert.equal(nfd.body.message, 'deployments.apps "nope" not found');
    assert.equal(nfd.body.details.group, 'apps');
  });

  it('update with a stale resourceVersion is a 409 Conflict; a fresh one succeeds', async () => {
    const cm = await t.req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } });
    assert.equal(cm.status, 201, cm.text);
    const v1 = cm.body;
    const ok = await t.req('PUT', '/api/v1/namespaces/default/configmaps/cfg', { ...v1, data: { a: '2' } });
    assert.equal(ok.status, 200, ok.text);
    assert.notEqual(ok.body.metadata.resourceVersion, v1.metadata.resourceVersion);
    const stale = await t.req('PUT', '/api/v1/namespaces/default/configmaps/cfg', { ...v1, data: { a: '3' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.equal(stale.body.message, 'Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('20 clients doing read-modify-write with 409 retries lose no update', async () => {
    await t.req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'counter' }, data: { n: '0' } });
    let conflicts = 0;
    const client = async () => {
      for (;;) {
        const cur = await t.req('GET', '/api/v1/namespaces/default/configmaps/counter');
        const next = { ...cur.body, data: { n: String(Number(cur.body.data.n) + 1) } };
        const r = await t.req('PUT', '/api/v1/namespaces/default/configmaps/counter', next);
        if (r.status === 200) return;
        assert.equal(r.status, 409, r.text);
        conflicts++;
      }
    };
    await Promise.all(Array.from({ length: 20 }, client));
    const final = await t.req('GET', '/api/v1/namespaces/default/configmaps/counter');
    assert.equal(final.body.data.n, '20');
    assert.ok(conflicts > 0, 'concurrent writers should have met at least one conflict');
  });

  it('main resource ignores status; /status changes only status', async () => {
    const d = await t.req('POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } },
      status: { replicas: 99 },
    });
    assert.equal(d.status, 201, d.text);
    assert.equal(d.body.status, undefined);
    assert.equal(d.body.spec.strategy.type, 'RollingUpdate');
    const st = await t.req('PUT', '/apis/apps/v1/namespaces/default/deployments/web/status', { ...d.body, spec: { ...d.body.spec, replicas: 7 }, status: { replicas: 2, observedGeneration: 1 } });
    assert.equal(st.status, 200, st.text);
    assert.equal(st.body.status.replicas, 2);
    assert.equal(st.body.spec.replicas, 2);
    const upd = await t.req('PUT', '/apis/apps/v1/namespaces/default/deployments/web', { ...st.body, spec: { ...st.body.spec, replicas: 3 }, status: { replicas: 0 } });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.status.replicas, 2);
    assert.equal(upd.body.metadata.generation, 2);
  });

  it('lists with label and field selectors, and pages with limit + continue', async () => {
    for (let i = 0; i < 5; i++) {
      const p = pod(`sel-${i}`);
      (p.metadata as any).labels = { tier: i % 2 ? 'odd' : 'even' };
      assert.equal((await t.req('POST', '/api/v1/namespaces/default/pods', p)).status, 201);
    }
    const odd = await t.req('GET', '/api/v1/namespaces/default/pods?labelSelector=tier%3Dodd');
    assert.deepEqual(odd.body.items.map((p: any) => p.metadata.name).sort(), ['sel-1', 'sel-3']);
    const notIn = await t.req('GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent('tier notin (odd),tier')}`);
    assert.deepEqual(notIn.body.items.map((p: any) => p.metadata.name).sort(), ['sel-0', 'sel-2', 'sel-4']);
    const byName = await t.req('GET', '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dsel-2');
    assert.deepEqual(byName.body.items.map((p: any) => p.metadata.name), ['sel-2']);
    const pending = await t.req('GET', '/api/v1/pods?fieldSelector=status.phase%3DPending,spec.nodeName%3D');
    assert.ok(pending.body.items.length >= 5);
    const bad = await t.req('GET', '/api/v1/pods?fieldSelector=spec.bogus%3Dx');
    assert.equal(bad.status, 400);
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = await t.req('GET', `/api/v1/namespaces/default/pods?labelSelector=tier&limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      assert.equal(r.status, 200, r.text);
      names.push(...r.body.items.map((p: any) => p.metadata.name));
      cont = r.body.metadata.continue ?? '';
      pages++;
    } while (cont);
    assert.deepEqual(names, ['sel-0', 'sel-1', 'sel-2', 'sel-3', 'sel-4']);
    assert.equal(pages, 3);
  });

  it('deletes: immediately for an unscheduled pod, gracefully for a bound one, and honours finalizers', async () => {
    const r = await t.req('DELETE', '/api/v1/namespaces/default/pods/sel-0', { propagationPolicy: 'Background' });
    assert.equal(r.status, 200, r.text);
    assert.equal((await t.req('GET', '/api/v1/namespaces/default/pods/sel-0')).status, 404);

    const bound = pod('bound');
    (bound.spec as any).nodeName = 'node-1';
    await t.req('POST', '/api/v1/namespaces/default/pods', bound);
    const g = await t.req('DELETE', '/api/v1/namespaces/default/pods/bound');
    assert.equal(g.status, 202, g.text);
    assert.ok(g.body.metadata.deletionTimestamp);
    assert.equal(g.body.metadata.deletionGracePeriodSeconds, 30);
    assert.equal((await t.req('GET', '/api/v1/namespaces/default/pods/bound')).status, 200);
    const now = await t.req('DELETE', '/api/v1/namespaces/default/pods/bound', { gracePeriodSeconds: 0 });
    assert.equal(now.status, 200, now.text);
    assert.equal((await t.req('GET', '/api/v1/namespaces/default/pods/bound')).status, 404);

    const fin = await t.req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
    const d = await t.req('DELETE', '/api/v1/namespaces/default/configmaps/fin');
    assert.equal(d.status, 202);
    assert.ok(d.body.metadata.deletionTimestamp);
    const held = await t.req('GET', '/api/v1/namespaces/default/configmaps/fin');
    assert.equal(held.status, 200);
    const released = await t.req('PUT', '/api/v1/namespaces/default/configmaps/fin', { ...held.body, metadata: { ...held.body.metadata, finalizers: [] } });
    assert.equal(released.status, 200, released.text);
    assert.equal((await t.req('GET', '/api/v1/namespaces/default/configmaps/fin')).status, 404);
    void fin;
  });

  it('deletecollection removes what matches only', async () => {
    const r = await t.req('DELETE', '/api/v1/namespaces/default/pods?labelSelector=tier%3Dodd');
    assert.equal(r.status, 200, r.text);
    const left = await t.req('GET', '/api/v1/namespaces/default/pods?labelSelector=tier');
    assert.deepEqual(left.body.items.map((p: any) => p.metadata.name).sort(), ['sel-2', 'sel-4']);
  });

  it('binds a pod once; a second binding is a Conflict', async () => {
    await t.req('POST', '/api/v1/namespaces/default/pods', pod('tobind'));
    const b = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'tobind' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } };
    const first = await t.req('POST', '/api/v1/namespaces/default/pods/tobind/binding', b);
    assert.equal(first.status, 201, first.text);
    const got = await t.req('GET', '/api/v1/namespaces/default/pods/tobind');
    assert.equal(got.body.spec.nodeName, 'node-1');
    assert.equal(got.body.status.conditions.find((c: any) => c.type === 'PodScheduled').status, 'True');
    const second = await t.req('POST', '/api/v1/namespaces/default/pods/tobind/binding', { ...b, target: { kind: 'Node', name: 'node-2' } });
    assert.equal(second.status, 409);
    assert.match(second.body.message, /already assigned to node "node-1"/);
  });

  it('scale subresource reads and writes spec.replicas, also without a Content-Type', async () => {
    const s = await t.req('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale');
    assert.equal(s.status, 200, s.text);
    assert.equal(s.body.kind, 'Scale');
    assert.equal(s.body.apiVersion, 'autoscaling/v1');
    assert.equal(s.body.status.selector, 'app=web');
    // As `kubectl scale --current-replicas` does: a PUT with no Content-Type header at all.
    const put = await putWithoutContentType(`${t.url}/apis/apps/v1/namespaces/default/deployments/web/scale`, JSON.stringify({ ...s.body, spec: { replicas: 5 } }));
    assert.equal(put.status, 200, put.text);
    assert.equal(JSON.parse(put.text).spec.replicas, 5);
    const p = await t.req('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: 4 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.spec.replicas, 4);
    const d = await t.req('GET', '/apis/apps/v1/namespaces/default/deployments/web');
    assert.equal(d.body.spec.replicas, 4);
  });

  it('etcdctl sees the pods under /registry/pods/default', async () => {
    const { stdout } = await exec('etcdctl', ['--endpoints', t.etcd.endpoints.join(','), 'get', '--prefix', '/registry/pods/default', '--keys-only'], { env: { ...process.env, ETCDCTL_API: '3' } });
    const keys = stdout.split('\n').filter(Boolean);
    assert.ok(keys.includes('/registry/pods/default/web-1'), stdout);
  });
});
