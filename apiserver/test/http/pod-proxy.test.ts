// pods/<name>/log and pods/<name>/exec reach the kubelet of the pod's node. A stand-in kubelet
// (plain node:http) records what it is asked and answers as a kubelet would.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl, writeKubeconfig } from '@minik8s/shared/testing';
import { startTestServer, pod, type TestServer } from '../support/test-server.ts';

describe('pod log and exec proxying to the kubelet', () => {
  let t: TestServer;
  let kubelet: http.Server;
  const seen: string[] = [];
  before(async () => {
    t = await startTestServer();
    kubelet = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url?.startsWith('/containerLogs/default/logger/main')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('.\n.\n');
      } else {
        res.writeHead(404).end('container not found');
      }
    });
    kubelet.on('upgrade', (req, socket) => {
      seen.push(`UPGRADE ${req.url}`);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n');
      socket.on('data', (d) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
    });
    await new Promise<void>((r) => kubelet.listen(0, '127.0.0.1', r));
    const port = (kubelet.address() as net.AddressInfo).port;
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } };
    assert.equal((await t.req('POST', '/api/v1/nodes', node)).status, 201);
    const p = pod('logger');
    (p.spec as any).containers = [{ name: 'main', image: 'busybox' }];
    (p.spec as any).nodeName = 'node-1';
    assert.equal((await t.req('POST', '/api/v1/namespaces/default/pods', p)).status, 201);
  });
  after(async () => {
    kubelet?.closeAllConnections();
    kubelet?.close();
    await t?.stop();
  });

  it('kubectl logs streams what the kubelet serves, with the query forwarded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'proxy-'));
    const kubeconfig = await writeKubeconfig(t.url, dir);
    const r = await kubectl(['logs', 'logger', '--tail=10', '--timestamps'], { kubeconfig });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '.\n.\n');
    const url = seen.find((u) => u.startsWith('/containerLogs/default/logger/main'))!;
    assert.match(url, /tailLines=10/);
    assert.match(url, /timestamps=true/);
  });

  it('a pod without a node, or an unknown container, is a clear 400', async () => {
    await t.req('POST', '/api/v1/namespaces/default/pods', pod('floating'));
    const r = await t.req('GET', '/api/v1/namespaces/default/pods/floating/log');
    assert.equal(r.status, 400);
    assert.equal(r.body.message, 'pod floating does not have a host assigned');
    const c = await t.req('GET', '/api/v1/namespaces/default/pods/logger/log?container=nope');
    assert.equal(c.status, 400);
    assert.equal(c.body.message, 'container nope is not valid for pod logger');
  });

  it('an exec upgrade is forwarded to the kubelet and bytes flow both ways', async () => {
    const u = new URL(t.url);
    const sock = net.connect(Number(u.port), u.hostname);
    await new Promise((r) => sock.once('connect', r));
    sock.write('GET /api/v1/namespaces/default/pods/logger/exec?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n');
    let got = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer: ${got}`)), 10_000);
      sock.on('data', (d) => {
        got += d.toString();
        if (got.includes('\r\n\r\n') && !got.includes('echo:')) sock.write('ping');
        if (got.includes('echo:ping')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    sock.destroy();
    assert.match(got, /^HTTP\/1.1 101 /);
    assert.ok(seen.includes('UPGRADE /exec/default/logger/main?command=ls&stdout=true'), JSON.stringify(seen));
  });
});
