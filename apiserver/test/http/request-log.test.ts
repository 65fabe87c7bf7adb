// The apiserver process logs one pino JSON line per request at --v=3 and above (upstream's
// httplog at -v=3): verb, URI, response code, latency and User-Agent.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiserver, startEtcd, waitFor, type ApiserverHandle, type EtcdHandle } from '@minik8s/shared/testing';

let etcd: EtcdHandle;
let api: ApiserverHandle;

before(async () => {
  etcd = await startEtcd();
  api = await startApiserver({ etcdServers: etcd.endpoints, args: ['--v=3'] });
});
after(async () => {
  await api?.stop();
  await etcd?.stop();
});

interface RequestLine {
  msg: string;
  verb: string;
  uri: string;
  code: number;
  latencyMs: number;
  userAgent?: string;
}

function requestLines(): RequestLine[] {
  const out: RequestLine[] = [];
  for (const line of api.logs().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const rec = JSON.parse(line);
      if (rec.msg === 'request') out.push(rec);
    } catch {
      // a line cut at the log tail's start
    }
  }
  return out;
}

test('--v=3 logs every request with its verb, URI, code, latency and User-Agent', async () => {
  const headers = { 'content-type': 'application/json', 'user-agent': 'request-log-test/1.0' };
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'logged' } };
  assert.equal((await fetch(`${api.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers, body: JSON.stringify(cm) })).status, 201);
  assert.equal((await fetch(`${api.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers, body: JSON.stringify(cm) })).status, 409);
  assert.equal((await fetch(`${api.url}/api/v1/namespaces/default/configmaps/nope`, { headers })).status, 404);

  const lines = await waitFor(() => {
    const got = requestLines().filter((l) => l.userAgent === 'request-log-test/1.0');
    return got.length >= 3 ? got : undefined;
  }, { timeoutMs: 10_000, message: 'three request log lines' });
  assert.deepEqual(
    lines.map((l) => [l.verb, l.uri, l.code]),
    [
      ['POST', '/api/v1/namespaces/default/configmaps', 201],
      ['POST', '/api/v1/namespaces/default/configmaps', 409],
      ['GET', '/api/v1/namespaces/default/configmaps/nope', 404],
    ],
  );
  for (const l of lines) assert.equal(typeof l.latencyMs, 'number');
});
