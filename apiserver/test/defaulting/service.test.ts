import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { applyDefaults, keepAllocatedServiceValues } from '../../src/defaulting/index.ts';

function svc(spec: Record<string, any>): KubeObject {
  return { kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec };
}

test('a ClusterIP Service', () => {
  const s = svc({ selector: { app: 'web' }, ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] });
  applyDefaults('', 'Service', s);
  assert.deepEqual(s.spec, {
    selector: { app: 'web' },
    ports: [
      { port: 80, protocol: 'TCP', targetPort: 80 },
      { port: 53, protocol: 'UDP', targetPort: 'dns' },
    ],
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
  });
});

test('NodePort and LoadBalancer get an external traffic policy; LoadBalancer allocates node ports', () => {
  const np = svc({ type: 'NodePort', ports: [{ port: 80 }] });
  applyDefaults('', 'Service', np);
  assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(np.spec.allocateLoadBalancerNodePorts, undefined);
  const lb = svc({ type: 'LoadBalancer', ports: [{ port: 80 }] });
  applyDefaults('', 'Service', lb);
  assert.equal(lb.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
});

test('IP families: headless, selectorless and ExternalName services', () => {
  const headless = svc({ clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] });
  applyDefaults('', 'Service', headless);
  assert.deepEqual([headless.spec.clusterIPs, headless.spec.ipFamilyPolicy, headless.spec.ipFamilies], [['None'], 'SingleStack', ['IPv4']]);
  const bare = svc({ clusterIP: 'None' });
  applyDefaults('', 'Service', bare);
  assert.deepEqual([bare.spec.ipFamilyPolicy, bare.spec.ipFamilies], ['RequireDualStack', ['IPv4', 'IPv6']]);
  const ext = svc({ type: 'ExternalName', externalName: 'db.example.com' });
  applyDefaults('', 'Service', ext);
  assert.equal(ext.spec.ipFamilyPolicy, undefined);
  assert.equal(ext.spec.ipFamilies, undefined);
  assert.equal(ext.spec.internalTrafficPolicy, undefined);
});

test('ClientIP affinity gets its timeout', () => {
  const s = svc({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }] });
  applyDefaults('', 'Service', s);
  assert.deepEqual(s.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
});

test('an update that leaves out allocated values keeps them', () => {
  const old = svc({ type: 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'], ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] });
  const next = svc({ type: 'NodePort', ports: [{ port: 80 }] });
  keepAllocatedServiceValues(next, old);
  applyDefaults('', 'Service', next);
  assert.equal(next.spec.clusterIP, '10.96.0.20');
  assert.deepEqual(next.spec.clusterIPs, ['10.96.0.20']);
  assert.equal(next.spec.ports[0].nodePort, 30080);
});
