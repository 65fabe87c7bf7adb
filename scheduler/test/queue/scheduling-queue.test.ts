import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '@minik8s/shared';
import { SchedulingQueue } from '../../src/queue/scheduling-queue.ts';
import type { QueuedPodInfo } from '../../src/queue/queued-pod-info.ts';
import { ActionType, NodeAdd, AssignedPodDelete, type ClusterEventWithHint } from '../../src/framework/cluster-event.ts';
import { PrioritySortPlugin } from '../../src/plugins/priority-sort.ts';
import type { Node, Pod } from '../../src/types.ts';
import { makeNode, makePod } from '../fixtures.ts';

const sort = new PrioritySortPlugin();

function newQueue(clock: FakeClock, events: Record<string, ClusterEventWithHint[]> = {}): SchedulingQueue {
  return new SchedulingQueue({ less: (a, b) => sort.less(a, b), eventsToRegister: new Map(Object.entries(events)), clock });
}

/** Pops a pod and reports it unschedulable because of `plugins`. */
async function failWith(q: SchedulingQueue, plugins: string[]): Promise<QueuedPodInfo> {
  const p = (await q.pop())!;
  p.unschedulablePlugins = new Set(plugins);
  q.addUnschedulableIfNotPresent(p, q.currentSchedulingCycle());
  return p;
}

test('backoff is 1 s after the first attempt, doubling to at most 10 s', () => {
  const q = newQueue(new FakeClock());
  const info = (attempts: number) => ({ attempts }) as QueuedPodInfo;
  assert.deepEqual([1, 2, 3, 4, 5, 6, 20].map((a) => q.backoffDuration(info(a))), [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
});

test('pop hands out higher priority first, then first come first served, and waits when empty', async () => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  q.add(makePod('low-1'));
  await clock.step(1);
  q.add(makePod('high', { spec: { priority: 10 } }));
  await clock.step(1);
  q.add(makePod('low-2'));
  const names = [];
  for (let i = 0; i < 3; i++) names.push((await q.pop())!.pod.metadata.name);
  assert.deepEqual(names, ['high', 'low-1', 'low-2']);
  const waiting = q.pop();
  q.add(makePod('late'));
  assert.equal((await waiting)?.pod.metadata.name, 'late');
  const closed = q.pop();
  q.close();
  assert.equal(await closed, undefined);
});

test('an unschedulable pod moves only on an event its rejecting plugin registered for, and only if the hint agrees', async () => {
  const clock = new FakeClock();
  const fitsNode = (_pod: Pod, _old: unknown, node: unknown) => ((node as Node).metadata.labels?.big === 'yes' ? 'Queue' : 'QueueSkip') as 'Queue' | 'QueueSkip';
  const q = newQueue(clock, {
    NodeResourcesFit: [{ event: { resource: 'Node', actionType: ActionType.Add }, queueingHintFn: fitsNode }],
    NodePorts: [{ event: { resource: 'AssignedPod', actionType: ActionType.Delete } }],
  });
  const pod = makePod('p');
  q.add(pod);
  const p = await failWith(q, ['NodeResourcesFit']);
  const attempts = p.attempts;
  assert.equal(q.whereIs(pod), 'unschedulable');

  q.moveAllToActiveOrBackoffQueue(AssignedPodDelete, makePod('gone'));
  assert.equal(q.whereIs(pod), 'unschedulable', 'an event nobody who rejected it registered for');
  q.moveAllToActiveOrBackoffQueue(NodeAdd, undefined, makeNode('small'));
  assert.equal(q.whereIs(pod), 'unschedulable', 'the hint said QueueSkip');
  q.moveAllToActiveOrBackoffQueue(NodeAdd, undefined, makeNode('big', { labels: { big: 'yes' } }));
  assert.equal(q.whereIs(pod), 'backoff', 'still within its 1 s backoff');
  await clock.step(999);
  q.flushBackoffQCompleted();
  assert.equal(q.whereIs(pod), 'backoff');
  await clock.step(1);
  q.flushBackoffQCompleted();
  assert.equal(q.whereIs(pod), 'active');
  assert.equal((await q.pop())?.attempts, attempts + 1);
});

test('a moved pod whose backoff already expired goes straight to activeQ', async () => {
  const clock = new FakeClock();
  const q = newQueue(clock, { NodeResourcesFit: [{ event: { resource: 'Node', actionType: ActionType.Add } }] });
  const pod = makePod('p');
  q.add(pod);
  await failWith(q, ['NodeResourcesFit']);
  await clock.step(5_000);
  q.moveAllToActiveOrBackoffQueue(NodeAdd, undefined, makeNode('n'));
  assert.equal(q.whereIs(pod), 'active');
});

test('a cluster event during the pod\'s own cycle sends it to backoffQ, not unschedulable', async () => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  const pod = makePod('p');
  q.add(pod);
  const p = (await q.pop())!;
  q.moveAllToActiveOrBackoffQueue(NodeAdd, undefined, makeNode('n')); // while p was being scheduled
  p.unschedulablePlugins = new Set(['NodeResourcesFit']);
  q.addUnschedulableIfNotPresent(p, q.currentSchedulingCycle());
  assert.equal(q.whereIs(pod), 'backoff');
});

test('a pod that failed with an error (no rejecting plugin) waits out its backoff', async () => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  const pod = makePod('p');
  q.add(pod);
  await clock.step(1);
  await failWith(q, []);
  assert.equal(q.whereIs(pod), 'backoff');
  q.run();
  await clock.step(1000);
  assert.equal(q.whereIs(pod), 'active', 'the periodic flush moved it');
  q.close();
});

test('pods left unschedulable for 5 minutes are retried anyway', async () => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  const pod = makePod('p');
  q.add(pod);
  await clock.step(1);
  await failWith(q, ['Whatever']);
  await clock.step(5 * 60_000);
  q.flushUnschedulablePodsLeftover();
  assert.equal(q.whereIs(pod), 'unschedulable');
  await clock.step(1);
  q.flushUnschedulablePodsLeftover();
  assert.equal(q.whereIs(pod), 'active');
});

test('updating an unschedulable pod requeues it only for a change a rejecting plugin cares about', async () => {
  const clock = new FakeClock();
  const q = newQueue(clock, { TaintToleration: [{ event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodTolerations } }] });
  const pod = makePod('p');
  q.add(pod);
  await clock.step(1);
  await failWith(q, ['TaintToleration']);
  const relabeled: Pod = { ...pod, metadata: { ...pod.metadata, labels: { a: 'b' }, resourceVersion: '2' } };
  q.update(pod, relabeled);
  assert.equal(q.whereIs(pod), 'unschedulable');
  const tolerant: Pod = { ...relabeled, spec: { ...relabeled.spec, tolerations: [{ operator: 'Exists' }] } };
  q.update(relabeled, tolerant);
  assert.equal(q.whereIs(pod), 'backoff');
  q.delete(tolerant);
  assert.equal(q.whereIs(pod), undefined);
  assert.deepEqual(q.sizes(), { active: 0, backoff: 0, unschedulable: 0 });
});
