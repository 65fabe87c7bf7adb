import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podRequests, CPU, MEMORY } from '../../src/framework/resource.ts';
import { NodeResourcesFitPlugin } from '../../src/plugins/node-resources-fit.ts';
import { BalancedAllocationPlugin } from '../../src/plugins/balanced-allocation.ts';
import { NodePortsPlugin } from '../../src/plugins/node-ports.ts';
import { balancedResourceScorer, leastRequestedScore } from '../../src/plugins/helpers/resource-allocation.ts';
import type { NodeInfo } from '../../src/framework/node-info.ts';
import type { Pod } from '../../src/types.ts';
import { cycleState, makeNode, makePod, nodeInfo } from '../fixtures.ts';

function filter(pod: Pod, ni: NodeInfo): string[] {
  const pl = new NodeResourcesFitPlugin();
  const state = cycleState();
  pl.preFilter(state, pod);
  const s = pl.filter(state, pod, ni);
  if (s) assert.equal(s.code, 'Unschedulable', 'resource shortage can be resolved by preemption');
  return [...(s?.reasons ?? [])];
}

test('pod requests: containers add up, init containers run alone, sidecars stay, overhead adds', () => {
  const pod = makePod('p', {
    containers: [
      { name: 'a', resources: { requests: { cpu: '250m', memory: '64Mi' } } },
      { name: 'b', resources: { requests: { cpu: '0.5' } } },
    ],
    spec: {
      initContainers: [
        { name: 'big-init', resources: { requests: { cpu: '2', memory: '32Mi' } } },
        { name: 'sidecar', restartPolicy: 'Always', resources: { requests: { cpu: '100m', memory: '16Mi' } } },
        { name: 'late-init', resources: { requests: { cpu: '1' } } },
      ],
      overhead: { cpu: '10m' },
    },
  });
  const r = podRequests(pod);
  // containers 750m + sidecar 100m = 850m; init max(2000, 100+1000) = 2000 -> 2000 + 10m overhead.
  assert.equal(r.get(CPU), 2010);
  // memory: containers 64Mi + sidecar 16Mi = 80Mi; inits max(32Mi, 16Mi) -> 80Mi.
  assert.equal(r.get(MEMORY), 80 * 1024 * 1024);
  const empty = podRequests(makePod('e'), { nonMissing: true });
  assert.equal(empty.get(CPU), 100);
  assert.equal(empty.get(MEMORY), 200 * 1024 * 1024);
});

test('NodeResourcesFit counts the pods already on the node, assumed ones included', () => {
  const node = makeNode('n', { allocatable: { cpu: '1', memory: '1Gi', pods: '3' } });
  const running = makePod('running', { requests: { cpu: '600m', memory: '512Mi' } });
  assert.deepEqual(filter(makePod('fits', { requests: { cpu: '400m', memory: '512Mi' } }), nodeInfo(node, running)), []);
  assert.deepEqual(filter(makePod('big', { requests: { cpu: '401m', memory: '513Mi' } }), nodeInfo(node, running)), ['Insufficient cpu', 'Insufficient memory']);
  assert.deepEqual(filter(makePod('empty'), nodeInfo(node, running, makePod('a'), makePod('b'))), ['Too many pods']);
  assert.deepEqual(
    filter(makePod('both', { requests: { cpu: '2' } }), nodeInfo(node, makePod('a'), makePod('b'), makePod('c'))),
    ['Too many pods', 'Insufficient cpu'],
  );
});

test('NodeResourcesFit checks extended resources and ephemeral storage', () => {
  const node = makeNode('n', { allocatable: { cpu: '4', memory: '8Gi', pods: '110', 'example.com/gpu': '1', 'ephemeral-storage': '10Gi' } });
  assert.deepEqual(filter(makePod('g', { requests: { 'example.com/gpu': '1' } }), nodeInfo(node)), []);
  assert.deepEqual(filter(makePod('g2', { requests: { 'example.com/gpu': '2' } }), nodeInfo(node)), ['Insufficient example.com/gpu']);
  assert.deepEqual(filter(makePod('s', { requests: { 'ephemeral-storage': '11Gi' } }), nodeInfo(node)), ['Insufficient ephemeral-storage']);
  const noGpu = makeNode('m');
  assert.deepEqual(filter(makePod('g', { requests: { 'example.com/gpu': '1' } }), nodeInfo(noGpu)), ['Insufficient example.com/gpu']);
});

test('LeastAllocated: free share of cpu and memory, averaged with weights, as upstream integers', () => {
  assert.equal(leastRequestedScore(0, 4000), 100);
  assert.equal(leastRequestedScore(3000, 4000), 25);
  assert.equal(leastRequestedScore(1, 3), 66);
  assert.equal(leastRequestedScore(5000, 4000), 0);
  const pl = new NodeResourcesFitPlugin();
  const pod = makePod('p', { requests: { cpu: '1', memory: '2Gi' } });
  const state = cycleState();
  pl.preScore(state, pod);
  const node = makeNode('n', { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } });
  // cpu (1000+1000)/4000 used -> 50; memory (2Gi+2Gi)/8Gi -> 50.
  assert.equal(pl.score(state, pod, nodeInfo(node, makePod('x', { requests: { cpu: '1', memory: '2Gi' } }))), 50);
  // Pods without requests count 100m/200Mi: an empty-request pod still makes a node less attractive.
  const e = makePod('empty');
  const s2 = cycleState();
  pl.preScore(s2, e);
  assert.ok(pl.score(s2, e, nodeInfo(node, makePod('y'))) < pl.score(s2, e, nodeInfo(node)));
});

test('BalancedAllocation prefers even cpu/memory use and skips best-effort pods', () => {
  assert.equal(balancedResourceScorer([2000, 4 * 2 ** 30], [4000, 8 * 2 ** 30]), 100);
  assert.equal(balancedResourceScorer([4000, 0], [4000, 8 * 2 ** 30]), 50);
  assert.equal(balancedResourceScorer([3000, 2 ** 30], [4000, 8 * 2 ** 30]), 68); // |0.75-0.125|/2 = 0.3125
  const pl = new BalancedAllocationPlugin();
  assert.equal(pl.preScore(cycleState(), makePod('be'))?.code, 'Skip');
  const pod = makePod('p', { requests: { cpu: '1', memory: '1Gi' } });
  const state = cycleState();
  assert.equal(pl.preScore(state, pod), undefined);
  const node = makeNode('n', { allocatable: { cpu: '4', memory: '4Gi', pods: '110' } });
  const skewed = nodeInfo(node, makePod('cpu-heavy', { requests: { cpu: '2' } }));
  assert.equal(pl.score(state, pod, nodeInfo(node)), 100);
  assert.equal(pl.score(state, pod, skewed), 75); // cpu 0.75, memory 0.25
});

test('NodePorts rejects nodes where a requested host port is taken, 0.0.0.0 conflicting with any address', () => {
  const withPort = (name: string, hostPort: number, hostIP?: string, protocol?: string) =>
    makePod(name, { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort, hostIP, protocol }] }] });
  const pl = new NodePortsPlugin();
  const run = (pod: Pod, ni: NodeInfo) => {
    const state = cycleState();
    const pre = pl.preFilter(state, pod);
    if (pre?.code === 'Skip') return 'skip';
    return pl.filter(state, pod, ni)?.reasons.join() ?? 'fits';
  };
  const node = makeNode('n');
  const busy = nodeInfo(node, withPort('a', 8080, '10.0.0.1'));
  assert.equal(run(makePod('none'), busy), 'skip');
  assert.equal(run(withPort('b', 8080), busy), "node(s) didn't have free ports for the requested pod ports");
  assert.equal(run(withPort('c', 8080, '10.0.0.2'), busy), 'fits');
  assert.equal(run(withPort('d', 8080, '10.0.0.1', 'UDP'), busy), 'fits');
  assert.equal(run(withPort('e', 8081), busy), 'fits');
  const wildcard = nodeInfo(node, withPort('f', 9090));
  assert.equal(run(withPort('g', 9090, '10.0.0.3'), wildcard), "node(s) didn't have free ports for the requested pod ports");
  // Removing the pod frees the port.
  wildcard.removePod(wildcard.pods[0].pod);
  assert.equal(run(withPort('g', 9090, '10.0.0.3'), wildcard), 'fits');
});
