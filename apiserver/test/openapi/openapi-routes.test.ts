import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import { registerOpenAPIRoutes } from '../../src/openapi/index.ts';

function app() {
  const a = Fastify();
  registerOpenAPIRoutes(a);
  return a;
}

test('GET /openapi/v3 then the serverRelativeURL it lists, as kubectl does', async () => {
  const a = app();
  const index = await a.inject({ method: 'GET', url: '/openapi/v3?timeout=32s', headers: { accept: 'application/json, */*' } });
  assert.equal(index.statusCode, 200);
  assert.equal(index.headers['content-type'], 'application/json');
  const url: string = index.json().paths['api/v1'].serverRelativeURL;

  const doc = await a.inject({ method: 'GET', url: `${url}&timeout=32s`, headers: { accept: 'application/json' } });
  assert.equal(doc.statusCode, 200);
  assert.equal(doc.headers['content-type'], 'application/json');
  const hash = createHash('sha512').update(doc.rawPayload).digest('hex').toUpperCase();
  assert.equal(url, `/openapi/v3/api/v1?hash=${hash}`, 'the hash is the SHA-512 of the served bytes');
  assert.equal(doc.headers.etag, `"${hash}"`);
  assert.equal(doc.headers['cache-control'], 'public, immutable');
  assert.ok(doc.json().components.schemas['io.k8s.api.core.v1.Pod']);

  const again = await a.inject({ method: 'GET', url, headers: { 'if-none-match': `"${hash}"` } });
  assert.equal(again.statusCode, 304);
  await a.close();
});

test('a stale hash redirects to the current one; without a hash there are no caching headers', async () => {
  const a = app();
  const current = (await a.inject({ method: 'GET', url: '/openapi/v3' })).json().paths['apis/apps/v1'].serverRelativeURL;
  const stale = await a.inject({ method: 'GET', url: '/openapi/v3/apis/apps/v1?hash=0123' });
  assert.equal(stale.statusCode, 301);
  assert.equal(stale.headers.location, current);
  const plain = await a.inject({ method: 'GET', url: '/openapi/v3/apis/apps/v1' });
  assert.equal(plain.statusCode, 200);
  assert.equal(plain.headers['cache-control'], undefined);
  await a.close();
});

test('unknown group-versions are a 404 Status; protobuf-only clients get 406', async () => {
  const a = app();
  const missing = await a.inject({ method: 'GET', url: '/openapi/v3/apis/example.com/v1' });
  assert.equal(missing.statusCode, 404);
  assert.deepEqual(missing.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
  const proto = await a.inject({ method: 'GET', url: '/openapi/v3/api/v1', headers: { accept: 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf' } });
  assert.equal(proto.statusCode, 406);
  assert.equal(proto.json().reason, 'NotAcceptable');
  await a.close();
});

test('GET /openapi/v2 serves the Swagger 2.0 document', async () => {
  const a = app();
  const res = await a.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: 'application/json' } });
  assert.equal(res.statusCode, 200);
  const doc = res.json();
  assert.equal(doc.swagger, '2.0');
  assert.ok(doc.definitions['io.k8s.api.core.v1.Pod']);
  await a.close();
});
