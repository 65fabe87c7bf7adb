// The `kubernetes` Service the apiserver keeps (upstream's kubernetesservice controller): there
// on a fresh cluster at 10.96.0.1:443 -> the secure port, back after a delete, its port repaired,
// its Endpoints and EndpointSlice carrying the advertise address once HTTPS is served, two
// apiservers on one etcd agreeing, and kubectl's `get svc` line. Against a real etcd.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { kubectl, startApiserver, startEtcd, waitFor, writeKubeconfig, type EtcdHandle } from '@minik8s/shared/testing';
import { defaultAdvertiseAddress, unusableAdvertiseAddress } from '../../src/controlplane/index.ts';
import { generateSelfSignedCertKey } from '../../src/http/tls/self-signed-cert.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const SVC = '/api/v1/namespaces/default/services/kubernetes';
const EP = '/api/v1/namespaces/default/endpoints/kubernetes';
const SLICE = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes';
const MERGE = { 'content-type': 'application/merge-patch+json' };
const pair = generateSelfSignedCertKey({ host: 'localhost', alternateIPs: ['127.0.0.1'] });

/** A pino logger whose lines land in `lines` (parsed). */
function capturingLogger(lines: any[]) {
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return pino({ level: 'info' }, stream);
}

/** GETs `path` until its answer satisfies `ok`; resolves with that answer's body. */
function getUntil(s: TestServer, path: string, ok: (r: { status: number; body: any }) => boolean, message: string): Promise<any> {
  return waitFor(
    async () => {
      const r = await s.req('GET', path);
      return ok(r) ? r.body : undefined;
    },
    { timeoutMs: 10_000, message },
  );
}

let etcd: EtcdHandle;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

describe('the kubernetes Service', () => {
  let s: TestServer;
  before(async () => {
    // A fresh keyspace (own prefix) and short passes, so repairs show within a second.
    s = await startTestServer({ etcd, etcdPrefix: '/svc-controller', kubernetesServiceIntervalMs: 100 });
  });
  after(async () => {
    await s?.stop();
  });

  it('exists as soon as a fresh apiserver is ready: 10.96.0.1, https 443 -> the secure port, as upstream', async () => {
    const r = await s.req('GET', SVC);
    assert.equal(r.status, 200, r.text);
    const svc = r.body;
    assert.deepEqual(svc.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
    assert.equal(svc.spec.selector, undefined, 'maintained by the apiserver, not by a selector');
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(svc.spec.clusterIP, '10.96.0.1');
    assert.deepEqual(svc.spec.clusterIPs, ['10.96.0.1']);
    assert.equal(svc.spec.sessionAffinity, 'None');
    assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
    // No secure port served in this process: --secure-port's default stands in.
    assert.deepEqual(svc.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
    assert.equal(svc.metadata.managedFields?.[0]?.manager, 'kube-apiserver');
    // Held in the IP range like any Service's IP.
    const snap = await s.server.serviceAllocators.ips.read();
    assert.equal(snap.bitmap.has(0), true);
    // No HTTPS, so nothing to advertise.
    assert.equal((await s.req('GET', EP)).status, 404);
    assert.equal((await s.req('GET', SLICE)).status, 404);
  });

  it('a pass that finds it as it should be writes nothing', async () => {
    const before = (await s.req('GET', SVC)).body.metadata.resourceVersion;
    await s.server.kubernetesService.sync();
    await s.server.kubernetesService.sync();
    assert.equal((await s.req('GET', SVC)).body.metadata.resourceVersion, before);
  });

  it('may be deleted by a user, and comes back on the next pass with the same IP', async () => {
    const old = (await s.req('GET', SVC)).body;
    const del = await s.req('DELETE', SVC);
    assert.equal(del.status, 200, del.text);
    const back = await getUntil(s, SVC, (r) => r.status === 200 && r.body.metadata.uid !== old.metadata.uid, 'the kubernetes Service never came back');
    assert.equal(back.spec.clusterIP, '10.96.0.1');
    assert.deepEqual(back.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
  });

  it('a changed port or type is reset on the next pass; other changes stay', async () => {
    const patched = await s.req('PATCH', SVC, { metadata: { labels: { mine: 'yes' } }, spec: { type: 'NodePort', ports: [{ name: 'https', port: 8443, protocol: 'TCP', targetPort: 9999 }] } }, MERGE);
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.spec.type, 'NodePort');
    const nodePort = patched.body.spec.ports[0].nodePort;
    assert.ok(nodePort >= 30000, JSON.stringify(patched.body.spec.ports));
    const repaired = await getUntil(s, SVC, (r) => r.body.spec.type === 'ClusterIP', 'the kubernetes Service was never repaired');
    assert.deepEqual(repaired.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
    assert.equal(repaired.spec.clusterIP, '10.96.0.1');
    assert.equal(repaired.metadata.labels.mine, 'yes', 'labels are the user\'s');
    // The node port the user's change took was given back by the repair's update.
    const ports = await s.server.serviceAllocators.nodePorts.read();
    assert.equal(ports.bitmap.has(s.server.serviceAllocators.nodePortRange.offsetOf(nodePort)!), false);
  });
});

describe('another --service-cluster-ip-range', () => {
  it('puts the Service on that range\'s first address', async () => {
    const s = await startTestServer({ etcd, etcdPrefix: '/svc-range', serviceClusterIPRange: '172.30.0.0/16' });
    try {
      const svc = (await s.req('GET', SVC)).body;
      assert.deepEqual([svc.spec.clusterIP, svc.spec.clusterIPs], ['172.30.0.1', ['172.30.0.1']]);
      // The next Service gets another address of the range.
      const other = await s.req('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'other' }, spec: { ports: [{ port: 80 }] } });
      assert.equal(other.status, 201, other.text);
      assert.match(other.body.spec.clusterIP, /^172\.30\./);
      assert.notEqual(other.body.spec.clusterIP, '172.30.0.1');
    } finally {
      await s.stop();
    }
  });
});

describe('the kubernetes endpoints', () => {
  it('carry the advertise address and the secure port once HTTPS is served, and follow the Service', async () => {
    const s = await startTestServer({ etcd, etcdPrefix: '/svc-endpoints', advertiseAddress: '10.20.30.40', kubernetesServiceIntervalMs: 100 });
    try {
      assert.equal((await s.req('GET', EP)).status, 404, 'none before the secure port is served');
      const url = await s.server.listenSecure({ host: '127.0.0.1', port: 0, cert: pair.cert, key: pair.key });
      const port = Number(new URL(url).port);
      assert.equal(s.server.advertiseAddress, '10.20.30.40');
      const ep = await getUntil(s, EP, (r) => r.status === 200, 'no kubernetes Endpoints');
      assert.deepEqual(ep.metadata.labels, { 'endpointslice.kubernetes.io/skip-mirror': 'true' });
      assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '10.20.30.40' }], ports: [{ name: 'https', port, protocol: 'TCP' }] }]);
      const slice = await getUntil(s, SLICE, (r) => r.status === 200, 'no kubernetes EndpointSlice');
      assert.deepEqual(slice.metadata.labels, { 'kubernetes.io/service-name': 'kubernetes' });
      assert.equal(slice.addressType, 'IPv4');
      assert.deepEqual(slice.endpoints, [{ addresses: ['10.20.30.40'], conditions: { ready: true } }]);
      assert.deepEqual(slice.ports, [{ name: 'https', port, protocol: 'TCP' }]);
      // The Service now targets the port bound.
      const svc = await getUntil(s, SVC, (r) => r.body.spec.ports[0].targetPort === port, 'the Service never targeted the secure port');
      assert.deepEqual(svc.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }]);

      // Steady state: passes write nothing.
      await s.server.kubernetesService.sync();
      const rvs = [(await s.req('GET', EP)).body.metadata.resourceVersion, (await s.req('GET', SLICE)).body.metadata.resourceVersion];
      await s.server.kubernetesService.sync();
      await s.server.kubernetesService.sync();
      assert.deepEqual([(await s.req('GET', EP)).body.metadata.resourceVersion, (await s.req('GET', SLICE)).body.metadata.resourceVersion], rvs);

      // Someone else's addresses are replaced; deleted objects come back.
      const hijack = await s.req('PUT', EP, { ...ep, metadata: { ...ep.metadata, resourceVersion: undefined }, subsets: [{ addresses: [{ ip: '10.9.9.9' }], ports: [{ name: 'https', port: 1, protocol: 'TCP' }] }] });
      assert.equal(hijack.status, 200, hijack.text);
      assert.equal((await s.req('DELETE', SLICE)).status, 200);
      await waitFor(
        async () => {
          const [e, sl] = await Promise.all([s.req('GET', EP), s.req('GET', SLICE)]);
          return e.body?.subsets?.[0]?.addresses?.[0]?.ip === '10.20.30.40' && sl.status === 200;
        },
        { timeoutMs: 10_000, message: 'the endpoints were never reset' },
      );
    } finally {
      await s.stop();
    }
  });

  it('are not written for a loopback advertise address, and the log says why once', async () => {
    const lines: any[] = [];
    const s = await startTestServer({ etcd, etcdPrefix: '/svc-loopback', advertiseAddress: '127.0.0.1', logger: capturingLogger(lines), kubernetesServiceIntervalMs: 60_000 });
    try {
      await s.server.listenSecure({ host: '127.0.0.1', port: 0, cert: pair.cert, key: pair.key });
      for (let i = 0; i < 3; i++) await s.server.kubernetesService.sync();
      assert.equal((await s.req('GET', EP)).status, 404);
      assert.equal((await s.req('GET', SLICE)).status, 404);
      const why = lines.filter((l) => /not writing the kubernetes endpoints/.test(l.msg)).map((l) => l.msg);
      assert.deepEqual(why, [
        'not writing the kubernetes endpoints: no secure port is served (--secure-port=-1)',
        'not writing the kubernetes endpoints: the advertise address 127.0.0.1 (--advertise-address) cannot be used: it is a loopback address, which Endpoints may not hold',
      ]);
    } finally {
      await s.stop();
    }
  });
});

describe('the advertise address', () => {
  const ifaces = {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [
      { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
      { address: '169.254.1.1', netmask: '255.255.0.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '169.254.1.1/16' },
      { address: '192.0.2.7', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.0.2.7/24' },
    ],
  } as const;

  it('defaults to --bind-address unless unspecified or loopback, else the first non-loopback IPv4 address of the host', () => {
    const all = ifaces as unknown as NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>;
    assert.equal(defaultAdvertiseAddress('10.0.0.5', all), '10.0.0.5');
    assert.equal(defaultAdvertiseAddress('0.0.0.0', all), '192.0.2.7');
    assert.equal(defaultAdvertiseAddress('::', all), '192.0.2.7');
    assert.equal(defaultAdvertiseAddress('127.0.0.1', all), '192.0.2.7');
    assert.equal(defaultAdvertiseAddress('127.0.0.1', { lo: ifaces.lo } as unknown as typeof all), undefined);
  });

  it('must be an IPv4 address Endpoints may hold', () => {
    assert.equal(unusableAdvertiseAddress('192.0.2.7'), undefined);
    assert.match(unusableAdvertiseAddress('127.0.0.1')!, /loopback/);
    assert.match(unusableAdvertiseAddress('0.0.0.0')!, /unspecified/);
    assert.match(unusableAdvertiseAddress('169.254.0.9')!, /link-local/);
    assert.match(unusableAdvertiseAddress('fd00::2')!, /single-stack IPv4/);
  });
});

describe('two apiservers on one etcd', () => {
  it('both ensure the same Service and endpoints without errors: one object each', async () => {
    const opts = { etcd, etcdPrefix: '/svc-pair', advertiseAddress: '10.1.1.1', kubernetesServiceIntervalMs: 60_000 };
    const a = await startTestServer(opts);
    const b = await startTestServer(opts);
    try {
      await Promise.all([a, b].map((t) => t.server.listenSecure({ host: '127.0.0.1', port: 0, cert: pair.cert, key: pair.key })));
      // Make them race: delete everything, then both passes at once, several times.
      for (let round = 0; round < 3; round++) {
        for (const path of [SVC, EP, SLICE]) await a.req('DELETE', path);
        await Promise.all([a.server.kubernetesService.sync(), b.server.kubernetesService.sync()]);
        await Promise.all([a.server.kubernetesService.sync(), b.server.kubernetesService.sync()]);
        const svcs = (await a.req('GET', '/api/v1/namespaces/default/services')).body.items.filter((x: any) => x.metadata.name === 'kubernetes');
        assert.equal(svcs.length, 1);
        assert.equal(svcs[0].spec.clusterIP, '10.96.0.1');
        assert.equal((await a.req('GET', EP)).body.subsets[0].addresses[0].ip, '10.1.1.1');
        assert.equal((await b.req('GET', SLICE)).body.endpoints[0].addresses[0], '10.1.1.1');
      }
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe('kube-apiserver process', () => {
  it('--advertise-address reaches the Endpoints, and kubectl get svc shows the upstream line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'minik8s-kubernetes-svc-'));
    const api = await startApiserver({ etcdServers: etcd.endpoints, secure: true, args: ['--etcd-prefix=/svc-process', '--advertise-address=10.11.12.13'] });
    try {
      const kubeconfig = await writeKubeconfig(api.url, dir);
      const get = await kubectl(['get', 'svc'], { kubeconfig });
      assert.equal(get.code, 0, get.stderr);
      const lines = get.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 2, get.stdout);
      assert.match(lines[0]!, /^NAME {9}TYPE {8}CLUSTER-IP {3}EXTERNAL-IP {3}PORT\(S\) {3}AGE$/);
      assert.match(lines[1]!, /^kubernetes {3}ClusterIP {3}10\.96\.0\.1 {4}<none> {8}443\/TCP {3}\d+s$/);
      const ep = await waitFor(
        async () => {
          const r = await kubectl(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}'], { kubeconfig });
          return r.code === 0 && r.stdout ? r.stdout : undefined;
        },
        { timeoutMs: 15_000, message: 'no kubernetes Endpoints' },
      );
      assert.equal(ep, `10.11.12.13:${api.securePort}`);
      const target = await kubectl(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.ports[0].targetPort}'], { kubeconfig });
      assert.equal(target.stdout, String(api.securePort));
    } finally {
      await api.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an --advertise-address that is not an IP ends the process with the flag named', async () => {
    const { execFile } = await import('node:child_process');
    const { REPO_ROOT } = await import('@minik8s/shared/testing');
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['apiserver/src/main.ts', '--etcd-servers=http://127.0.0.1:1', '--advertise-address=not-an-ip'], { cwd: REPO_ROOT, timeout: 30_000 }, (err, _out, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--advertise-address <ip>' argument 'not-an-ip' is invalid\. failed to parse IP: "not-an-ip"/);
  });
});
