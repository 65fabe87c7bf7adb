import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { buildIptablesRules, buildProxyState, jumpRules, servicePortChainName, servicePortEndpointChainName } from '../../src/index.ts';

function svc(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns1' }, spec: { type: 'ClusterIP', clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }], ...spec } };
}

function slice(service: string, ips: Array<[string, boolean?, string?]>, port = 80): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-x`, namespace: 'ns1', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: ips.map(([ip, ready = true, nodeName]) => ({ addresses: [ip], conditions: { ready }, ...(nodeName ? { nodeName } : {}) })),
    ports: [{ name: 'p80', port, protocol: 'TCP' }],
  } as KubeObject;
}

test('chain names hash the service port name and protocol as upstream', () => {
  // The values upstream's iptables proxier tests use for ns1/svc1:p80 and endpoint 10.180.0.1:80.
  const sp = { key: 'ns1/svc1:p80', protocol: 'TCP' };
  assert.equal(servicePortChainName(sp), 'KUBE-SVC-XPGD46QRK7WJZT7O');
  assert.equal(servicePortEndpointChainName(sp, { ip: '10.180.0.1', port: 80 }), 'KUBE-SEP-SXIVWICOYRO3J4NJ');
});

test('a cluster IP service: KUBE-SERVICES -> KUBE-SVC -> KUBE-SEP with 1/(n-i) probabilities', () => {
  const state = buildProxyState([svc('svc1', {})], [slice('svc1', [['10.180.0.1'], ['10.180.0.2'], ['10.180.0.3']])], 'node-1');
  const { restore, chains } = buildIptablesRules(state);
  const lines = restore.split('\n');
  assert.ok(lines.includes('-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41/32 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O'));
  const svcRules = lines.filter((l) => l.startsWith('-A KUBE-SVC-XPGD46QRK7WJZT7O '));
  assert.equal(svcRules.length, 3);
  assert.match(svcRules[0]!, /-m statistic --mode random --probability 0\.3333333333 -j KUBE-SEP-/);
  assert.match(svcRules[1]!, /-m statistic --mode random --probability 0\.5000000000 -j KUBE-SEP-/);
  assert.doesNotMatch(svcRules[2]!, /statistic/);
  assert.ok(lines.includes('-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80'));
  assert.ok(lines.includes('-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1/32 -j KUBE-MARK-MASQ'));
  assert.equal(chains.nat.filter((c) => c.startsWith('KUBE-SEP-')).length, 3);
  // Every chain used is declared, and both tables are committed.
  for (const target of restore.matchAll(/-j (KUBE-[A-Z0-9-]+)/g)) {
    assert.ok(restore.includes(`:${target[1]} - [0:0]`), `${target[1]} is not declared`);
  }
  assert.equal(restore.match(/^COMMIT$/gm)?.length, 2);
  // The node port jump stays the last rule of KUBE-SERVICES.
  const services = lines.filter((l) => l.startsWith('-A KUBE-SERVICES '));
  assert.match(services[services.length - 1]!, /--dst-type LOCAL -j KUBE-NODEPORTS$/);
});

test('not-ready endpoints are left out; without any, the service port is rejected in filter', () => {
  const state = buildProxyState([svc('svc1', {})], [slice('svc1', [['10.180.0.1', false], ['10.180.0.2']])], 'node-1');
  const { restore } = buildIptablesRules(state);
  assert.ok(restore.includes('--to-destination 10.180.0.2:80'));
  assert.ok(!restore.includes('--to-destination 10.180.0.1:80'));
  const none = buildIptablesRules(buildProxyState([svc('svc1', {})], [slice('svc1', [['10.180.0.1', false]])], 'node-1')).restore;
  assert.ok(none.includes('-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.41/32 --dport 80 -j REJECT'));
  assert.ok(!none.includes('KUBE-SVC-XPGD46QRK7WJZT7O'));
});

test('node ports go through KUBE-NODEPORTS and KUBE-EXT; Local policy uses this node\'s endpoints only', () => {
  const cluster = buildIptablesRules(buildProxyState([svc('svc1', { type: 'NodePort', ports: [{ name: 'p80', port: 80, nodePort: 30080, protocol: 'TCP' }] })], [slice('svc1', [['10.180.0.1']])], 'node-1')).restore;
  assert.match(cluster, /-A KUBE-NODEPORTS -m comment --comment ns1\/svc1:p80 -m tcp -p tcp --dport 30080 -j KUBE-EXT-XPGD46QRK7WJZT7O/);
  assert.match(cluster, /-A KUBE-EXT-XPGD46QRK7WJZT7O -m comment --comment "masquerade traffic for ns1\/svc1:p80 external destinations" -j KUBE-MARK-MASQ/);
  assert.match(cluster, /-A KUBE-EXT-XPGD46QRK7WJZT7O -j KUBE-SVC-XPGD46QRK7WJZT7O/);
  const local = buildIptablesRules(
    buildProxyState(
      [svc('svc1', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'p80', port: 80, nodePort: 30080, protocol: 'TCP' }] })],
      [slice('svc1', [['10.180.0.1', true, 'node-1'], ['10.180.0.2', true, 'node-2']])],
      'node-1',
    ),
  ).restore;
  const svl = local.split('\n').filter((l) => l.startsWith('-A KUBE-SVL-XPGD46QRK7WJZT7O '));
  assert.equal(svl.length, 1);
  assert.match(svl[0]!, /10\.180\.0\.1:80/);
  assert.match(local, /-A KUBE-EXT-XPGD46QRK7WJZT7O -j KUBE-SVL-XPGD46QRK7WJZT7O/);
});

test('ClientIP affinity adds recent matches; stale chains of an earlier sync are deleted', () => {
  const state = buildProxyState([svc('svc1', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } })], [slice('svc1', [['10.180.0.1']])], 'node-1');
  const { restore } = buildIptablesRules(state, { existingChains: { nat: ['KUBE-SERVICES', 'KUBE-SVC-OLDOLDOLDOLDOLD1', 'KUBE-SEP-SXIVWICOYRO3J4NJ'] } });
  assert.ok(restore.includes('-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m recent --name KUBE-SEP-SXIVWICOYRO3J4NJ --rcheck --seconds 60 --reap -j KUBE-SEP-SXIVWICOYRO3J4NJ'));
  assert.ok(restore.includes('-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m recent --name KUBE-SEP-SXIVWICOYRO3J4NJ --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80'));
  assert.ok(restore.includes('-X KUBE-SVC-OLDOLDOLDOLDOLD1'));
  assert.ok(!restore.includes('-X KUBE-SEP-SXIVWICOYRO3J4NJ'));
});

test('localhost node ports (the default): KUBE-FIREWALL guards 127.0.0.0/8; turned off, KUBE-NODEPORTS skips it', () => {
  const state = buildProxyState([svc('svc1', { type: 'NodePort', ports: [{ name: 'p80', port: 80, nodePort: 30080, protocol: 'TCP' }] })], [slice('svc1', [['10.180.0.1']])], 'node-1');
  const on = buildIptablesRules(state);
  assert.ok(on.chains.filter.includes('KUBE-FIREWALL'));
  assert.ok(on.restore.includes('-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP'));
  assert.match(on.restore, /--dst-type LOCAL -j KUBE-NODEPORTS\n/);
  assert.deepEqual(jumpRules().filter(([, , args]) => args.at(-1) === 'KUBE-FIREWALL').map(([t, c]) => `${t}/${c}`), ['filter/INPUT', 'filter/OUTPUT']);
  const off = buildIptablesRules(state, { localhostNodePorts: false });
  assert.ok(!off.restore.includes('KUBE-FIREWALL'));
  assert.match(off.restore, /--dst-type LOCAL ! -d 127\.0\.0\.0\/8 -j KUBE-NODEPORTS\n/);
  assert.equal(jumpRules({ localhostNodePorts: false }).filter(([, , args]) => args.at(-1) === 'KUBE-FIREWALL').length, 0);
});
