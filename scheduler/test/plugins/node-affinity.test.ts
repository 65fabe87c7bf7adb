import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeAffinityPlugin } from '../../src/plugins/node-affinity.ts';
import type { NodeScore } from '../../src/framework/interfaces.ts';
import type { NodeSelectorTerm, Pod } from '../../src/types.ts';
import { cycleState, makeNode, makePod, nodeInfo } from '../fixtures.ts';

const REASON = "node(s) didn't match Pod's node affinity/selector";

function fits(pod: Pod, labels: Record<string, string>, name = 'n'): boolean {
  const pl = new NodeAffinityPlugin();
  const state = cycleState();
  const pre = pl.preFilter(state, pod);
  if (pre?.code === 'Skip') return true;
  const s = pl.filter(state, pod, nodeInfo(makeNode(name, { labels })));
  if (s) assert.deepEqual(s.reasons, [REASON]);
  return s === undefined;
}

function required(...terms: NodeSelectorTerm[]): Pod {
  return makePod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } });
}

test('a pod without nodeSelector or required affinity skips the filter', () => {
  assert.equal(new NodeAffinityPlugin().preFilter(cycleState(), makePod('p'))?.code, 'Skip');
});

test('nodeSelector needs every label to be equal', () => {
  const pod = makePod('p', { spec: { nodeSelector: { disk: 'ssd', zone: 'a' } } });
  assert.equal(fits(pod, { disk: 'ssd', zone: 'a', extra: 'x' }), true);
  assert.equal(fits(pod, { disk: 'ssd' }), false);
  assert.equal(fits(pod, { disk: 'hdd', zone: 'a' }), false);
});

test('operators In, NotIn, Exists, DoesNotExist, Gt, Lt', () => {
  const t = (key: string, operator: string, values?: string[]) => required({ matchExpressions: [{ key, operator, values }] });
  assert.equal(fits(t('zone', 'In', ['a', 'b']), { zone: 'b' }), true);
  assert.equal(fits(t('zone', 'In', ['a', 'b']), { zone: 'c' }), false);
  assert.equal(fits(t('zone', 'In', ['a']), {}), false);
  assert.equal(fits(t('zone', 'NotIn', ['a']), { zone: 'b' }), true);
  assert.equal(fits(t('zone', 'NotIn', ['a']), {}), true, 'NotIn holds when the label is absent');
  assert.equal(fits(t('zone', 'NotIn', ['a']), { zone: 'a' }), false);
  assert.equal(fits(t('gpu', 'Exists'), { gpu: '' }), true);
  assert.equal(fits(t('gpu', 'Exists'), {}), false);
  assert.equal(fits(t('gpu', 'DoesNotExist'), {}), true);
  assert.equal(fits(t('gpu', 'DoesNotExist'), { gpu: 'x' }), false);
  assert.equal(fits(t('cores', 'Gt', ['8']), { cores: '16' }), true);
  assert.equal(fits(t('cores', 'Gt', ['8']), { cores: '8' }), false);
  assert.equal(fits(t('cores', 'Gt', ['8']), { cores: 'many' }), false, 'a non-integer label never matches Gt');
  assert.equal(fits(t('cores', 'Lt', ['8']), { cores: '4' }), true);
  assert.equal(fits(t('cores', 'Lt', ['8']), {}), false);
  assert.equal(fits(t('cores', 'Gt', ['x']), { cores: '16' }), false, 'an invalid term matches nothing');
  assert.equal(fits(t('zone', 'In', []), { zone: 'a' }), false, 'In without values is invalid');
});

test('terms are ORed, requirements within a term ANDed, an empty term matches nothing', () => {
  const pod = required(
    { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disk', operator: 'In', values: ['ssd'] }] },
    { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] },
  );
  assert.equal(fits(pod, { zone: 'a', disk: 'ssd' }), true);
  assert.equal(fits(pod, { zone: 'a', disk: 'hdd' }), false);
  assert.equal(fits(pod, { gpu: '1' }), true);
  assert.equal(fits(required({}), { zone: 'a' }), false);
  assert.equal(fits(required(), { zone: 'a' }), false, 'required affinity without terms matches no node');
});

test('matchFields on metadata.name', () => {
  const pod = required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] });
  assert.equal(fits(pod, {}, 'node-2'), true);
  assert.equal(fits(pod, {}, 'node-1'), false);
});

test('nodeSelector and required affinity must both hold', () => {
  const pod = makePod('p', {
    spec: {
      nodeSelector: { disk: 'ssd' },
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
    },
  });
  assert.equal(fits(pod, { disk: 'ssd', zone: 'a' }), true);
  assert.equal(fits(pod, { disk: 'ssd', zone: 'b' }), false);
  assert.equal(fits(pod, { zone: 'a' }), false);
});

test('preferred terms add their weights, normalized to 0..100', () => {
  const pl = new NodeAffinityPlugin();
  const pod = makePod('p', {
    spec: {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 80, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
            { weight: 20, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
          ],
        },
      },
    },
  });
  const nodes = [
    nodeInfo(makeNode('both', { labels: { zone: 'a', disk: 'ssd' } })),
    nodeInfo(makeNode('zone', { labels: { zone: 'a' } })),
    nodeInfo(makeNode('disk', { labels: { disk: 'ssd' } })),
    nodeInfo(makeNode('none')),
  ];
  const state = cycleState();
  assert.equal(pl.preScore(state, pod), undefined);
  const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: pl.score(state, pod, n) }));
  assert.deepEqual(scores.map((s) => s.score), [100, 80, 20, 0]);
  scores[0].score = 50; // a maximum below 100 scales up
  pl.normalizeScore(state, pod, scores);
  assert.deepEqual(scores.map((s) => s.score), [62, 100, 25, 0]);
  assert.equal(pl.preScore(cycleState(), makePod('plain'))?.code, 'Skip');
});
