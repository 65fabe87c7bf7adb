import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toleratesTaint, findMatchingUntoleratedTaint, doNotScheduleTaint } from '../../src/plugins/helpers/taints.ts';
import { TaintTolerationPlugin } from '../../src/plugins/taint-toleration.ts';
import { NodeReadyPlugin } from '../../src/plugins/node-ready.ts';
import { NodeUnschedulablePlugin } from '../../src/plugins/node-unschedulable.ts';
import { NodeNamePlugin } from '../../src/plugins/node-name.ts';
import { cycleState, makeNode, makePod, nodeInfo } from '../fixtures.ts';
import type { NodeScore } from '../../src/framework/interfaces.ts';

test('toleration matching follows v1.Toleration.ToleratesTaint', () => {
  const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  assert.equal(toleratesTaint({ key: 'dedicated', value: 'gpu' }, taint), true, 'empty effect matches all, Equal is the default');
  assert.equal(toleratesTaint({ key: 'dedicated', value: 'cpu' }, taint), false);
  assert.equal(toleratesTaint({ key: 'dedicated', operator: 'Exists' }, taint), true);
  assert.equal(toleratesTaint({ operator: 'Exists' }, taint), true, 'empty key with Exists tolerates everything');
  assert.equal(toleratesTaint({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint), false);
  assert.equal(toleratesTaint({ key: 'dedicated', operator: 'Bogus' }, taint), false);
  const taints = [
    { key: 'a', effect: 'PreferNoSchedule' },
    { key: 'b', value: 'x', effect: 'NoExecute' },
    { key: 'c', effect: 'NoSchedule' },
  ];
  assert.equal(findMatchingUntoleratedTaint(taints, [{ key: 'b', operator: 'Exists' }], doNotScheduleTaint)?.key, 'c');
});

test('TaintToleration filter names the first untolerated taint as upstream 1.32 does', () => {
  const pl = new TaintTolerationPlugin();
  const node = makeNode('n', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, { key: 'k', value: 'v', effect: 'NoExecute' }] });
  const s = pl.filter(cycleState(), makePod('p'), nodeInfo(node));
  assert.equal(s?.code, 'UnschedulableAndUnresolvable');
  assert.deepEqual(s?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
  const tolerant = makePod('q', { spec: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] } });
  assert.deepEqual(pl.filter(cycleState(), tolerant, nodeInfo(node))?.reasons, ['node(s) had untolerated taint {k: v}']);
  assert.equal(pl.filter(cycleState(), makePod('r'), nodeInfo(makeNode('m', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }))), undefined);
});

test('TaintToleration scores fewer untolerated PreferNoSchedule taints higher', () => {
  const pl = new TaintTolerationPlugin();
  const pod = makePod('p', { spec: { tolerations: [{ key: 'ok', operator: 'Exists', effect: 'PreferNoSchedule' }] } });
  const nodes = [
    nodeInfo(makeNode('clean')),
    nodeInfo(makeNode('tolerated', { taints: [{ key: 'ok', effect: 'PreferNoSchedule' }] })),
    nodeInfo(makeNode('one', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] })),
    nodeInfo(makeNode('two', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }, { key: 'y', effect: 'PreferNoSchedule' }] })),
  ];
  const state = cycleState();
  pl.preScore(state, pod);
  const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: pl.score(state, pod, n) }));
  assert.deepEqual(scores.map((s) => s.score), [0, 0, 1, 2]);
  pl.normalizeScore(state, pod, scores);
  assert.deepEqual(scores.map((s) => s.score), [100, 100, 50, 0]);
});

test('NodeReady rejects not-ready and unknown nodes with the taint the lifecycle controller would add', () => {
  const pl = new NodeReadyPlugin();
  const pod = makePod('p');
  assert.equal(pl.filter(cycleState(), pod, nodeInfo(makeNode('ready'))), undefined);
  assert.deepEqual(pl.filter(cycleState(), pod, nodeInfo(makeNode('nr', { ready: 'False' })))?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
  assert.deepEqual(pl.filter(cycleState(), pod, nodeInfo(makeNode('unk', { ready: 'Unknown' })))?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
  assert.deepEqual(pl.filter(cycleState(), pod, nodeInfo(makeNode('none', { ready: 'none' })))?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
  const daemon = makePod('d', { spec: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }] } });
  assert.equal(pl.filter(cycleState(), daemon, nodeInfo(makeNode('nr', { ready: 'False' }))), undefined);
  assert.equal(pl.filter(cycleState(), daemon, nodeInfo(makeNode('unk', { ready: 'Unknown' })))?.code, 'UnschedulableAndUnresolvable');
});

test('NodeUnschedulable and NodeName', () => {
  const cordoned = nodeInfo(makeNode('c', { unschedulable: true }));
  const un = new NodeUnschedulablePlugin();
  assert.deepEqual(un.filter(cycleState(), makePod('p'), cordoned)?.reasons, ['node(s) were unschedulable']);
  const ds = makePod('ds', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
  assert.equal(un.filter(cycleState(), ds, cordoned), undefined);
  assert.equal(un.filter(cycleState(), makePod('p'), nodeInfo(makeNode('ok'))), undefined);

  const nn = new NodeNamePlugin();
  const pinned = makePod('p', { spec: { nodeName: 'n2' } });
  assert.deepEqual(nn.filter(cycleState(), pinned, nodeInfo(makeNode('n1')))?.reasons, ["node(s) didn't match the requested node name"]);
  assert.equal(nn.filter(cycleState(), pinned, nodeInfo(makeNode('n2'))), undefined);
  assert.equal(nn.filter(cycleState(), makePod('free'), nodeInfo(makeNode('n1'))), undefined);
});
