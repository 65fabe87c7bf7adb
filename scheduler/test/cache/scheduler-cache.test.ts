import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from '../../src/cache/scheduler-cache.ts';
import type { Pod } from '../../src/types.ts';
import { makeNode, makePod } from '../fixtures.ts';

const on = (pod: Pod, node: string): Pod => ({ ...pod, spec: { ...pod.spec, nodeName: node } });

test('an assumed pod counts on its node at once; forgetting it releases its requests', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('n1'));
  const pod = makePod('p', { requests: { cpu: '500m', memory: '1Gi' } });
  cache.assumePod(on(pod, 'n1'));
  const ni = cache.get('n1')!;
  assert.equal(ni.requested.milliCPU, 500);
  assert.equal(ni.requested.memory, 2 ** 30);
  assert.equal(ni.pods.length, 1);
  assert.equal(cache.isAssumedPod(pod), true);
  assert.throws(() => cache.assumePod(on(pod, 'n1')), /is in the cache/);
  cache.forgetPod(on(pod, 'n1'));
  assert.equal(ni.requested.milliCPU, 0);
  assert.equal(ni.pods.length, 0);
  assert.equal(cache.isAssumedPod(pod), false);
});

test('the informer confirms an assumed pod, and its real node wins', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('n1'));
  cache.addNode(makeNode('n2'));
  const pod = makePod('p', { requests: { cpu: '1' } });
  cache.assumePod(on(pod, 'n1'));
  cache.finishBinding(on(pod, 'n1'));
  cache.addPod(on(pod, 'n2')); // someone else bound it to n2
  assert.equal(cache.isAssumedPod(pod), false);
  assert.equal(cache.get('n1')!.requested.milliCPU, 0);
  assert.equal(cache.get('n2')!.requested.milliCPU, 1000);
  assert.throws(() => cache.forgetPod(on(pod, 'n2')), /not assumed/);
  cache.removePod(on(pod, 'n2'));
  assert.equal(cache.get('n2')!.pods.length, 0);
  assert.equal(cache.podCount(), 0);
});

test('an assumed pod whose binding finished expires after the ttl unless confirmed', () => {
  let now = 1_000;
  const cache = new SchedulerCache({ assumedPodTTLMs: 30_000, clock: { now: () => now } });
  cache.addNode(makeNode('n1'));
  const bound = makePod('bound');
  const binding = makePod('binding');
  cache.assumePod(on(bound, 'n1'));
  cache.assumePod(on(binding, 'n1'));
  cache.finishBinding(on(bound, 'n1'));
  now += 30_000;
  assert.deepEqual(cache.cleanupExpiredAssumedPods().map((p) => p.metadata.name), ['bound']);
  assert.equal(cache.get('n1')!.pods.length, 1, 'a pod still being bound never expires');
});

test('pods may arrive before their node; a deleted node stays until its pods are gone', () => {
  const cache = new SchedulerCache();
  const pod = on(makePod('early', { requests: { cpu: '1' } }), 'late-node');
  cache.addPod(pod);
  assert.equal(cache.list().length, 0, 'a node without a Node object is not offered to scheduling');
  cache.addNode(makeNode('late-node'));
  assert.equal(cache.get('late-node')!.requested.milliCPU, 1000);
  cache.removeNode(makeNode('late-node'));
  assert.equal(cache.list().length, 0);
  cache.addNode(makeNode('late-node'));
  assert.equal(cache.get('late-node')!.requested.milliCPU, 1000, 'the pods survived the node being re-created');
  cache.removeNode(makeNode('late-node'));
  cache.removePod(pod);
  cache.addNode(makeNode('late-node'));
  assert.equal(cache.get('late-node')!.pods.length, 0);
});

test('updating a node keeps its pods and takes the new allocatable', () => {
  const cache = new SchedulerCache();
  const old = makeNode('n', { allocatable: { cpu: '1', memory: '1Gi', pods: '10' } });
  cache.addNode(old);
  cache.addPod(on(makePod('p', { requests: { cpu: '500m' } }), 'n'));
  cache.updateNode(old, makeNode('n', { allocatable: { cpu: '8', memory: '1Gi', pods: '10' } }));
  const ni = cache.get('n')!;
  assert.equal(ni.allocatable.milliCPU, 8000);
  assert.equal(ni.requested.milliCPU, 500);
});
