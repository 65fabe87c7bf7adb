// Cluster IP and node port allocation, over HTTP against a real etcd.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const SVC = '/api/v1/namespaces/default/services';
const MERGE = { 'content-type': 'application/merge-patch+json' };

function service(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

function inServiceCIDR(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 10 && b! >= 96 && b! <= 111;
}

/** Node ports held in the stored range bitmap. */
async function allocatedNodePorts(s: TestServer): Promise<number[]> {
  const snap = await s.server.serviceAllocators.nodePorts.read();
  const out: number[] = [];
  snap.bitmap.forEach((o) => out.push(s.server.serviceAllocators.nodePortRange.portAt(o)));
  return out;
}

async function allocatedIPs(s: TestServer): Promise<string[]> {
  const snap = await s.server.serviceAllocators.ips.read();
  const out: string[] = [];
  snap.bitmap.forEach((o) => out.push(s.server.serviceAllocators.cidr.ipAt(o)));
  return out;
}

describe('service cluster IPs', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s?.stop();
  });

  it('50 concurrent creates get 50 distinct IPs from the range, never 10.96.0.1', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.req('POST', SVC, service(`many-${i}`))));
    assert.deepEqual(results.map((r) => r.status), Array(50).fill(201), JSON.stringify(results.find((r) => r.status !== 201)?.body));
    const ips = results.map((r) => r.body.spec.clusterIP as string);
    assert.equal(new Set(ips).size, 50);
    for (const r of results) {
      assert.ok(inServiceCIDR(r.body.spec.clusterIP), r.body.spec.clusterIP);
      assert.notEqual(r.body.spec.clusterIP, '10.96.0.1');
      assert.deepEqual(r.body.spec.clusterIPs, [r.body.spec.clusterIP]);
    }
    // What is stored is what was answered, and the bitmap holds exactly those.
    const list = await s.req('GET', SVC);
    const stored = list.body.items.filter((x: any) => x.metadata.name.startsWith('many-')).map((x: any) => x.spec.clusterIP).sort();
    assert.deepEqual(stored, [...ips].sort());
    assert.deepEqual((await allocatedIPs(s)).filter((ip) => ips.includes(ip)).sort(), [...ips].sort());
  });

  it('an explicit IP outside the range is 422 with upstream wording', async () => {
    const r = await s.req('POST', SVC, service('outside', { clusterIP: '10.0.0.1' }));
    assert.equal(r.status, 422);
    assert.equal(r.body.reason, 'Invalid');
    assert.equal(
      r.body.message,
      'Service "outside" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    assert.deepEqual(r.body.details.causes, [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.clusterIPs',
        message: 'Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
      },
    ]);
  });

  it('an explicit IP already taken is 422; deleting its holder frees it', async () => {
    const first = await s.req('POST', SVC, service('holder', { clusterIP: '10.96.0.42' }));
    assert.equal(first.status, 201);
    assert.equal(first.body.spec.clusterIP, '10.96.0.42');
    const second = await s.req('POST', SVC, service('taker', { clusterIP: '10.96.0.42' }));
    assert.equal(second.status, 422);
    assert.equal(
      second.body.message,
      'Service "taker" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.42"}: failed to allocate IP 10.96.0.42: provided IP is already allocated',
    );
    assert.equal((await s.req('DELETE', `${SVC}/holder`)).status, 200);
    assert.equal((await allocatedIPs(s)).includes('10.96.0.42'), false);
    const third = await s.req('POST', SVC, service('taker', { clusterIP: '10.96.0.42' }));
    assert.equal(third.status, 201, JSON.stringify(third.body));
  });

  it('a create that fails after allocating gives the IP back', async () => {
    assert.equal((await s.req('POST', SVC, service('twice', { clusterIP: '10.96.0.50' }))).status, 201);
    // Same name: allocation of 10.96.0.51 succeeds, the write fails with AlreadyExists.
    const dup = await s.req('POST', SVC, service('twice', { clusterIP: '10.96.0.51' }));
    assert.equal(dup.status, 409);
    assert.equal((await allocatedIPs(s)).includes('10.96.0.51'), false);
  });

  it('headless Services stay None and ExternalName ones get no IP', async () => {
    const headless = await s.req('POST', SVC, service('headless', { clusterIP: 'None' }));
    assert.equal(headless.status, 201);
    assert.equal(headless.body.spec.clusterIP, 'None');
    assert.deepEqual(headless.body.spec.clusterIPs, ['None']);
    const ext = await s.req('POST', SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } });
    assert.equal(ext.status, 201);
    assert.equal(ext.body.spec.clusterIP, undefined);
  });

  it('ClusterIP -> ExternalName frees the IP; ExternalName -> ClusterIP allocates one', async () => {
    const created = await s.req('POST', SVC, service('flip', { clusterIP: '10.96.0.77' }));
    assert.equal(created.status, 201);
    const toExt = await s.req('PATCH', `${SVC}/flip`, { spec: { type: 'ExternalName', externalName: 'x.example.com', selector: null } }, MERGE);
    assert.equal(toExt.status, 200, JSON.stringify(toExt.body));
    assert.equal(toExt.body.spec.clusterIP, undefined);
    assert.equal((await allocatedIPs(s)).includes('10.96.0.77'), false);
    const back = await s.req('PATCH', `${SVC}/flip`, { spec: { type: 'ClusterIP', externalName: null } }, MERGE);
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.ok(inServiceCIDR(back.body.spec.clusterIP));
    assert.ok((await allocatedIPs(s)).includes(back.body.spec.clusterIP));
  });

  it('a PUT without clusterIP keeps the allocated one; changing it is refused', async () => {
    const created = await s.req('POST', SVC, service('keep'));
    const ip = created.body.spec.clusterIP;
    const put = await s.req('PUT', `${SVC}/keep`, service('keep', { ports: [{ port: 81 }] }));
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.spec.clusterIP, ip);
    const change = await s.req('PUT', `${SVC}/keep`, service('keep', { clusterIP: '10.96.0.99' }));
    assert.equal(change.status, 422);
    assert.match(change.body.message, /spec\.clusterIPs\[0\]: Invalid value: \[\]string\{"10\.96\.0\.99"\}: may not change once set/);
    assert.equal((await allocatedIPs(s)).includes('10.96.0.99'), false);
  });

  it('dual-stack requests are refused on this IPv4 cluster', async () => {
    const r = await s.req('POST', SVC, service('dual', { ipFamilyPolicy: 'RequireDualStack' }));
    assert.equal(r.status, 422);
    assert.equal(r.body.message, 'Service "dual" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services');
    const v6 = await s.req('POST', SVC, service('v6', { ipFamilies: ['IPv6'] }));
    assert.equal(v6.status, 422);
    assert.equal(v6.body.message, 'Service "v6" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster');
  });
});

describe('service node ports', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ serviceNodePortRange: '30000-30999' });
  });
  after(async () => {
    await s?.stop();
  });

  it('NodePort Services get a node port per port; TCP and UDP of one port number share it', async () => {
    const r = await s.req('POST', SVC, service('np', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'dns-tcp', port: 53 }, { name: 'dns-udp', port: 53, protocol: 'UDP' }] }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const [http, dnsTcp, dnsUdp] = r.body.spec.ports.map((p: any) => p.nodePort);
    for (const p of [http, dnsTcp]) assert.ok(p >= 30000 && p <= 30999, String(p));
    assert.notEqual(http, dnsTcp);
    assert.equal(dnsUdp, dnsTcp);
    assert.ok(inServiceCIDR(r.body.spec.clusterIP));
    const held = await allocatedNodePorts(s);
    assert.ok(held.includes(http) && held.includes(dnsTcp));
  });

  it('an explicit node port taken or out of range is 422 with upstream wording', async () => {
    assert.equal((await s.req('POST', SVC, service('np-a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))).status, 201);
    const taken = await s.req('POST', SVC, service('np-b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    assert.equal(taken.status, 422);
    assert.equal(taken.body.message, 'Service "np-b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    const outside = await s.req('POST', SVC, service('np-c', { type: 'NodePort', ports: [{ port: 80, nodePort: 31500 }] }));
    assert.equal(outside.status, 422);
    assert.equal(
      outside.body.message,
      'Service "np-c" is invalid: spec.ports[0].nodePort: Invalid value: 31500: provided port is not in the valid range. The range of valid ports is 30000-30999',
    );
    // The failed creates left neither their IP nor a port allocated.
    const names = (await s.req('GET', SVC)).body.items.map((x: any) => x.metadata.name);
    assert.deepEqual(names.filter((n: string) => n === 'np-b' || n === 'np-c'), []);
  });

  it('a node port conflict gives back the IP allocated just before', async () => {
    const before = await allocatedIPs(s);
    const r = await s.req('POST', SVC, service('np-d', { type: 'NodePort', clusterIP: '10.96.0.60', ports: [{ port: 80, nodePort: 30080 }] }));
    assert.equal(r.status, 422);
    assert.deepEqual(await allocatedIPs(s), before);
  });

  it('NodePort -> ClusterIP frees the node ports, which another Service can then take', async () => {
    const created = await s.req('POST', SVC, service('np-e', { type: 'NodePort', ports: [{ port: 80, nodePort: 30444 }] }));
    assert.equal(created.status, 201);
    const patched = await s.req('PATCH', `${SVC}/np-e`, { spec: { type: 'ClusterIP' } }, MERGE);
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.spec.ports[0].nodePort, undefined);
    assert.equal(patched.body.spec.externalTrafficPolicy, undefined);
    assert.equal((await allocatedNodePorts(s)).includes(30444), false);
    const other = await s.req('POST', SVC, service('np-f', { type: 'NodePort', ports: [{ port: 80, nodePort: 30444 }] }));
    assert.equal(other.status, 201, JSON.stringify(other.body));
  });

  it('ClusterIP -> NodePort allocates; changing a node port frees the old one', async () => {
    assert.equal((await s.req('POST', SVC, service('np-g'))).status, 201);
    const up = await s.req('PATCH', `${SVC}/np-g`, { spec: { type: 'NodePort' } }, MERGE);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const auto = up.body.spec.ports[0].nodePort;
    assert.ok(auto >= 30000 && auto <= 30999);
    const moved = await s.req('PATCH', `${SVC}/np-g`, { spec: { ports: [{ port: 80, nodePort: 30555 }] } }, MERGE);
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    const held = await allocatedNodePorts(s);
    assert.ok(held.includes(30555));
    assert.equal(held.includes(auto), false);
  });

  it('a LoadBalancer with externalTrafficPolicy Local gets a health check node port, freed on delete', async () => {
    const r = await s.req('POST', SVC, service('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const hc = r.body.spec.healthCheckNodePort;
    const np = r.body.spec.ports[0].nodePort;
    assert.ok(hc >= 30000 && hc <= 30999 && hc !== np);
    assert.ok((await allocatedNodePorts(s)).includes(hc));
    assert.equal((await s.req('DELETE', `${SVC}/lb`)).status, 200);
    const held = await allocatedNodePorts(s);
    assert.equal(held.includes(hc) || held.includes(np), false);
  });

  it('the bitmap holds exactly the node ports the Services hold', async () => {
    const items = (await s.req('GET', SVC)).body.items as any[];
    const held = new Set<number>();
    for (const svc of items) {
      for (const p of svc.spec.ports ?? []) if (p.nodePort) held.add(p.nodePort);
      if (svc.spec.healthCheckNodePort) held.add(svc.spec.healthCheckNodePort);
    }
    assert.deepEqual(await allocatedNodePorts(s), [...held].sort((a, b) => a - b));
  });
});
