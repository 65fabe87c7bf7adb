// Bad input gets a Status with the right reason and code, and nothing reaches etcd.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, pod, type TestServer } from '../support/test-server.ts';

describe('apiserver bad input', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  async function podCount(): Promise<number> {
    return (await t.req('GET', '/api/v1/namespaces/default/pods')).body.items.length;
  }

  it('malformed JSON is 400 BadRequest', async () => {
    const r = await t.req('POST', '/api/v1/namespaces/default/pods', '{"apiVersion": "v1", "kind": ');
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, 'BadRequest');
    assert.equal(await podCount(), 0);
  });

  it('malformed YAML is 400 BadRequest', async () => {
    const y = await t.req('POST', '/api/v1/namespaces/default/pods', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n', { 'content-type': 'application/yaml' });
    assert.equal(y.status, 400, y.text);
    assert.equal(y.body.kind, 'Status');
    assert.equal(y.body.reason, 'BadRequest');
    assert.equal(await podCount(), 0);
  });

  it('YAML bodies are accepted', async () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-yaml\nspec:\n  containers:\n  - name: c\n    image: busybox\n';
    const r = await t.req('POST', '/api/v1/namespaces/default/pods', yaml, { 'content-type': 'application/yaml' });
    assert.equal(r.status, 201, r.text);
    await t.req('DELETE', '/api/v1/namespaces/default/pods/from-yaml');
  });

  it('a kind or apiVersion that does not fit the URL is 400', async () => {
    const r = await t.req('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } });
    assert.equal(r.status, 400);
    const v = await t.req('POST', '/api/v1/namespaces/default/pods', { ...pod('x'), apiVersion: 'apps/v1' });
    assert.equal(v.status, 400);
    assert.match(v.body.message, /does not match the expected API version/);
    assert.equal(await podCount(), 0);
  });

  it('a namespace in the body that differs from the URL is 400', async () => {
    const p = pod('x');
    (p.metadata as any).namespace = 'kube-system';
    const r = await t.req('POST', '/api/v1/namespaces/default/pods', p);
    assert.equal(r.status, 400);
    assert.equal(r.body.message, 'the namespace of the provided object does not match the namespace sent on the request');
  });

  it('an invalid object is 422 Invalid with causes naming the field', async () => {
    const r = await t.req('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [] } });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.reason, 'Invalid');
    assert.match(r.body.message, /^Pod "Bad_Name" is invalid: /);
    const fields = r.body.details.causes.map((c: any) => c.field);
    assert.ok(fields.includes('metadata.name'), JSON.stringify(r.body.details.causes));
    assert.ok(fields.includes('spec.containers'), JSON.stringify(r.body.details.causes));
    assert.equal(await podCount(), 0);
  });

  it('a changed Deployment selector is refused as immutable', async () => {
    const d = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'imm' },
      spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a', v: '1' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    };
    const c = await t.req('POST', '/apis/apps/v1/namespaces/default/deployments', d);
    assert.equal(c.status, 201, c.text);
    const u = await t.req('PUT', '/apis/apps/v1/namespaces/default/deployments/imm', { ...c.body, spec: { ...c.body.spec, selector: { matchLabels: { app: 'a', v: '1' } } } });
    assert.equal(u.status, 422, u.text);
    assert.ok(u.body.details.causes.some((x: any) => x.field === 'spec.selector' && /field is immutable/.test(x.message)));
  });

  it('a body over 3 MiB is 413', async () => {
    const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { x: 'a'.repeat(3 * 1024 * 1024 + 10) } };
    const r = await t.req('POST', '/api/v1/namespaces/default/configmaps', big);
    assert.equal(r.status, 413);
    assert.equal(r.body.reason, 'RequestEntityTooLarge');
    assert.equal((await t.req('GET', '/api/v1/namespaces/default/configmaps/big')).status, 404);
  });

  it('an unknown content type is 415', async () => {
    const r = await t.req('POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod('x')), { 'content-type': 'text/csv' });
    assert.equal(r.status, 415);
    assert.equal(r.body.reason, 'UnsupportedMediaType');
    const p = await t.req('PATCH', '/api/v1/namespaces/default/pods/x', '{}', { 'content-type': 'application/json' });
    assert.equal(p.status, 415);
  });

  it('creating in a missing namespace is 404; in a terminating one 403; system namespaces cannot be deleted', async () => {
    const r = await t.req('POST', '/api/v1/namespaces/nowhere/pods', pod('x'));
    assert.equal(r.status, 404);
    assert.equal(r.body.message, 'namespaces "nowhere" not found');
    await t.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    const d = await t.req('DELETE', '/api/v1/namespaces/doomed');
    assert.ok(d.status === 200 || d.status === 202, d.text);
    const ns = await t.req('GET', '/api/v1/namespaces/doomed');
    assert.equal(ns.body.status.phase, 'Terminating');
    const c = await t.req('POST', '/api/v1/namespaces/doomed/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } });
    assert.equal(c.status, 403);
    assert.equal(c.body.reason, 'Forbidden');
    assert.match(c.body.message, /unable to create new content in namespace doomed because it is being terminated/);
    const sys = await t.req('DELETE', '/api/v1/namespaces/kube-system');
    assert.equal(sys.status, 403);
    assert.equal(sys.body.message, 'namespaces "kube-system" is forbidden: this namespace may not be deleted');
    // The namespace controller's last step: clearing spec.finalizers removes the namespace.
    const fin = await t.req('PUT', '/api/v1/namespaces/doomed/finalize', { ...ns.body, spec: { finalizers: [] } });
    assert.equal(fin.status, 200, fin.text);
    assert.equal((await t.req('GET', '/api/v1/namespaces/doomed')).status, 404);
  });

  it('an unknown resource or verb is answered with a Status', async () => {
    const r = await t.req('GET', '/api/v1/namespaces/default/widgets');
    assert.equal(r.status, 404);
    assert.equal(r.body.kind, 'Status');
    const m = await t.req('POST', '/api/v1/namespaces/default/pods/x', pod('x'));
    assert.equal(m.status, 405);
    assert.equal(m.body.reason, 'MethodNotAllowed');
  });

  it('health, version and metrics endpoints answer', async () => {
    for (const p of ['/healthz', '/livez', '/readyz']) {
      const r = await fetch(`${t.url}${p}`);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), 'ok');
    }
    const v = await t.req('GET', '/version');
    assert.equal(v.body.major, '1');
    assert.equal(v.body.minor, '32');
    const m = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(m, /apiserver_request_total\{verb="POST",group="",resource="pods",subresource="",code="(400|201)"\} \d+/);
    assert.match(m, /apiserver_request_duration_seconds_bucket/);
  });
});
