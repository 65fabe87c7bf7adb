// kube-proxy in iptables mode against this host's real firewall, as real processes: etcd,
// kube-apiserver, `kube-proxy --proxy-mode=iptables`, and three HTTP servers standing in for
// the pods of a Deployment (on the host's non-loopback address: EndpointSlices refuse
// loopback). The kernel does the forwarding: the test's own requests go out through nat
// OUTPUT -> KUBE-SERVICES -> KUBE-SVC-* -> KUBE-SEP-* (DNAT), exactly as a process on a node.
//
// Runs only as root on Linux with iptables-restore, on a host without kube-proxy chains. It
// leaves the firewall as it found it: `kube-proxy --cleanup` at the end (checked with
// iptables-save), route_localnet put back, and the same again in after() and at process exit
// should a test fail half-way.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RestClient } from '@minik8s/shared';
import { startApiserver, startEtcd, waitFor, type ApiserverHandle, type EtcdHandle } from '@minik8s/shared/testing';
import { serviceExternalChainName, servicePortChainName } from '../src/index.ts';
import {
  firewallSnapshot,
  iptablesSkipReason,
  kubeLines,
  removedLines,
  restoreRouteLocalnet,
  routeLocalnet,
  runCleanup,
  runCleanupSync,
} from './support/iptables-env.ts';
import { apiClient, endpointSlice, freeNodePort, getOnce, nodePortService, podAddress, startBackend, startKubeProxy, tally, type Backend, type KubeProxyProcess } from './support/proxy-env.ts';

const host = podAddress();
const skip = host ? await iptablesSkipReason() : 'this host has no non-loopback IPv4 address for the stand-in pods';
const WEB = { key: 'default/web:http', protocol: 'TCP' };
/** The apiserver's --service-node-port-range here: below the default range and below the kernel's ephemeral ports. */
const NODE_PORTS = { base: 29000, size: 1000 };

describe('kube-proxy iptables mode', { skip: skip ?? false }, () => {
  let firewallBefore: string[];
  let routeLocalnetBefore: number;
  let cleanedUp = false;
  let etcd: EtcdHandle;
  let api: ApiserverHandle;
  let client: RestClient;
  let proxy: KubeProxyProcess | undefined;
  let pods: Backend[] = [];
  let nodePort: number;
  let clusterIP: string;

  const cleanupOnExit = () => {
    if (cleanedUp) return;
    runCleanupSync();
    restoreRouteLocalnet(routeLocalnetBefore);
  };
  const url = (h: string, port: number) => `http://${h}:${port}/`;
  const names = (counts: Map<string, number>) => JSON.stringify([...counts]);

  before(async () => {
    firewallBefore = await firewallSnapshot();
    routeLocalnetBefore = await routeLocalnet();
    process.once('exit', cleanupOnExit);
    etcd = await startEtcd();
    // Node ports outside the default range: the rules match every local address, so a port
    // another test's apiserver hands out (30000-32767) or a server's listen(0) port (32768 and
    // up) must never be one of ours.
    api = await startApiserver({ etcdServers: etcd.endpoints, args: [`--service-node-port-range=${NODE_PORTS.base}-${NODE_PORTS.base + NODE_PORTS.size - 1}`] });
    client = apiClient(api.url);
    pods = await Promise.all(['web-a', 'web-b', 'web-c'].map((n) => startBackend(n, host!)));
    // Later flags win: proxy-env starts userspace mode by default.
    proxy = await startKubeProxy(api.url, ['--proxy-mode=iptables']);
    nodePort = await freeNodePort(new Set(), NODE_PORTS);
  });

  after(async () => {
    await proxy?.stop();
    if (!cleanedUp && firewallBefore) {
      await runCleanup();
      restoreRouteLocalnet(routeLocalnetBefore);
      cleanedUp = true;
    }
    process.off('exit', cleanupOnExit);
    await client?.close();
    await Promise.all(pods.map((p) => p.close()));
    await api?.stop();
    await etcd?.stop();
  });

  it('spreads 300 requests to ClusterIP:port over the 3 ready endpoints', async () => {
    assert.match(proxy!.logs(), /"mode":"iptables"/);
    const svc = await client.create('services', nodePortService('web', nodePort));
    clusterIP = clusterIPOf(svc);
    assert.match(clusterIP, /^10\.\d+\.\d+\.\d+$/);
    for (const [i, p] of pods.entries()) await client.create('endpointslices.discovery.k8s.io', endpointSlice('web', `web-${i}`, p));
    // All three endpoint chains are programmed once the rules DNAT to each pod.
    await waitFor(
      async () => {
        const lines = await kubeLines();
        return pods.every((p) => lines.some((l) => l.endsWith(`-j DNAT --to-destination ${host}:${p.port}`)));
      },
      { timeoutMs: 15_000, message: 'the rules never reached all 3 pods' },
    );
    const counts = await tally(url(clusterIP, 80), 300);
    assert.deepEqual([...counts.keys()].sort(), ['web-a', 'web-b', 'web-c'], names(counts));
    // iptables picks at random (statistic match, 1/3 then 1/2 then the rest): each count is
    // Binomial(300, 1/3), mean 100, sd 8.2. [55, 145] is ±5.5 sd: the chance that a correct
    // proxy puts any of the 3 outside is below 1e-7 (exact binomial tail 3.1e-8 each), while an
    // endpoint left out or favoured several times over still fails.
    for (const [name, n] of counts) assert.ok(n >= 55 && n <= 145, `${name} got ${n} of 300: ${names(counts)}`);
  });

  it('answers the NodePort on 127.0.0.1 (route_localnet, masqueraded) and on the host address', async () => {
    assert.equal(await routeLocalnet(), 1, 'kube-proxy sets route_localnet=1 for localhost node ports');
    for (const h of ['127.0.0.1', host!]) {
      const counts = await tally(url(h, nodePort), 60);
      assert.deepEqual([...counts.keys()].filter((k) => !/^web-[abc]$/.test(k)), [], `${h}:${nodePort}: ${names(counts)}`);
      // 60 requests over 3 endpoints: a given one gets none with probability (2/3)^60 < 1e-10.
      assert.equal(counts.size, 3, `${h}:${nodePort}: ${names(counts)}`);
    }
    // 127.0.0.1 cannot be a source once DNATed to another address: KUBE-EXT marks node port
    // traffic for masquerade, so the pods only ever saw the node's address.
    for (const p of pods) assert.deepEqual([...p.peers()], [host]);
  });

  it('sends nothing to an endpoint that is not ready', async () => {
    const b = pods[1]!;
    await client.patch('endpointslices.discovery.k8s.io', 'web-1', { endpoints: [{ addresses: [host], conditions: { ready: false, serving: false, terminating: false }, nodeName: 'node-1' }] }, { namespace: 'default', type: 'merge' });
    await waitFor(async () => !(await natHas(`--to-destination ${host}:${b.port}`)), { timeoutMs: 15_000, message: 'the not-ready endpoint kept its rules' });
    const servedBefore = b.served();
    const counts = await tally(url(clusterIP, 80), 150);
    assert.equal(counts.get('web-b'), undefined, names(counts));
    assert.equal(b.served(), servedBefore, 'the not-ready pod was never connected to');
    // Binomial(150, 1/2) below 40 is 5.7 sd away: under 1e-8.
    assert.ok((counts.get('web-a') ?? 0) >= 40 && (counts.get('web-c') ?? 0) >= 40, names(counts));
  });

  it('keeps a client on one endpoint with sessionAffinity ClientIP', async () => {
    await client.patch('services', 'web', { spec: { sessionAffinity: 'ClientIP' } }, { namespace: 'default', type: 'merge' });
    await waitFor(async () => natHas('--rcheck --seconds 10800 --reap'), { timeoutMs: 15_000, message: 'the affinity rules never appeared' });
    const counts = await tally(url(clusterIP, 80), 60);
    assert.equal(counts.size, 1, names(counts));
    assert.match([...counts.keys()][0]!, /^web-[ac]$/);
    await client.patch('services', 'web', { spec: { sessionAffinity: 'None', sessionAffinityConfig: null } }, { namespace: 'default', type: 'merge' });
    await waitFor(async () => !(await natHas('--rcheck')), { timeoutMs: 15_000, message: 'the affinity rules stayed' });
  });

  it('rejects connections to a service without endpoints', async () => {
    const svc = await client.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty', namespace: 'default' }, spec: { selector: { app: 'empty' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
    const ip = clusterIPOf(svc);
    // Without the REJECT the SYN would leave for the default gateway and time out instead.
    await waitFor(async () => (await getOnce(url(ip, 80))).error === 'ECONNREFUSED', { timeoutMs: 15_000, message: `${ip}:80 was never rejected` });
    const saved = (await firewallSnapshot()).join('\n');
    assert.match(saved, new RegExp(`-A KUBE-SERVICES -d ${ip.replace(/\./g, '\\.')}/32 .*"default/empty:http has no endpoints".* -j REJECT`));
    await client.delete('services', 'empty', { namespace: 'default' });
    await waitFor(async () => !(await kubeLines()).some((l) => l.includes('default/empty')), { timeoutMs: 15_000, message: 'the REJECT rule stayed' });
  });

  it('removes a deleted service\'s chains on the next sync', async () => {
    const chains = [servicePortChainName(WEB), serviceExternalChainName(WEB)];
    const endpointChains = (await kubeLines()).filter((l) => l.startsWith('-A KUBE-SEP-') && l.includes('default/web:http')).map((l) => l.split(' ')[1]!);
    assert.equal(new Set(endpointChains).size, 2, 'one KUBE-SEP chain per ready endpoint');
    for (const c of [...chains, ...endpointChains]) assert.ok(await hasChain(c), `${c} exists`);
    await client.delete('services', 'web', { namespace: 'default' });
    await waitFor(async () => !(await kubeLines()).some((l) => l.includes('default/web')), { timeoutMs: 15_000, message: 'rules of default/web stayed' });
    for (const c of [...chains, ...endpointChains]) assert.equal(await hasChain(c), false, `${c} was deleted`);
    // Nothing listens on the node port: with its rule gone, the port is closed.
    assert.equal((await getOnce(url('127.0.0.1', nodePort))).error, 'ECONNREFUSED');
  });

  it('--cleanup removes every KUBE-* chain and jump and nothing else', async () => {
    assert.ok((await kubeLines()).some((l) => /^-A (PREROUTING|OUTPUT|INPUT|FORWARD|POSTROUTING) .*-j KUBE-/.test(l)), 'the jumps exist before');
    await proxy!.stop(); // else it would program everything again at its next sync
    proxy = undefined;
    assert.ok((await kubeLines()).some((l) => l.startsWith(':KUBE-SERVICES ')), 'a stopped kube-proxy leaves its rules in place (as upstream)');
    const first = await runCleanup();
    assert.equal(first.code, 0, first.output);
    assert.deepEqual(await kubeLines(), []);
    // Idempotent: nothing left to remove is no error.
    const second = await runCleanup();
    assert.equal(second.code, 0, second.output);
    restoreRouteLocalnet(routeLocalnetBefore);
    cleanedUp = true;
    assert.deepEqual(removedLines(firewallBefore, await firewallSnapshot()), [], 'every rule and chain that was there before is still there (Docker\'s included)');
    assert.equal(await routeLocalnet(), routeLocalnetBefore);
  });
});

function clusterIPOf(svc: object): string {
  return (svc as { spec?: { clusterIP?: string } }).spec?.clusterIP ?? '';
}

async function natHas(text: string): Promise<boolean> {
  return (await kubeLines()).some((l) => l.includes(text));
}

async function hasChain(chain: string): Promise<boolean> {
  return (await kubeLines()).some((l) => l.startsWith(`:${chain} `));
}
