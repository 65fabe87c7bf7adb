// Node registration and heartbeats with a real apiserver + etcd + kubelet process: the Node's
// labels, capacity/allocatable, conditions, nodeInfo, addresses and daemonEndpoints; the Lease
// in kube-node-lease renewed every quarter of its duration; a restarted kubelet takes its Node
// over; a pod that does not fit is rejected at admission; NodeStatus is posted on change and,
// unchanged, once per --node-status-report-frequency (an injected clock); healthz on
// --healthz-port.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@minik8s/shared/testing';
import type { MachineInfo } from '../../src/node/machine-info.ts';
import type { RuntimeHealth } from '../../src/node/node-status.ts';
import { NodeStatusManager } from '../../src/node/node-status-manager.ts';
import { startCluster, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  await cluster?.stop();
});

describe('node', () => {
  test('registers its Node with labels, capacity, allocatable, conditions, nodeInfo and the kubelet endpoint', async () => {
    const k = await cluster.startKubelet('node-r', ['--node-labels=zone=a,disk=ssd', '--node-capacity=cpu=4,memory=8Gi,pods=20', '--kube-reserved=cpu=500m,memory=1Gi', '--register-with-taints=dedicated=infra:NoSchedule']);
    const node = await cluster.client.get('nodes', 'node-r');
    const labels = node.metadata.labels!;
    assert.equal(labels['kubernetes.io/hostname'], 'node-r');
    assert.equal(labels['kubernetes.io/os'], 'linux');
    assert.ok(labels['kubernetes.io/arch']);
    assert.equal(labels.zone, 'a');
    assert.equal(labels.disk, 'ssd');
    assert.deepEqual(node.spec.taints, [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]);
    const st = node.status;
    assert.equal(st.capacity.cpu, '4');
    assert.equal(st.capacity.memory, '8Gi');
    assert.equal(st.capacity.pods, '20');
    assert.equal(st.allocatable.cpu, '3500m');
    // 8Gi - 1Gi reserved - 100Mi hard eviction threshold.
    assert.equal(st.allocatable.memory, `${(8 * 1024 - 1024 - 100) * 1024}Ki`);
    assert.deepEqual(
      st.conditions.map((c: { type: string; status: string; reason: string }) => [c.type, c.status, c.reason]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
        ['Ready', 'True', 'KubeletReady'],
      ],
    );
    assert.deepEqual(st.addresses, [
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: 'node-r' },
    ]);
    assert.equal(st.daemonEndpoints.kubeletEndpoint.Port, k.port);
    assert.equal(st.nodeInfo.kubeletVersion, 'v1.32.0');
    assert.match(st.nodeInfo.containerRuntimeVersion, /^process:\/\//);
    assert.equal(st.nodeInfo.operatingSystem, 'linux');
    const health = await fetch(`http://127.0.0.1:${k.port}/healthz`);
    assert.equal(await health.text(), 'ok');
    // The healthz endpoint of --healthz-port (10248 by default; a free one here).
    const healthzPort = Number(/"port":(\d+),"msg":"serving healthz and metrics on 127\.0\.0\.1:/.exec(k.logs())?.[1]);
    assert.ok(healthzPort > 0 && healthzPort !== k.port, `healthz port in the log: ${healthzPort}`);
    const healthz = await fetch(`http://127.0.0.1:${healthzPort}/healthz`);
    assert.equal(healthz.status, 200);
    assert.equal(await healthz.text(), 'ok');
    const table = await cluster.kubectl(['get', 'node', 'node-r', '--no-headers']);
    assert.match(table.stdout, /^node-r\s+Ready\s/);
  });

  test('renews its Lease in kube-node-lease every quarter of --node-lease-duration-seconds', async () => {
    await cluster.startKubelet('node-l', ['--node-lease-duration-seconds=4']);
    const first = await waitFor(() => cluster.client.get('leases.coordination.k8s.io', 'node-l', { namespace: 'kube-node-lease' }), { message: 'no Lease' });
    assert.equal(first.spec.holderIdentity, 'node-l');
    assert.equal(first.spec.leaseDurationSeconds, 4);
    const node = await cluster.client.get('nodes', 'node-l');
    const renewals = new Set<string>([first.spec.renewTime]);
    await waitFor(async () => {
      const l = await cluster.client.get('leases.coordination.k8s.io', 'node-l', { namespace: 'kube-node-lease' });
      renewals.add(l.spec.renewTime);
      if (l.metadata.ownerReferences) assert.equal(l.metadata.ownerReferences[0].uid, node.metadata.uid);
      return renewals.size >= 3;
    }, { timeoutMs: 10_000, intervalMs: 200, message: 'the Lease was not renewed twice' });
    const l = await cluster.client.get('leases.coordination.k8s.io', 'node-l', { namespace: 'kube-node-lease' });
    assert.deepEqual(l.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid]), [['Node', 'node-l', node.metadata.uid]]);
    assert.match(l.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  test('a restarted kubelet takes over its Node; a pod that does not fit is rejected', async () => {
    const k1 = await cluster.startKubelet('node-x', ['--node-capacity=cpu=1,memory=1Gi,pods=10']);
    const before = await cluster.client.get('nodes', 'node-x');
    await k1.stop();
    const k2 = await cluster.startKubelet('node-x', ['--node-capacity=cpu=1,memory=1Gi,pods=10']);
    const after = await cluster.client.get('nodes', 'node-x');
    assert.equal(after.metadata.uid, before.metadata.uid, 'the same Node object');
    assert.equal(after.status.daemonEndpoints.kubeletEndpoint.Port, k2.port, 'now pointing at the new kubelet');

    await cluster.createNamespace('admit');
    await cluster.createPod('admit', {
      metadata: { name: 'too-big' },
      spec: { nodeName: 'node-x', containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1000'], resources: { requests: { cpu: '2' } } }] },
    });
    const pod = await waitFor(async () => {
      const p = await cluster.getPod('admit', 'too-big');
      return p?.status?.phase === 'Failed' ? p : undefined;
    }, { timeoutMs: 15_000, message: 'the pod was not rejected' });
    assert.equal(pod.status!.reason, 'OutOfcpu');
    assert.equal(pod.status!.message, "Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, used: 0, capacity: 1000");
  });

  test('NodeStatus is posted when it changes, and unchanged only once the report frequency passed', async () => {
    let clock = Date.now();
    let health: RuntimeHealth = { containerRuntimeVersion: 'process://test' };
    const machine: MachineInfo = { numCores: 2, memoryBytes: 4 * 1024 ** 3, filesystemBytes: 100 * 1024 ** 3, machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: '6.1', osImage: 'Debian', operatingSystem: 'linux', architecture: 'amd64' };
    const m = new NodeStatusManager({
      client: cluster.client,
      config: { nodeName: 'node-report', hostname: 'node-report', nodeIP: '127.0.0.1', kubeletPort: 10250, maxPods: 110, nodeLabels: {}, capacityOverrides: {}, kubeReserved: {}, systemReserved: {}, registerWithTaints: [] },
      machine,
      runtimeHealth: async () => health,
      updateFrequencyMs: 10_000,
      reportFrequencyMs: 300_000,
      now: () => clock,
    });
    assert.equal(await m.register(new AbortController().signal), true);
    const rv = async () => (await cluster.client.get('nodes', 'node-report')).metadata.resourceVersion;
    const ready = async () => (await cluster.client.get('nodes', 'node-report')).status.conditions.find((c: { type: string }) => c.type === 'Ready');
    const registered = await rv();
    assert.equal((await ready()).status, 'True');

    // 10 s later, nothing changed but the heartbeat: no write (the Lease is the frequent heartbeat).
    clock += 10_000;
    await m.updateStatus();
    assert.equal(await rv(), registered);

    // The runtime stops answering: written at once.
    health = { containerRuntimeVersion: 'process://test', notReadyReason: 'container runtime is down' };
    clock += 10_000;
    await m.updateStatus();
    const notReady = await ready();
    assert.deepEqual([notReady.status, notReady.reason, notReady.message], ['False', 'KubeletNotReady', 'container runtime is down']);
    const changed = await rv();
    assert.notEqual(changed, registered);

    // Unchanged again: nothing until 5 minutes passed since the last write, then a write.
    clock += 300_000 - 1;
    await m.updateStatus();
    assert.equal(await rv(), changed);
    clock += 1;
    await m.updateStatus();
    assert.notEqual(await rv(), changed);
    assert.equal(Date.parse((await ready()).lastHeartbeatTime), Math.floor(clock / 1000) * 1000);
  });
});
