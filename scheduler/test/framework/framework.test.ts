import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Framework, type Profile } from '../../src/framework/framework.ts';
import { Registry } from '../../src/framework/registry.ts';
import type { BindPlugin, FilterPlugin, Handle, NodeScore, PreFilterPlugin, ScorePlugin } from '../../src/framework/interfaces.ts';
import { Status, newStatus } from '../../src/framework/status.ts';
import { CycleState } from '../../src/framework/cycle-state.ts';
import type { NodeInfo } from '../../src/framework/node-info.ts';
import type { Pod } from '../../src/types.ts';
import { handle, makeNode, makePod, nodeInfo } from '../fixtures.ts';

const calls: string[] = [];

function filter(name: string, verdict: (ni: NodeInfo) => ReturnType<FilterPlugin['filter']>): () => FilterPlugin {
  return () => ({
    name,
    filter: (_s: CycleState, _p: Pod, ni: NodeInfo) => {
      calls.push(`${name}:${ni.name}`);
      return verdict(ni);
    },
  });
}

const binder = (): BindPlugin => ({ name: 'Binder', bind: async () => undefined });

function framework(entries: Record<string, (a: unknown, h: Handle) => unknown>, plugins: Profile['plugins']): Framework {
  const reg = new Registry(entries as never);
  reg.register('Binder', binder);
  return new Framework(reg, { schedulerName: 'test', plugins: [...plugins, { name: 'Binder' }] }, handle());
}

test('the registry refuses duplicate names; the framework refuses unknown and duplicate plugins', () => {
  const reg = new Registry({ A: binder });
  assert.throws(() => reg.register('A', binder), /already exists/);
  assert.throws(() => new Framework(reg, { schedulerName: 's', plugins: [{ name: 'Nope' }] }, handle()), /does not exist/);
  assert.throws(() => new Framework(new Registry({ Binder: binder }), { schedulerName: 's', plugins: [{ name: 'Binder' }, { name: 'Binder' }] }, handle()), /twice/);
  assert.throws(() => new Framework(new Registry({ Binder: () => ({ name: 'Other', bind: async () => undefined }) }), { schedulerName: 's', plugins: [{ name: 'Binder' }] }, handle()), /built a plugin named/);
});

test('filters run in order and the first failure decides the node', () => {
  calls.length = 0;
  const fw = framework(
    {
      First: filter('First', (ni) => (ni.name === 'bad' ? newStatus('UnschedulableAndUnresolvable', 'first says no') : undefined)),
      Second: filter('Second', () => newStatus('Unschedulable', 'second says no')),
    },
    [{ name: 'First' }, { name: 'Second' }],
  );
  const state = new CycleState();
  const s = fw.runFilterPlugins(state, makePod('p'), nodeInfo(makeNode('bad')));
  assert.deepEqual([s?.plugin, s?.reasons], ['First', ['first says no']]);
  assert.deepEqual(calls, ['First:bad']);
  const s2 = fw.runFilterPlugins(state, makePod('p'), nodeInfo(makeNode('good')));
  assert.equal(s2?.plugin, 'Second');
});

test('a PreFilter Skip disables that plugin\'s Filter; a thrown exception becomes an Error status', () => {
  calls.length = 0;
  const skipping = (): PreFilterPlugin & FilterPlugin => ({
    name: 'Skipper',
    preFilter: () => newStatus('Skip'),
    filter: () => {
      calls.push('Skipper');
      return newStatus('Unschedulable', 'should not run');
    },
  });
  const broken = (): FilterPlugin => ({
    name: 'Broken',
    filter: () => {
      throw new Error('boom');
    },
  });
  const fw = framework({ Skipper: skipping, Broken: broken }, [{ name: 'Skipper' }, { name: 'Broken' }]);
  const state = new CycleState();
  assert.equal(fw.runPreFilterPlugins(state, makePod('p'), []), undefined);
  const s = fw.runFilterPlugins(state, makePod('p'), nodeInfo(makeNode('n')));
  assert.deepEqual(calls, []);
  assert.equal(s?.code, 'Error');
  assert.equal(s?.plugin, 'Broken');
  assert.match(s!.message(), /running "Broken" filter plugin: boom/);
});

test('scores are normalized per plugin, weighted and summed; out-of-range scores are errors', () => {
  const scorer = (name: string, raw: Record<string, number>, normalize?: (s: NodeScore[]) => void) => (): ScorePlugin => ({
    name,
    score: (_s, _p, ni) => raw[ni.name],
    ...(normalize ? { normalizeScore: (_s: CycleState, _p: Pod, scores: NodeScore[]) => (normalize(scores), undefined) } : {}),
  });
  const fw = framework(
    {
      Double: scorer('Double', { a: 10, b: 50 }, (s) => s.forEach((x) => (x.score *= 2))),
      Plain: scorer('Plain', { a: 100, b: 0 }),
    },
    [{ name: 'Double', weight: 3 }, { name: 'Plain' }],
  );
  const nodes = [nodeInfo(makeNode('a')), nodeInfo(makeNode('b'))];
  const { scores, status } = fw.runScorePlugins(new CycleState(), makePod('p'), nodes);
  assert.equal(status, undefined);
  assert.deepEqual(scores, [
    { name: 'a', totalScore: 20 * 3 + 100 },
    { name: 'b', totalScore: 100 * 3 + 0 },
  ]);
  const bad = framework({ Over: scorer('Over', { a: 101 }) }, [{ name: 'Over' }]);
  const r = bad.runScorePlugins(new CycleState(), makePod('p'), [nodes[0]]);
  assert.match(r.status!.message(), /invalid score 101/);
  assert.throws(() => framework({ W: scorer('W', {}) }, [{ name: 'W', weight: 0 }]), /weight/);
});

test('plugins that filter without registering events hear every event', () => {
  const fw = framework({ F: filter('F', () => undefined) }, [{ name: 'F' }]);
  const events = fw.eventsToRegister().get('F')!;
  assert.equal(events[0].event.resource, 'WildCard');
});

test('bind: the first binder that does not Skip wins; its error keeps the original cause', async () => {
  const order: string[] = [];
  const cause = new Error('409');
  const reg = new Registry({
    Skip: () => ({ name: 'Skip', bind: async () => (order.push('Skip'), newStatus('Skip')) }),
    Fail: () => ({ name: 'Fail', bind: async () => (order.push('Fail'), new Status('Error', ['conflict'], cause)) }),
    Never: () => ({ name: 'Never', bind: async () => (order.push('Never'), undefined) }),
  });
  const fw = new Framework(reg, { schedulerName: 's', plugins: [{ name: 'Skip' }, { name: 'Fail' }, { name: 'Never' }] }, handle());
  const s = await fw.runBindPlugins(new CycleState(), makePod('p'), 'n');
  assert.deepEqual(order, ['Skip', 'Fail']);
  assert.equal(s?.message(), 'running Bind plugin "Fail": conflict');
  assert.equal(s?.error, cause);
});
