import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeSchedulingPropertiesChange, podSchedulingPropertiesChange } from '../../src/queue/pod-changes.ts';
import type { Node, Pod } from '../../src/types.ts';
import { makeNode, makePod } from '../fixtures.ts';

const labels = (evs: { label: string }[]) => evs.map((e) => e.label);

test('a node heartbeat alone wakes nobody; real changes are named by kind', () => {
  const node = makeNode('n');
  const heartbeat: Node = structuredClone(node);
  heartbeat.metadata.resourceVersion = '2';
  (heartbeat.status!.conditions![0] as unknown as Record<string, unknown>).lastHeartbeatTime = '2026-01-01T00:00:10Z';
  assert.deepEqual(nodeSchedulingPropertiesChange(node, heartbeat), []);

  const changed: Node = structuredClone(node);
  changed.spec = { unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] };
  changed.metadata.labels = { ...changed.metadata.labels, zone: 'a' };
  changed.status!.allocatable = { cpu: '8', memory: '8Gi', pods: '110' };
  changed.status!.conditions = [{ type: 'Ready', status: 'False' }];
  assert.deepEqual(labels(nodeSchedulingPropertiesChange(node, changed)), [
    'NodeSpecUnschedulableChange',
    'NodeAllocatableChange',
    'NodeLabelChange',
    'NodeTaintChange',
    'NodeConditionChange',
  ]);
});

test('pod updates: status-only changes are no event; labels, smaller requests and tolerations are', () => {
  const pod = makePod('p', { requests: { cpu: '1' } });
  const statusOnly: Pod = { ...pod, metadata: { ...pod.metadata, resourceVersion: '9' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } };
  assert.deepEqual(podSchedulingPropertiesChange(pod, statusOnly, 'UnscheduledPod'), []);
  const smaller = makePod('p', { requests: { cpu: '500m' } });
  smaller.metadata = { ...pod.metadata, labels: { a: 'b' } };
  assert.deepEqual(labels(podSchedulingPropertiesChange(pod, smaller, 'UnscheduledPod')), ['PodLabelChange', 'PodRequestScaledDown']);
  const bigger = makePod('p', { requests: { cpu: '2' } });
  bigger.metadata = pod.metadata;
  assert.deepEqual(labels(podSchedulingPropertiesChange(pod, bigger, 'AssignedPod')), ['AssignedPodUpdate']);
});
