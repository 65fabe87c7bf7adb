import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createErrors, service, stored, updateErrors } from './helpers.ts';

test('a minimal ClusterIP Service is valid once defaulted', () => {
  assert.deepEqual(createErrors('', 'Service', service()), []);
});

test('ports are required unless headless or ExternalName', () => {
  assert.deepEqual(createErrors('', 'Service', service({ ports: [] })), ['spec.ports: Required value']);
  assert.deepEqual(createErrors('', 'Service', service({ ports: [], clusterIP: 'None' })), []);
  assert.deepEqual(createErrors('', 'Service', service({ ports: [], type: 'ExternalName', externalName: 'db.example.com' })), []);
});

test('several ports need unique names; protocols are TCP, UDP or SCTP', () => {
  const s = service({ ports: [{ port: 80 }, { port: 443, name: 'web' }, { port: 8443, name: 'web', protocol: 'HTTP' }] });
  assert.deepEqual(createErrors('', 'Service', s), [
    'spec.ports[0].name: Required value',
    'spec.ports[2].name: Duplicate value: "web"',
    'spec.ports[2].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
  ]);
});

test('the same port and protocol twice is a duplicate', () => {
  const s = service({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] });
  assert.deepEqual(createErrors('', 'Service', s), [
    'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  ]);
});

test('type takes supported values; nodePort only for NodePort and LoadBalancer', () => {
  assert.deepEqual(createErrors('', 'Service', service({ type: 'Internal' })), [
    'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  assert.deepEqual(createErrors('', 'Service', service({ ports: [{ port: 80, nodePort: 30080 }] })), [
    "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
  ]);
  assert.deepEqual(createErrors('', 'Service', service({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })), []);
});

test('a headless NodePort Service is refused', () => {
  assert.deepEqual(createErrors('', 'Service', service({ type: 'NodePort', clusterIP: 'None' })), [
    "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
  ]);
});

test('ExternalName services need a DNS name and no cluster IP', () => {
  assert.deepEqual(createErrors('', 'Service', service({ type: 'ExternalName' })), ['spec.externalName: Required value']);
  assert.deepEqual(createErrors('', 'Service', service({ type: 'ExternalName', externalName: 'db', clusterIP: '10.0.0.5' })), [
    'spec.clusterIPs: Forbidden: may not be set for ExternalName services',
  ]);
});

test('cluster IPs must be IPs and cannot change once set', () => {
  assert.deepEqual(createErrors('', 'Service', service({ clusterIP: '10.0.0.300' })), [
    'spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
  const old = stored('', 'Service', service({ clusterIP: '10.96.0.10' }));
  const next = structuredClone(old);
  next.spec.clusterIP = '10.96.0.11';
  next.spec.clusterIPs = ['10.96.0.11'];
  assert.deepEqual(updateErrors('', 'Service', next, old), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
  const relabel = structuredClone(old);
  relabel.metadata.labels = { tier: 'front' };
  assert.deepEqual(updateErrors('', 'Service', relabel, old), []);
});

test('session affinity', () => {
  assert.deepEqual(createErrors('', 'Service', service({ sessionAffinity: 'Sticky' })), [
    'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
  ]);
  assert.deepEqual(createErrors('', 'Service', service({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } })), [
    'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400',
  ]);
});

test('traffic policies', () => {
  assert.deepEqual(createErrors('', 'Service', service({ externalTrafficPolicy: 'Local' })), [
    'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
  ]);
  assert.deepEqual(createErrors('', 'Service', service({ internalTrafficPolicy: 'Nearby' })), [
    'spec.internalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local"',
  ]);
});
