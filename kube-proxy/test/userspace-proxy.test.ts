// kube-proxy in userspace mode, as real processes: etcd, kube-apiserver, kube-proxy, and three
// HTTP servers standing in for the pods of a Deployment. The EndpointSlices are written here
// the way the EndpointSlice controller would write them.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RestClient } from '@minik8s/shared';
import { startApiserver, startEtcd, waitFor, type ApiserverHandle, type EtcdHandle } from '@minik8s/shared/testing';
import {
  apiClient,
  endpointSlice,
  freeNodePort,
  getOnce,
  nodePortService,
  podAddress,
  startBackend,
  startKubeProxy,
  tally,
  type Backend,
  type KubeProxyProcess,
} from './support/proxy-env.ts';

const host = podAddress();

describe('kube-proxy userspace mode', { skip: host ? false : 'this host has no non-loopback IPv4 address for the stand-in pods' }, () => {
  let etcd: EtcdHandle;
  let api: ApiserverHandle;
  let client: RestClient;
  let proxy: KubeProxyProcess;
  let pods: Backend[] = [];
  let nodePort: number;
  let url: string;

  const slices = () => pods.map((p, i) => endpointSlice('web', `web-${i}`, p));
  const metric = async (name: string, labels: string) => {
    const line = (await proxy.metrics()).split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  before(async () => {
    etcd = await startEtcd();
    api = await startApiserver({ etcdServers: etcd.endpoints });
    client = apiClient(api.url);
    pods = await Promise.all(['web-a', 'web-b', 'web-c'].map((n) => startBackend(n, host!)));
    proxy = await startKubeProxy(api.url);
    nodePort = await freeNodePort();
    url = `http://127.0.0.1:${nodePort}/`;
  });

  after(async () => {
    await proxy?.stop();
    await client?.close();
    await Promise.all(pods.map((p) => p.close()));
    await api?.stop();
    await etcd?.stop();
  });

  it('spreads 300 requests through the node port evenly over the 3 ready pods', async () => {
    await client.create('services', nodePortService('web', nodePort));
    for (const s of slices()) await client.create('endpointslices.discovery.k8s.io', s);
    await waitFor(async () => (await tally(url, 6)).size === 3, { timeoutMs: 15_000, message: `node port ${nodePort} never reached all 3 pods` });
    const counts = await tally(url, 300);
    assert.deepEqual([...counts.keys()].sort(), ['web-a', 'web-b', 'web-c'], JSON.stringify([...counts]));
    for (const [name, n] of counts) assert.ok(n >= 80 && n <= 120, `${name} got ${n} of 300`);
    assert.ok((await metric('kubeproxy_userspace_connections_total', 'service="default/web:http"')) >= 300);
  });

  it('sends everything to the survivor when the endpoints go down to 1', async () => {
    await client.delete('endpointslices.discovery.k8s.io', 'web-1', { namespace: 'default' });
    await client.delete('endpointslices.discovery.k8s.io', 'web-2', { namespace: 'default' });
    await waitFor(async () => {
      const c = await tally(url, 6);
      return c.size === 1 && c.get('web-a') === 6;
    }, { timeoutMs: 15_000, message: 'traffic never settled on web-a' });
    const counts = await tally(url, 300);
    assert.deepEqual([...counts], [['web-a', 300]]);
  });

  it('sends nothing to a pod that is not ready', async () => {
    await client.create('endpointslices.discovery.k8s.io', endpointSlice('web', 'web-1', pods[1]!, false));
    await client.create('endpointslices.discovery.k8s.io', endpointSlice('web', 'web-2', pods[2]!, true));
    await waitFor(async () => (await tally(url, 6)).has('web-c'), { timeoutMs: 15_000, message: 'web-c never got traffic' });
    const before = pods[1]!.served();
    const counts = await tally(url, 100);
    assert.equal(counts.get('web-b'), undefined, JSON.stringify([...counts]));
    assert.equal(pods[1]!.served(), before, 'the not-ready pod was never connected to');
    assert.ok((counts.get('web-a') ?? 0) >= 35 && (counts.get('web-c') ?? 0) >= 35, JSON.stringify([...counts]));
    // Ready again: it is back in the rotation.
    await client.patch('endpointslices.discovery.k8s.io', 'web-1', { endpoints: [{ addresses: [host], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1' }] }, { namespace: 'default', type: 'merge' });
    await waitFor(async () => (await tally(url, 6)).has('web-b'), { timeoutMs: 15_000, message: 'web-b never came back' });
  });

  it('tries the next endpoint when one refuses the connection', async () => {
    const dead = await startBackend('dead', host!);
    await dead.close(); // its port now refuses connections
    await client.create('endpointslices.discovery.k8s.io', endpointSlice('web', 'web-dead', dead, true));
    const errorsBefore = await metric('kubeproxy_userspace_endpoint_dial_errors_total', 'service="default/web:http"');
    // Once the proxy knows the refusing endpoint, round-robin reaches it within 4 connections.
    await waitFor(
      async () => {
        await tally(url, 4);
        return (await metric('kubeproxy_userspace_endpoint_dial_errors_total', 'service="default/web:http"')) > errorsBefore;
      },
      { timeoutMs: 15_000, message: 'the refusing endpoint was never tried' },
    );
    const counts = await tally(url, 60);
    assert.equal([...counts.keys()].some((k) => k.startsWith('error:')), false, JSON.stringify([...counts]));
    assert.deepEqual([...counts.keys()].sort(), ['web-a', 'web-b', 'web-c']);
    await client.delete('endpointslices.discovery.k8s.io', 'web-dead', { namespace: 'default' });
  });

  it('keeps a client on one pod with sessionAffinity ClientIP', async () => {
    await client.patch('services', 'web', { spec: { sessionAffinity: 'ClientIP' } }, { namespace: 'default', type: 'merge' });
    await waitFor(async () => (await tally(url, 9)).size === 1, { timeoutMs: 15_000, message: 'affinity never took effect' });
    const counts = await tally(url, 60);
    assert.equal(counts.size, 1, JSON.stringify([...counts]));
    assert.match([...counts.keys()][0]!, /^web-[abc]$/);
    await client.patch('services', 'web', { spec: { sessionAffinity: 'None', sessionAffinityConfig: null } }, { namespace: 'default', type: 'merge' });
    await waitFor(async () => (await tally(url, 9)).size === 3, { timeoutMs: 15_000, message: 'round-robin never came back' });
  });

  it('closes connections while no endpoint is ready, and counts them as errors', async () => {
    const before = await metric('kubeproxy_userspace_connection_errors_total', 'reason="no_endpoints"');
    for (const name of ['web-0', 'web-1', 'web-2']) await client.delete('endpointslices.discovery.k8s.io', name, { namespace: 'default' });
    // The port stays open (the Service still exists) but nothing answers on it.
    await waitFor(async () => (await getOnce(url)).error === 'ECONNRESET', { timeoutMs: 15_000, message: 'connections were still forwarded' });
    const counts = await tally(url, 5);
    assert.deepEqual([...counts], [['error:ECONNRESET', 5]]);
    assert.ok((await metric('kubeproxy_userspace_connection_errors_total', 'reason="no_endpoints"')) >= before + 6);
  });

  it('closes the node port when the Service is deleted, and reports itself healthy', async () => {
    const health = await fetch(`http://127.0.0.1:${proxy.healthzPort}/healthz`);
    assert.equal(health.status, 200);
    const body = (await health.json()) as { lastUpdated: string; currentTime: string; nodeEligible: boolean };
    assert.ok(Date.parse(body.lastUpdated) > 0 && Date.parse(body.currentTime) >= Date.parse(body.lastUpdated));
    await client.delete('services', 'web', { namespace: 'default' });
    await waitFor(async () => (await getOnce(url)).error === 'ECONNREFUSED', { timeoutMs: 15_000, message: `node port ${nodePort} still open` });
    assert.equal(await metric('kubeproxy_userspace_listeners', ''), 0);
  });
});
