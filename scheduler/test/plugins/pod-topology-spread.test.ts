import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PodTopologySpreadPlugin } from '../../src/plugins/pod-topology-spread.ts';
import type { NodeScore, WorkloadListers } from '../../src/framework/interfaces.ts';
import type { NodeInfo } from '../../src/framework/node-info.ts';
import type { Pod, TopologySpreadConstraint } from '../../src/types.ts';
import { cycleState, handle, makeNode, makePod, noListers, nodeInfo } from '../fixtures.ts';

const app = { app: 'web' };

function zoneNodes(counts: Record<string, number[]>): NodeInfo[] {
  // counts: zone -> matching pods per node in that zone
  const out: NodeInfo[] = [];
  for (const [zone, perNode] of Object.entries(counts)) {
    perNode.forEach((n, i) => {
      const pods = Array.from({ length: n }, (_, j) => makePod(`${zone}-${i}-${j}`, { labels: app }));
      out.push(nodeInfo(makeNode(`${zone}-${i}`, { labels: { 'topology.kubernetes.io/zone': zone } }), ...pods));
    });
  }
  return out;
}

function hard(c: Partial<TopologySpreadConstraint>): Pod {
  return makePod('new', {
    labels: app,
    spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: app }, ...c }] },
  });
}

function filterAll(pod: Pod, nodes: NodeInfo[]): Record<string, string> {
  const pl = new PodTopologySpreadPlugin(handle(nodes));
  const state = cycleState();
  assert.equal(pl.preFilter(state, pod, nodes), undefined);
  return Object.fromEntries(nodes.map((n) => [n.name, pl.filter(state, pod, n)?.reasons.join() ?? 'fits']));
}

test('DoNotSchedule: a domain may exceed the emptiest one by at most maxSkew', () => {
  const nodes = zoneNodes({ a: [2], b: [1], c: [1] });
  const r = filterAll(hard({}), nodes);
  assert.deepEqual(r, { 'a-0': "node(s) didn't match pod topology spread constraints", 'b-0': 'fits', 'c-0': 'fits' });
  assert.deepEqual(filterAll(hard({ maxSkew: 2 }), nodes), { 'a-0': 'fits', 'b-0': 'fits', 'c-0': 'fits' });
});

test('a node without the topology label is rejected as unresolvable', () => {
  const nodes = [...zoneNodes({ a: [0] }), nodeInfo(makeNode('bare'))];
  const pl = new PodTopologySpreadPlugin(handle(nodes));
  const state = cycleState();
  const pod = hard({});
  pl.preFilter(state, pod, nodes);
  const s = pl.filter(state, pod, nodes[1]);
  assert.equal(s?.code, 'UnschedulableAndUnresolvable');
  assert.deepEqual(s?.reasons, ["node(s) didn't match pod topology spread constraints (missing required label)"]);
});

test('minDomains: fewer eligible domains than minDomains makes the global minimum 0', () => {
  const nodes = zoneNodes({ a: [1], b: [1] });
  assert.deepEqual(filterAll(hard({ minDomains: 3 }), nodes), {
    'a-0': "node(s) didn't match pod topology spread constraints",
    'b-0': "node(s) didn't match pod topology spread constraints",
  });
  assert.deepEqual(filterAll(hard({ minDomains: 2 }), nodes), { 'a-0': 'fits', 'b-0': 'fits' });
});

test('pods of other namespaces, not matching, or terminating do not count; a pod not matching itself adds 0', () => {
  const other = makePod('o', { labels: app, namespace: 'other' });
  const terminating = makePod('t', { labels: app });
  terminating.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  const nodes = [
    nodeInfo(makeNode('a', { labels: { 'topology.kubernetes.io/zone': 'a' } }), other, terminating, makePod('x', { labels: { app: 'db' } })),
    nodeInfo(makeNode('b', { labels: { 'topology.kubernetes.io/zone': 'b' } })),
  ];
  assert.deepEqual(filterAll(hard({}), nodes), { a: 'fits', b: 'fits' });
  const outsider = hard({});
  outsider.metadata.labels = {};
  const skewed = zoneNodes({ a: [1], b: [0] });
  assert.deepEqual(filterAll(outsider, skewed), { 'a-0': 'fits', 'b-0': 'fits' });
});

test('nodeAffinityPolicy Honor: nodes the pod cannot go to are not domains', () => {
  const nodes = zoneNodes({ a: [1], b: [1], c: [0] });
  nodes[2].node!.metadata.labels!.pool = 'excluded';
  const pod = hard({});
  pod.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'DoesNotExist' }] }] } } };
  // Without zone c as a domain the minimum is 1, so a and b both fit.
  const r = filterAll(pod, nodes);
  assert.equal(r['a-0'], 'fits');
  assert.equal(r['b-0'], 'fits');
});

test('system default spreading scores nodes with fewer pods of the same ReplicaSet higher', () => {
  const owner = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: 'rs-uid', controller: true }];
  const listers: WorkloadListers = {
    ...noListers,
    replicaSet: (ns, name) => (ns === 'default' && name === 'web-rs' ? { metadata: { name }, spec: { selector: { matchLabels: app } } } : undefined),
  };
  const sibling = (n: string) => makePod(n, { labels: app, ownerReferences: owner });
  const nodes = [nodeInfo(makeNode('busy'), sibling('s1'), sibling('s2')), nodeInfo(makeNode('some'), sibling('s3')), nodeInfo(makeNode('empty'))];
  const pl = new PodTopologySpreadPlugin(handle(nodes, listers));
  const pod = sibling('new');
  const state = cycleState();
  assert.equal(pl.preFilter(state, pod, nodes)?.code, 'Skip', 'default constraints never filter');
  assert.equal(pl.preScore(state, pod, nodes), undefined);
  const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: pl.score(state, pod, n) }));
  pl.normalizeScore(state, pod, scores);
  assert.ok(scores[2].score > scores[1].score && scores[1].score > scores[0].score, JSON.stringify(scores));
  assert.equal(scores[2].score, 100);
  // A pod nobody owns and no service selects has no siblings: nothing to spread.
  assert.equal(pl.preScore(cycleState(), makePod('lonely', { labels: app }), nodes)?.code, 'Skip');
});

test('ScheduleAnyway constraints score as upstream: counts weighted by log(domains + 2), then inverted', () => {
  const nodes = zoneNodes({ a: [3], b: [1], c: [0] });
  const pod = hard({ whenUnsatisfiable: 'ScheduleAnyway' });
  const pl = new PodTopologySpreadPlugin(handle(nodes));
  const state = cycleState();
  pl.preScore(state, pod, nodes);
  const w = Math.log(3 + 2);
  const raw = nodes.map((n) => pl.score(state, pod, n));
  assert.deepEqual(raw, [Math.round(3 * w), Math.round(1 * w), 0]);
  const scores: NodeScore[] = nodes.map((n, i) => ({ name: n.name, score: raw[i] }));
  pl.normalizeScore(state, pod, scores);
  const max = raw[0];
  assert.deepEqual(scores.map((s) => s.score), raw.map((r) => Math.trunc((100 * (max + 0 - r)) / max)));
});
