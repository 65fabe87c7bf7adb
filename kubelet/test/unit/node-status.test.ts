import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { admitPod } from '../../src/admission.ts';
import type { MachineInfo } from '../../src/node/machine-info.ts';
import { allocatable, capacity, comparableNodeStatus, nodeConditions, nodeStatus, parseMapFlag, parseTaints, type NodeStatusConfig } from '../../src/node/node-status.ts';
import { c, pod } from '../support/fixtures.ts';

const machine: MachineInfo = {
  numCores: 2,
  memoryBytes: 4 * 1024 ** 3,
  filesystemBytes: 100 * 1024 ** 3,
  machineID: 'm',
  systemUUID: 's',
  bootID: 'b',
  kernelVersion: '6.1',
  osImage: 'Debian',
  operatingSystem: 'linux',
  architecture: 'amd64',
};
const cfg: NodeStatusConfig = {
  nodeName: 'n1',
  hostname: 'n1',
  nodeIP: '192.0.2.7',
  kubeletPort: 10250,
  maxPods: 110,
  nodeLabels: {},
  capacityOverrides: {},
  kubeReserved: { cpu: '100m' },
  systemReserved: { memory: '412Mi' },
  registerWithTaints: [],
};

describe('node status', () => {
  test('capacity from the machine; allocatable leaves the reservations and the hard eviction thresholds', () => {
    const cap = capacity(cfg, machine);
    assert.equal(cap.cpu, '2');
    assert.equal(cap.memory, `${4 * 1024 * 1024}Ki`);
    assert.equal(cap.pods, '110');
    assert.equal(cap['ephemeral-storage'], '100Gi');
    const alloc = allocatable(cfg, cap);
    assert.equal(alloc.cpu, '1900m');
    assert.equal(alloc.memory, `${(4096 - 412 - 100) * 1024}Ki`);
    assert.equal(alloc['ephemeral-storage'], String(90 * 1024 ** 3));
  });

  test('conditions keep their transition time while unchanged and change it on a flip', () => {
    const first = nodeConditions(undefined, { containerRuntimeVersion: 'process://v1' }, Date.UTC(2026, 0, 1));
    const later = nodeConditions(first, { containerRuntimeVersion: 'process://v1' }, Date.UTC(2026, 0, 1, 0, 1));
    assert.deepEqual(later.map((x) => x.lastTransitionTime), first.map((x) => x.lastTransitionTime));
    assert.notEqual(later[3].lastHeartbeatTime, first[3].lastHeartbeatTime);
    const down = nodeConditions(later, { containerRuntimeVersion: 'process://v1', notReadyReason: 'container runtime is down' }, Date.UTC(2026, 0, 1, 0, 2));
    assert.deepEqual([down[3].status, down[3].reason, down[3].message, down[3].lastTransitionTime], ['False', 'KubeletNotReady', 'container runtime is down', '2026-01-01T00:02:00Z']);
    // Heartbeats alone are no change worth posting.
    const a = nodeStatus(cfg, machine, { containerRuntimeVersion: 'process://v1' }, undefined, Date.UTC(2026, 0, 1));
    const b = nodeStatus(cfg, machine, { containerRuntimeVersion: 'process://v1' }, a, Date.UTC(2026, 0, 1, 0, 0, 10));
    assert.equal(comparableNodeStatus(a), comparableNodeStatus(b));
    assert.deepEqual(b.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  });

  test('flag parsing: key=value lists and taints', () => {
    assert.deepEqual(parseMapFlag('a=1, b=x=y'), { a: '1', b: 'x=y' });
    assert.throws(() => parseMapFlag('novalue'), /invalid key=value/);
    assert.deepEqual(parseTaints('k=v:NoSchedule,only:NoExecute'), [
      { key: 'k', value: 'v', effect: 'NoSchedule' },
      { key: 'only', effect: 'NoExecute' },
    ]);
  });
});

describe('admission', () => {
  const big = (cpu: string) => pod({ containers: [c('a', { resources: { requests: { cpu, memory: '1Gi' } } })] });
  test('rejects what does not fit, with upstream reasons', () => {
    const alloc = { cpu: '2', memory: '4Gi', pods: '3' };
    assert.deepEqual(admitPod(big('1'), [big('500m')], {}, alloc), { admit: true });
    assert.equal(admitPod(big('2'), [big('500m')], {}, alloc).reason, 'OutOfcpu');
    assert.equal(admitPod(big('1'), [big('1'), big('1'), big('1')], {}, alloc).reason, 'OutOfpods');
    const mem = pod({ containers: [c('a', { resources: { requests: { memory: '5Gi' } } })] });
    assert.equal(admitPod(mem, [], {}, alloc).reason, 'OutOfmemory');
    const selected = pod({ nodeSelector: { disk: 'ssd' }, containers: [c('a')] });
    assert.equal(admitPod(selected, [], { disk: 'hdd' }, alloc).reason, 'NodeAffinity');
    assert.equal(admitPod(selected, [], { disk: 'ssd' }, alloc).admit, true);
  });
});
