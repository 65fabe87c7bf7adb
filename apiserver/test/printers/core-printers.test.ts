// Rows of the core/v1 resources other than pods, and of leases and endpointslices.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { columnDefinitions, printRow } from '../../src/printers/index.ts';
import { NOW, ago, S, M, H, D } from './support.ts';

function obj(fields: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name: 'x', creationTimestamp: ago(5 * M), ...meta }, ...fields } as KubeObject;
}
const names = (group: string, resource: string) => columnDefinitions(group, resource).map((c) => (c.priority ? `${c.name}*` : c.name));

describe('node printer', () => {
  const node = (status: Record<string, unknown>, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}) =>
    obj({ status, ...extra }, { name: 'node-1', creationTimestamp: ago(3 * D + 4 * H), labels });
  const info = { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'docker://25.0.3' };

  it('has upstream columns', () => {
    assert.deepEqual(names('', 'nodes'), ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*']);
  });

  it('prints a cordoned control-plane node as Ready,SchedulingDisabled', () => {
    const n = node(
      {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'True', reason: 'KubeletReady' },
        ],
        addresses: [
          { type: 'Hostname', address: 'node-1' },
          { type: 'InternalIP', address: '10.0.0.11' },
        ],
        nodeInfo: info,
      },
      { spec: { unschedulable: true } },
      { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'node-1' },
    );
    assert.deepEqual(printRow('', 'nodes', n, NOW), [
      'node-1',
      'Ready,SchedulingDisabled',
      'control-plane',
      '3d4h',
      'v1.32.0',
      '10.0.0.11',
      '<none>',
      'Debian GNU/Linux 12 (bookworm)',
      '6.1.0-18-amd64',
      'docker://25.0.3',
    ]);
  });

  it('prints NotReady for a Ready condition False or Unknown, and Unknown without one', () => {
    assert.equal(printRow('', 'nodes', node({ conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] }), NOW)[1], 'NotReady');
    assert.equal(printRow('', 'nodes', node({ conditions: [{ type: 'Ready', status: 'False' }] }), NOW)[1], 'NotReady');
    assert.equal(printRow('', 'nodes', node({}), NOW)[1], 'Unknown');
    assert.equal(printRow('', 'nodes', node({}, { spec: { unschedulable: true } }), NOW)[1], 'Unknown,SchedulingDisabled');
  });

  it('collects roles from node-role labels and kubernetes.io/role, sorted; <none> and <unknown> defaults', () => {
    const n = node({ addresses: [{ type: 'ExternalIP', address: '203.0.113.7' }] }, {}, {
      'node-role.kubernetes.io/worker': '',
      'node-role.kubernetes.io/': '',
      'kubernetes.io/role': 'edge',
      'node-role.kubernetes.io/control-plane': 'true',
    });
    const row = printRow('', 'nodes', n, NOW);
    assert.equal(row[2], 'control-plane,edge,worker');
    assert.deepEqual(row.slice(4), ['', '<none>', '203.0.113.7', '<unknown>', '<unknown>', '<unknown>']);
    assert.equal(printRow('', 'nodes', node({}), NOW)[2], '<none>');
  });
});

describe('service printer', () => {
  it('has upstream columns', () => {
    assert.deepEqual(names('', 'services'), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']);
  });

  it('prints a NodePort service with node ports and its selector', () => {
    const svc = obj(
      {
        spec: {
          type: 'NodePort',
          clusterIP: '10.96.12.34',
          clusterIPs: ['10.96.12.34'],
          selector: { tier: 'front', app: 'web' },
          ports: [
            { name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' },
            { name: 'dns', port: 53, nodePort: 30053, protocol: 'UDP' },
          ],
        },
      },
      { name: 'web' },
    );
    assert.deepEqual(printRow('', 'services', svc, NOW), ['web', 'NodePort', '10.96.12.34', '<none>', '80:30080/TCP,53:30053/UDP', '5m', 'app=web,tier=front']);
  });

  it('prints ClusterIP, headless, LoadBalancer and ExternalName services as kubectl does', () => {
    const kubernetes = obj({ spec: { type: 'ClusterIP', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } }, { name: 'kubernetes' });
    assert.deepEqual(printRow('', 'services', kubernetes, NOW), ['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '5m', '<none>']);

    const headless = obj({ spec: { type: 'ClusterIP', clusterIP: 'None', externalIPs: ['192.0.2.1', '192.0.2.2'] } });
    assert.deepEqual(printRow('', 'services', headless, NOW).slice(1, 5), ['ClusterIP', 'None', '192.0.2.1,192.0.2.2', '<none>']);

    const pending = obj({ spec: { type: 'LoadBalancer', clusterIP: '10.96.5.5', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] } });
    assert.deepEqual(printRow('', 'services', pending, NOW).slice(1, 5), ['LoadBalancer', '10.96.5.5', '<pending>', '443:31443/TCP']);

    const lb = obj({
      spec: { type: 'LoadBalancer', clusterIP: '10.96.5.5', externalIPs: ['198.51.100.9'] },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.20' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.10' }] } },
    });
    // Never clipped to 16 characters: the server always prints wide.
    assert.equal(printRow('', 'services', lb, NOW)[3], '203.0.113.10,203.0.113.20,lb.example.com,198.51.100.9');

    const ext = obj({ spec: { type: 'ExternalName', externalName: 'db.example.com' } });
    assert.deepEqual(printRow('', 'services', ext, NOW).slice(1, 5), ['ExternalName', '<none>', 'db.example.com', '<none>']);
  });
});

describe('endpoints and endpointslices printers', () => {
  it('lists ip:port for up to three addresses, then + N more...', () => {
    const ep = obj(
      {
        subsets: [
          { addresses: [{ ip: '10.244.1.2' }, { ip: '10.244.1.3' }], notReadyAddresses: [{ ip: '10.244.1.9' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
          { addresses: [{ ip: '10.244.2.2' }, { ip: 'fd00::2' }], ports: [{ port: 8080 }] },
        ],
      },
      { name: 'web' },
    );
    assert.deepEqual(names('', 'endpoints'), ['Name', 'Endpoints', 'Age']);
    assert.deepEqual(printRow('', 'endpoints', ep, NOW), ['web', '10.244.1.2:8080,10.244.1.3:8080,10.244.2.2:8080 + 1 more...', '5m']);
  });

  it('prints bare IPs for a portless subset, IPv6 in brackets, <none> without subsets', () => {
    assert.equal(printRow('', 'endpoints', obj({ subsets: [{ addresses: [{ ip: '10.0.0.1' }] }, { addresses: [{ ip: 'fd00::1' }], ports: [{ port: 53 }] }] }), NOW)[1], '10.0.0.1,[fd00::1]:53');
    assert.equal(printRow('', 'endpoints', obj({}), NOW)[1], '<none>');
    assert.equal(printRow('', 'endpoints', obj({ subsets: [{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }), NOW)[1], '');
  });

  it('prints an EndpointSlice with address type, ports and addresses', () => {
    const slice = obj(
      {
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'metrics', port: null }, { port: 443 }, { port: 8443 }],
        endpoints: [{ addresses: ['10.244.1.2'], conditions: { ready: true } }, { addresses: ['10.244.1.3'] }],
      },
      { name: 'web-abc12' },
    );
    assert.deepEqual(names('discovery.k8s.io', 'endpointslices'), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    assert.deepEqual(printRow('discovery.k8s.io', 'endpointslices', slice, NOW), ['web-abc12', 'IPv4', '80,metrics,443 + 1 more...', '10.244.1.2,10.244.1.3', '5m']);
    assert.deepEqual(printRow('discovery.k8s.io', 'endpointslices', obj({ addressType: 'IPv6', ports: [{}] }), NOW).slice(1, 4), ['IPv6', '*', '<unset>']);
    assert.deepEqual(printRow('discovery.k8s.io', 'endpointslices', obj({ addressType: 'IPv4' }), NOW).slice(2, 4), ['<unset>', '<unset>']);
  });
});

describe('event printer', () => {
  it('has upstream columns: LAST SEEN TYPE REASON OBJECT MESSAGE and the wide ones between', () => {
    assert.deepEqual(names('', 'events'), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
    assert.equal(columnDefinitions('', 'events')[9].format, 'name');
  });

  it('prints a core/v1 event', () => {
    const ev = obj(
      {
        involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', fieldPath: 'spec.containers{app}' },
        reason: 'BackOff',
        message: 'Back-off restarting failed container app in pod web-1_default(uid)\n',
        source: { component: 'kubelet', host: 'node-1' },
        firstTimestamp: ago(H),
        lastTimestamp: ago(2 * M),
        count: 12,
        type: 'Warning',
      },
      { name: 'web-1.17f3a' },
    );
    assert.deepEqual(printRow('', 'events', ev, NOW), [
      '2m',
      'Warning',
      'BackOff',
      'pod/web-1',
      'spec.containers{app}',
      'kubelet, node-1',
      'Back-off restarting failed container app in pod web-1_default(uid)',
      '60m',
      12,
      'web-1.17f3a',
    ]);
  });

  it('falls back to eventTime, series and the reporting fields of new-style events', () => {
    const ev = obj({
      involvedObject: { kind: 'Node' },
      reason: 'RegisteredNode',
      message: 'Node node-1 event',
      eventTime: '2025-03-01T11:50:00.123456Z',
      firstTimestamp: null,
      lastTimestamp: null,
      reportingComponent: 'node-controller',
      reportingInstance: '',
      type: 'Normal',
    });
    assert.deepEqual(printRow('', 'events', ev, NOW), ['9m59s', 'Normal', 'RegisteredNode', 'node', '', 'node-controller', 'Node node-1 event', '9m59s', 1, 'x']);
    const series = obj({ involvedObject: { kind: 'Pod', name: 'p' }, eventTime: ago(H), series: { count: 7, lastObservedTime: ago(30 * S) } });
    const row = printRow('', 'events', series, NOW);
    assert.deepEqual([row[0], row[7], row[8]], ['30s', '60m', 7]);
  });
});

describe('namespace, configmap, secret, serviceaccount, componentstatus and lease printers', () => {
  it('namespaces: NAME STATUS AGE', () => {
    assert.deepEqual(names('', 'namespaces'), ['Name', 'Status', 'Age']);
    assert.deepEqual(printRow('', 'namespaces', obj({ status: { phase: 'Active' } }, { name: 'default', creationTimestamp: ago(400 * D) }), NOW), ['default', 'Active', '400d']);
    assert.deepEqual(printRow('', 'namespaces', obj({ status: { phase: 'Terminating' } }), NOW)[1], 'Terminating');
  });

  it('configmaps: DATA counts data and binaryData keys', () => {
    assert.deepEqual(names('', 'configmaps'), ['Name', 'Data', 'Age']);
    assert.deepEqual(printRow('', 'configmaps', obj({ data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, { name: 'cfg' }), NOW), ['cfg', 3, '5m']);
    assert.deepEqual(printRow('', 'configmaps', obj({}, { name: 'kube-root-ca.crt' }), NOW), ['kube-root-ca.crt', 0, '5m']);
  });

  it('secrets: TYPE DATA', () => {
    assert.deepEqual(names('', 'secrets'), ['Name', 'Type', 'Data', 'Age']);
    assert.deepEqual(printRow('', 'secrets', obj({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'AA==', 'tls.key': 'AA==' } }, { name: 'tls' }), NOW), ['tls', 'kubernetes.io/tls', 2, '5m']);
    assert.deepEqual(printRow('', 'secrets', obj({ data: { a: 'AA==' }, stringData: { a: 'x', b: 'y' } }), NOW).slice(1, 3), ['Opaque', 2]);
  });

  it('serviceaccounts: SECRETS', () => {
    assert.deepEqual(names('', 'serviceaccounts'), ['Name', 'Secrets', 'Age']);
    assert.deepEqual(printRow('', 'serviceaccounts', obj({}, { name: 'default' }), NOW), ['default', 0, '5m']);
    assert.deepEqual(printRow('', 'serviceaccounts', obj({ secrets: [{ name: 'tok' }] }, { name: 'builder' }), NOW), ['builder', 1, '5m']);
  });

  it('componentstatuses: STATUS MESSAGE ERROR, no AGE', () => {
    assert.deepEqual(names('', 'componentstatuses'), ['Name', 'Status', 'Message', 'Error']);
    const healthy = { metadata: { name: 'etcd-0' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] } as KubeObject;
    const unhealthy = { metadata: { name: 'scheduler' }, conditions: [{ type: 'Healthy', status: 'False', error: 'connection refused' }] } as KubeObject;
    assert.deepEqual(printRow('', 'componentstatuses', healthy, NOW), ['etcd-0', 'Healthy', 'ok', '']);
    assert.deepEqual(printRow('', 'componentstatuses', unhealthy, NOW), ['scheduler', 'Unhealthy', '', 'connection refused']);
    assert.deepEqual(printRow('', 'componentstatuses', { metadata: { name: 'n' } }, NOW), ['n', 'Unknown', '', '']);
  });

  it('leases: HOLDER', () => {
    assert.deepEqual(names('coordination.k8s.io', 'leases'), ['Name', 'Holder', 'Age']);
    const lease = obj({ spec: { holderIdentity: 'host-a_5f1c', leaseDurationSeconds: 15 } }, { name: 'kube-scheduler' });
    assert.deepEqual(printRow('coordination.k8s.io', 'leases', lease, NOW), ['kube-scheduler', 'host-a_5f1c', '5m']);
    assert.deepEqual(printRow('coordination.k8s.io', 'leases', obj({ spec: {} }), NOW)[1], '');
  });
});
