// The secure port of the real apiserver process (on a real etcd): HTTPS with the generated
// self-signed pair, the real kubectl with certificate-authority-data (create, get, watch),
// pods/exec upgrades, the pair reused across a restart, --tls-cert-file served, clear errors
// for bad TLS flags, and a clean SIGTERM with HTTPS watches open.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { REPO_ROOT, kubectl, startApiserver, startEtcd, waitFor, writeKubeconfig, type ApiserverHandle, type EtcdHandle } from '@minik8s/shared/testing';
import { generateSelfSignedCertKey } from '../../src/http/tls/self-signed-cert.ts';
import { startTestServer } from '../support/test-server.ts';

const kubectlBin = process.env.KUBECTL ?? '/usr/bin/kubectl';

interface HttpsAnswer {
  status: number;
  text: string;
}

/** One HTTPS request to `url` trusting only `ca` (none: the system's CAs). */
function httpsRequest(url: string, opts: { ca?: string; method?: string; body?: unknown; servername?: string } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = https.request(
      url,
      {
        method: opts.method ?? 'GET',
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(opts.servername ? { servername: opts.servername } : {}),
        headers: body ? { 'content-type': 'application/json' } : {},
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** SHA-256 fingerprint of the certificate the server at 127.0.0.1:port presents. */
async function servedFingerprint(port: number): Promise<string> {
  const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  const fingerprint = socket.getPeerX509Certificate()!.fingerprint256;
  socket.destroy();
  return fingerprint;
}

const firstCertificate = (pem: string) => new X509Certificate(pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)![0]);

/** `kubectl ...args` in the background, its stdout collected as it comes. */
function spawnKubectl(kubeconfig: string, args: string[]) {
  const child = spawn(kubectlBin, [`--kubeconfig=${kubeconfig}`, `--cache-dir=${kubeconfig}-cache`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = once(child, 'close');
  return {
    output: () => ({ stdout, stderr, running: child.exitCode === null && child.signalCode === null }),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await closed;
    },
  };
}

let etcd: EtcdHandle;
let dir: string;
before(async () => {
  etcd = await startEtcd();
  dir = await mkdtemp(join(tmpdir(), 'minik8s-secure-port-'));
});
after(async () => {
  await etcd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the secure port with a generated self-signed certificate', () => {
  let api: ApiserverHandle;
  let kubeconfig: string;
  before(async () => {
    api = await startApiserver({ etcdServers: etcd.endpoints, secure: true, certDir: join(dir, 'pki') });
    kubeconfig = await writeKubeconfig(api.secureUrl!, join(dir, 'kubectl'), { caPem: api.caPem! });
  });
  after(async () => {
    await api?.stop();
  });

  it('serves the API over HTTPS to a client that trusts the CA, by IP and by name', async () => {
    assert.ok(api.secureUrl && api.securePort && api.secureUrl === `https://127.0.0.1:${api.securePort}`);
    const version = await httpsRequest(`${api.secureUrl}/version`, { ca: api.caPem });
    assert.equal(version.status, 200);
    assert.equal(JSON.parse(version.text).major, '1');
    const byName = await httpsRequest(`https://localhost:${api.securePort}/readyz`, { ca: api.caPem });
    assert.deepEqual(byName, { status: 200, text: 'ok' });
    const inCluster = await httpsRequest(`${api.secureUrl}/readyz`, { ca: api.caPem, servername: 'kubernetes.default.svc' });
    assert.equal(inCluster.status, 200);
    // The plain port is still there.
    assert.equal((await fetch(`${api.url}/readyz`)).status, 200);
  });

  it('is refused by a client without the CA, and for a name the certificate does not list', async () => {
    await assert.rejects(httpsRequest(`${api.secureUrl}/version`), (err: NodeJS.ErrnoException) => err.code === 'SELF_SIGNED_CERT_IN_CHAIN');
    await assert.rejects(httpsRequest(`${api.secureUrl}/version`, { ca: api.caPem, servername: 'example.com' }), (err: NodeJS.ErrnoException) => err.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('keeps the pair in --cert-dir: apiserver.crt ends with the CA the handle reports', async () => {
    const crt = await readFile(join(api.certDir!, 'apiserver.crt'), 'utf8');
    assert.ok(crt.endsWith(api.caPem!));
    assert.ok(existsSync(join(api.certDir!, 'apiserver.key')));
    assert.equal(firstCertificate(crt).fingerprint256, await servedFingerprint(api.securePort!));
  });

  it('answers errors as Status objects over HTTPS too', async () => {
    const missing = await httpsRequest(`${api.secureUrl}/api/v1/namespaces/default/configmaps/nope`, { ca: api.caPem });
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.text).reason, 'NotFound');
  });

  it('works with the real kubectl and certificate-authority-data: create, get, get -w', { skip: existsSync(kubectlBin) ? false : `no kubectl at ${kubectlBin}` }, async () => {
    const created = await kubectl(['create', '-f', '-'], {
      kubeconfig,
      input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'over-tls' }, data: { a: 'b' } }),
    });
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'configmap/over-tls created');
    const got = await kubectl(['get', 'configmap', 'over-tls', '-o', 'jsonpath={.data.a}'], { kubeconfig });
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout, 'b');

    const watch = spawnKubectl(kubeconfig, ['get', 'configmaps', '-w', '-o', 'name']);
    const lines = () => watch.output().stdout.split('\n');
    try {
      await waitFor(() => watch.output().stdout.includes('configmap/over-tls'), { timeoutMs: 20_000, message: 'the watch never listed over-tls' });
      const second = await kubectl(['create', 'configmap', 'second-over-tls', '--from-literal=x=y'], { kubeconfig });
      assert.equal(second.code, 0, second.stderr);
      // The list's line first, then the watch event of the configmap created after it.
      await waitFor(() => lines().includes('configmap/second-over-tls'), { timeoutMs: 20_000, message: 'the watch never showed second-over-tls' });
      assert.equal(lines()[0], 'configmap/over-tls', JSON.stringify(watch.output()));
      assert.equal(watch.output().running, true, 'the watch stays open');
    } finally {
      await watch.kill();
    }
  });

  it('is refused by kubectl trusting another CA', { skip: existsSync(kubectlBin) ? false : `no kubectl at ${kubectlBin}` }, async () => {
    const other = await writeKubeconfig(api.secureUrl!, join(dir, 'other-ca'), { caPem: generateSelfSignedCertKey({ host: 'localhost' }).ca });
    const r = await kubectl(['get', 'configmaps'], { kubeconfig: other });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /certificate signed by unknown authority/);
  });

  it('proxies a pods/exec upgrade to the kubelet over HTTPS', async () => {
    const kubelet = http.createServer((_req, res) => res.writeHead(404).end());
    const asked: string[] = [];
    kubelet.on('upgrade', (req, socket) => {
      asked.push(req.url ?? '');
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.on('data', (d) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
    });
    kubelet.listen(0, '127.0.0.1');
    await once(kubelet, 'listening');
    try {
      const port = (kubelet.address() as AddressInfo).port;
      const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'tls-node' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } };
      assert.equal((await httpsRequest(`${api.secureUrl}/api/v1/nodes`, { ca: api.caPem, method: 'POST', body: node })).status, 201);
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'tls-pod' }, spec: { nodeName: 'tls-node', containers: [{ name: 'main', image: 'busybox' }] } };
      assert.equal((await httpsRequest(`${api.secureUrl}/api/v1/namespaces/default/pods`, { ca: api.caPem, method: 'POST', body: pod })).status, 201);

      const socket = tls.connect({ host: '127.0.0.1', port: api.securePort!, ca: api.caPem });
      await once(socket, 'secureConnect');
      socket.write(
        'GET /api/v1/namespaces/default/pods/tls-pod/exec?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      let got = '';
      socket.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.includes('\r\n\r\n') && !got.includes('ping-sent')) {
          got += 'ping-sent';
          socket.write('ping');
        }
      });
      try {
        await waitFor(() => got.includes('echo:ping'), { timeoutMs: 10_000, message: 'no echo through the exec proxy' });
      } finally {
        socket.destroy();
      }
      assert.match(got, /^HTTP\/1.1 101 /);
      assert.deepEqual(asked, ['/exec/default/tls-pod/main?command=ls&stdout=true']);
    } finally {
      kubelet.closeAllConnections();
      kubelet.close();
    }
  });

  it('reuses the pair in --cert-dir after a restart', async () => {
    const before = await servedFingerprint(api.securePort!);
    const crt = await readFile(join(api.certDir!, 'apiserver.crt'), 'utf8');
    const caPem = api.caPem;
    await api.restart();
    assert.equal(await servedFingerprint(api.securePort!), before);
    assert.equal(await readFile(join(api.certDir!, 'apiserver.crt'), 'utf8'), crt);
    assert.equal(api.caPem, caPem);
    assert.match(api.logs(), /"source":"cert-dir-reused"/);
  });

  it('stops cleanly on SIGTERM with an HTTPS watch open', async () => {
    const watch = https.get(`${api.secureUrl}/api/v1/namespaces/default/configmaps?watch=true`, { ca: api.caPem, agent: false });
    const [res] = (await once(watch, 'response')) as [http.IncomingMessage];
    assert.equal(res.statusCode, 200);
    res.resume();
    watch.on('error', () => {}); // the server ends it
    const child = api.process;
    await api.stop();
    assert.equal(child.exitCode, 0, api.logs().slice(-2000));
  });
});

describe('the secure port with --tls-cert-file and --tls-private-key-file', () => {
  let api: ApiserverHandle;
  const own = generateSelfSignedCertKey({ host: 'minik8s-test.example', alternateIPs: ['127.0.0.1'] });
  let certFile: string;
  let keyFile: string;
  before(async () => {
    certFile = join(dir, 'own.crt');
    keyFile = join(dir, 'own.key');
    await writeFile(certFile, own.cert);
    await writeFile(keyFile, own.key);
    api = await startApiserver({ etcdServers: etcd.endpoints, secure: true, args: [`--tls-cert-file=${certFile}`, `--tls-private-key-file=${keyFile}`] });
  });
  after(async () => {
    await api?.stop();
  });

  it('serves that certificate, and generates nothing', async () => {
    assert.equal(await servedFingerprint(api.securePort!), firstCertificate(own.cert).fingerprint256);
    const r = await httpsRequest(`${api.secureUrl}/version`, { ca: own.ca });
    assert.equal(r.status, 200);
    assert.equal(api.caPem, undefined);
    assert.equal(existsSync(join(api.certDir!, 'apiserver.crt')), false);
  });
});

describe('ApiServer.listenSecure in process', () => {
  it('serves the app beside its plain listener, and stop() closes the secure port with an HTTPS watch open', async () => {
    const t = await startTestServer({ etcd });
    const pair = generateSelfSignedCertKey({ host: 'localhost', alternateIPs: ['127.0.0.1'] });
    const url = await t.server.listenSecure({ host: '127.0.0.1', port: 0, cert: pair.cert, key: pair.key });
    const port = Number(new URL(url).port);
    assert.equal(url, `https://127.0.0.1:${port}`);
    assert.equal((await httpsRequest(`${url}/readyz`, { ca: pair.ca })).status, 200);
    await assert.rejects(t.server.listenSecure({ host: '127.0.0.1', port: 0, cert: pair.cert, key: pair.key }), /already served/);

    const watch = https.get(`${url}/api/v1/namespaces/default/configmaps?watch=true`, { ca: pair.ca, agent: false });
    const [res] = (await once(watch, 'response')) as [http.IncomingMessage];
    assert.equal(res.statusCode, 200);
    res.resume();
    watch.on('error', () => {});
    await t.stop();
    await assert.rejects(httpsRequest(`${url}/readyz`, { ca: pair.ca }), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
  });
});

describe('bad secure-port flags end the process with a clear error', () => {
  /** Runs main.ts with `args` and resolves with its exit code and output (it must not get as far as serving). */
  function runMain(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['apiserver/src/main.ts', `--etcd-servers=${etcd.endpoints.join(',')}`, '--insecure-port=0', '--secure-port=0', '--bind-address=127.0.0.1', ...args],
        { cwd: REPO_ROOT, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });
  }

  it('a --tls-cert-file that does not exist: exit 1, the flag, the path and the reason, no stack trace', async () => {
    const missing = join(dir, 'missing.crt');
    const r = await runMain([`--tls-cert-file=${missing}`, `--tls-private-key-file=${join(dir, 'missing.key')}`]);
    assert.equal(r.code, 1, `${r.stdout}${r.stderr}`);
    assert.equal(r.stderr, `Error: --tls-cert-file=${missing}: cannot read it: ENOENT: no such file or directory, open '${missing}'\n`);
    assert.doesNotMatch(r.stdout, /listening/);
  });

  it('a key that does not belong to the certificate', async () => {
    const a = generateSelfSignedCertKey({ host: 'a' });
    const b = generateSelfSignedCertKey({ host: 'b' });
    await writeFile(join(dir, 'a.crt'), a.cert);
    await writeFile(join(dir, 'b.key'), b.key);
    const r = await runMain([`--tls-cert-file=${join(dir, 'a.crt')}`, `--tls-private-key-file=${join(dir, 'b.key')}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: --tls-cert-file=.* with --tls-private-key-file=.*: the private key does not match the certificate\n$/);
  });

  it('a --secure-port out of range', async () => {
    const r = await runMain(['--secure-port=70000']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /option '--secure-port <port>' argument '70000' is invalid\. must be -1 \(off\), 0 \(a free port\) or a port up to 65535/);
  });

  it('a --secure-port that is taken (EADDRINUSE named)', async () => {
    const taken = http.createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const r = await runMain([`--secure-port=${(taken.address() as AddressInfo).port}`, `--cert-dir=${join(dir, 'taken-pki')}`]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^Error: cannot serve HTTPS on --bind-address=127\.0\.0\.1 --secure-port=\d+: listen EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});

describe('--secure-port=-1', () => {
  it('turns HTTPS off (the harness default): nothing generated, no secure URL', async () => {
    const api = await startApiserver({ etcdServers: etcd.endpoints, args: [`--cert-dir=${join(dir, 'never')}`] });
    try {
      assert.equal(api.secureUrl, undefined);
      assert.match(api.logs(), /--secure-port=-1/);
      assert.doesNotMatch(api.logs(), /listening securely/);
      assert.equal(existsSync(join(dir, 'never')), false);
    } finally {
      await api.stop();
    }
  });
});
