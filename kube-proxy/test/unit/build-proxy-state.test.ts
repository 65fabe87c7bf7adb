import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { buildProxyState, categorizeEndpoints } from '../../src/index.ts';

const svc = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });

function slice(name: string, service: string, extra: Record<string, unknown>): KubeObject {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', ...extra } as KubeObject;
}

test('service ports of proxied Services; headless and ExternalName ones are skipped', () => {
  const state = buildProxyState(
    [
      svc('web', { type: 'NodePort', clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'], ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }], sessionAffinity: 'ClientIP' }),
      svc('db', { type: 'ClusterIP', clusterIP: 'None', ports: [{ port: 5432 }] }),
      svc('ext', { type: 'ExternalName', externalName: 'x.example.com' }),
      svc('plain', { type: 'ClusterIP', clusterIP: '10.96.1.2', ports: [{ port: 8080 }] }),
    ],
    [],
    'node-1',
  );
  assert.deepEqual([...state.services.keys()], ['default/plain', 'default/web:http', 'default/web:dns']);
  const http = state.services.get('default/web:http')!;
  assert.equal(http.nodePort, 30080);
  assert.deepEqual(http.sessionAffinity, { clientIP: true, timeoutSeconds: 10800 });
  assert.equal(state.services.get('default/web:dns')!.protocol, 'UDP');
  assert.equal(state.services.get('default/plain')!.nodePort, 0);
});

test('endpoints come from the Service\'s slices by port name and protocol, deduplicated, with conditions', () => {
  const services = [svc('web', { type: 'ClusterIP', clusterIP: '10.96.1.1', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] })];
  const state = buildProxyState(
    services,
    [
      slice('web-1', 'web', {
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'http', port: 9999, protocol: 'UDP' }],
        endpoints: [
          { addresses: ['10.1.0.2'], conditions: { ready: false }, nodeName: 'node-1' },
          { addresses: ['10.1.0.1'], nodeName: 'node-2' },
          { addresses: ['10.1.0.3'], conditions: { ready: false, serving: true, terminating: true } },
        ],
      }),
      slice('web-2', 'web', { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: [{ addresses: ['10.1.0.2'], conditions: { ready: true } }] }),
      slice('web-v6', 'web', { addressType: 'IPv6', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: [{ addresses: ['fd00::1'] }] }),
      slice('other', 'other', { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: [{ addresses: ['10.9.9.9'] }] }),
    ],
    'node-1',
  );
  const eps = state.endpoints.get('default/web:http')!;
  assert.deepEqual(
    eps.map((e) => [e.ip, e.port, e.ready, e.serving, e.terminating, e.isLocal]),
    [
      ['10.1.0.1', 8080, true, true, false, false],
      ['10.1.0.2', 8080, true, true, false, false],
      ['10.1.0.3', 8080, false, true, true, false],
    ],
  );
  assert.deepEqual(categorizeEndpoints(state.services.get('default/web:http')!, eps).clusterEndpoints.map((e) => e.ip), ['10.1.0.1', '10.1.0.2']);
});

test('with no ready endpoint, serving terminating ones are used; Local policies keep this node\'s', () => {
  const [sp] = buildProxyState([svc('web', { type: 'NodePort', clusterIP: '10.96.1.1', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30080 }] })], [], 'node-1').services.values();
  const ep = (ip: string, ready: boolean, terminating: boolean, isLocal: boolean) => ({ ip, port: 80, ready, serving: true, terminating, isLocal });
  const c = categorizeEndpoints(sp!, [ep('10.1.0.1', false, true, false), ep('10.1.0.2', false, true, true), ep('10.1.0.3', false, false, true)]);
  assert.deepEqual(c.clusterEndpoints.map((e) => e.ip), ['10.1.0.1', '10.1.0.2']);
  assert.deepEqual(c.externalEndpoints.map((e) => e.ip), ['10.1.0.2']);
  assert.equal(c.hasAnyEndpoints, true);
});
