import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '@minik8s/shared';
import { Scheduler } from '../src/scheduler.ts';
import { SchedulerEventHandlers } from '../src/event-handlers.ts';
import { EventRecorder } from '@minik8s/shared';
import type { Node, Pod } from '../src/types.ts';
import type { Profile } from '../src/framework/framework.ts';
import type { ReservePlugin } from '../src/framework/interfaces.ts';
import { Registry } from '../src/framework/registry.ts';
import { newStatus } from '../src/framework/status.ts';
import { defaultProfile, inTreeRegistry } from '../src/plugins/registry.ts';
import { FakeApi } from './fake-api.ts';
import { makeNode, makePod, noListers } from './fixtures.ts';

/** A scheduler fed by hand instead of informers: `pending` plays the pending-pods informer. */
function setup(opts: { random?: () => number; profile?: Profile; registry?: Registry; api?: FakeApi } = {}) {
  const api = opts.api ?? new FakeApi();
  const pending = new Map<string, Pod>();
  const sched = new Scheduler({
    client: api,
    listers: noListers,
    pendingPod: (ns, name) => pending.get(`${ns}/${name}`),
    recorder: new EventRecorder({ client: api, component: 'default-scheduler' }),
    random: opts.random,
    profile: opts.profile,
    registry: opts.registry,
  });
  const h = new SchedulerEventHandlers(sched);
  const ctl = new AbortController();
  const running = sched.run(ctl.signal);
  return {
    api,
    sched,
    addNode: (n: Node) => h.nodes.onAdd!(n, false),
    addPod: (p: Pod) => {
      pending.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
      h.pendingPods.onAdd!(p, false);
    },
    /** What the informers would report once the apiserver bound the pod. */
    confirm: (p: Pod) => {
      const node = api.bindings.get(`${p.metadata.namespace}/${p.metadata.name}`)!;
      pending.delete(`${p.metadata.namespace}/${p.metadata.name}`);
      h.pendingPods.onDelete!(p);
      h.scheduledPods.onAdd!({ ...p, spec: { ...p.spec, nodeName: node } }, false);
    },
    update: (oldPod: Pod, newPod: Pod) => {
      pending.set(`${newPod.metadata.namespace}/${newPod.metadata.name}`, newPod);
      h.pendingPods.onUpdate!(oldPod, newPod);
    },
    removePending: (p: Pod) => pending.delete(`${p.metadata.namespace}/${p.metadata.name}`),
    stop: async () => {
      ctl.abort();
      await running;
    },
  };
}

const cpuNode = (name: string, cpu: string, extra = {}) => makeNode(name, { allocatable: { cpu, memory: '4Gi', pods: '110' }, ...extra });

test('pods are bound to nodes that fit, counting pods assumed a moment ago', async () => {
  const t = setup();
  t.addNode(cpuNode('node-1', '1'));
  t.addNode(cpuNode('node-2', '1'));
  const pods = [0, 1, 2].map((i) => makePod(`p${i}`, { requests: { cpu: '600m' } }));
  for (const p of pods) t.addPod(p);
  await t.api.until(() => t.api.bindings.size === 2 && t.api.eventsFor(pods[2], 'FailedScheduling').length === 1, 'two bindings and one failure');
  assert.deepEqual(new Set(t.api.bindings.values()), new Set(['node-1', 'node-2']), 'never two 600m pods on one 1-cpu node');
  const failed = pods.find((p) => !t.api.bindings.has(`default/${p.metadata.name}`))!;
  const ev = t.api.eventsFor(failed, 'FailedScheduling')[0] as any;
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
  for (const p of pods.filter((x) => x !== failed)) {
    const [scheduled] = t.api.eventsFor(p, 'Scheduled') as any[];
    assert.equal(scheduled.message, `Successfully assigned default/${p.metadata.name} to ${t.api.bindings.get(`default/${p.metadata.name}`)}`);
    assert.equal(scheduled.source.component, 'default-scheduler');
  }
  const cond = t.api.statusPatches.find((s) => s.pod === `default/${failed.metadata.name}`)!.patch.status.conditions[0];
  assert.deepEqual([cond.type, cond.status, cond.reason, cond.message], ['PodScheduled', 'False', 'Unschedulable', ev.message]);
  assert.equal(t.sched.queue.whereIs(failed), 'unschedulable');

  // A node that fits appears: the waiting pod is moved and bound.
  t.addNode(cpuNode('node-3', '2'));
  await t.api.until(() => t.api.bindings.get(`default/${failed.metadata.name}`) === 'node-3', 'the waiting pod bound to the new node');
  await t.stop();
});

test('the FailedScheduling message reads as upstream 1.32 for resource and readiness failures', async () => {
  const t = setup();
  t.addNode(cpuNode('node-1', '1'));
  t.addNode(cpuNode('node-2', '8', { ready: 'False' }));
  t.addNode(cpuNode('node-3', '8', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }));
  const pod = makePod('big', { requests: { cpu: '2' } });
  t.addPod(pod);
  await t.api.until(() => t.api.eventsFor(pod, 'FailedScheduling').length === 1, 'FailedScheduling');
  assert.equal(
    (t.api.eventsFor(pod, 'FailedScheduling')[0] as any).message,
    '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
  );
  await t.stop();
});

test('with no nodes at all the pod waits with upstream\'s message and is retried after its backoff', async () => {
  const t = setup();
  const pod = makePod('early');
  t.addPod(pod);
  await t.api.until(() => t.api.eventsFor(pod, 'FailedScheduling').length === 1, 'FailedScheduling');
  assert.equal((t.api.eventsFor(pod, 'FailedScheduling')[0] as any).message, 'no nodes available to schedule pods');
  assert.equal(t.sched.queue.whereIs(pod), 'backoff');
  t.addNode(cpuNode('node-1', '1'));
  await t.api.until(() => t.api.bindings.has('default/early'), 'binding after the backoff', 5_000);
  await t.stop();
});

test('a binding the apiserver refuses is forgotten: the node\'s resources are free again', async () => {
  const t = setup();
  t.addNode(cpuNode('node-1', '1'));
  const first = makePod('first', { requests: { cpu: '800m' } });
  t.api.failBinding.set('default/first', StatusError.from(409, 'Conflict', 'pod first is already assigned to node "elsewhere"'));
  t.removePending(first); // as the informer would see it: bound by someone else
  t.addPod(first);
  t.removePending(first);
  await t.api.until(() => t.api.bindCalls === 1, 'the refused binding');
  const second = makePod('second', { requests: { cpu: '800m' } });
  t.addPod(second);
  await t.api.until(() => t.api.bindings.get('default/second') === 'node-1', 'the second pod fits once the first is forgotten');
  assert.equal(t.sched.cache.get('node-1')!.requested.milliCPU, 800);
  assert.equal(t.api.eventsFor(first, 'FailedScheduling').length, 0, 'no failure is written on a pod someone else bound');
  assert.equal(t.sched.queue.whereIs(first), undefined);
  await t.stop();
});

test('a binding error on a pod still pending requeues it with backoff and a SchedulerError condition', async () => {
  const t = setup();
  t.addNode(cpuNode('node-1', '1'));
  const pod = makePod('p');
  t.api.failBinding.set('default/p', StatusError.from(500, 'InternalError', 'etcd is sad'));
  t.addPod(pod);
  await t.api.until(() => t.api.bindings.has('default/p'), 'the retried binding');
  const ev = t.api.eventsFor(pod, 'FailedScheduling')[0] as any;
  assert.equal(ev.message, 'running Bind plugin "DefaultBinder": etcd is sad');
  assert.equal(t.api.statusPatches[0].patch.status.conditions[0].reason, 'SchedulerError');
  await t.stop();
});

test('confirmed pods keep counting; deleting one wakes pods waiting for its resources', async () => {
  const t = setup();
  t.addNode(cpuNode('node-1', '1'));
  const a = makePod('a', { requests: { cpu: '1' } });
  t.addPod(a);
  await t.api.until(() => t.api.bindings.size === 1, 'a bound');
  t.confirm(a);
  assert.equal(t.sched.cache.assumedPodCount(), 0);
  const b = makePod('b', { requests: { cpu: '1' } });
  t.addPod(b);
  await t.api.until(() => t.sched.queue.whereIs(b) === 'unschedulable', 'b waiting');
  const h = new SchedulerEventHandlers(t.sched);
  h.scheduledPods.onDelete!({ ...a, spec: { ...a.spec, nodeName: 'node-1' } });
  await t.api.until(() => t.api.bindings.get('default/b') === 'node-1', 'b bound after a was deleted');
  await t.stop();
});

test('pods of another scheduler are left alone', async () => {
  const t = setup();
  t.addNode(cpuNode('node-1', '1'));
  const other = makePod('other', { spec: { schedulerName: 'my-scheduler' } });
  const mine = makePod('mine');
  t.addPod(other);
  t.addPod(mine);
  await t.api.until(() => t.api.bindings.has('default/mine'), 'mine bound');
  assert.equal(t.api.bindings.has('default/other'), false);
  assert.equal(t.sched.queue.whereIs(other), undefined);
  await t.stop();
});

test('a pod with scheduling gates waits until the last gate is removed', async () => {
  const t = setup();
  t.addNode(cpuNode('node-1', '1'));
  const gatedPod = makePod('gated', { spec: { schedulingGates: [{ name: 'example.com/wait' }] } });
  t.addPod(gatedPod);
  const other = makePod('other');
  t.addPod(other);
  await t.api.until(() => t.api.bindings.has('default/other'), 'the ungated pod bound');
  assert.equal(t.api.bindings.has('default/gated'), false);
  assert.equal(t.sched.queue.whereIs(gatedPod), undefined);
  const released: Pod = { ...gatedPod, metadata: { ...gatedPod.metadata, resourceVersion: '2' }, spec: { ...gatedPod.spec, schedulingGates: [] } };
  t.update(gatedPod, released);
  await t.api.until(() => t.api.bindings.has('default/gated'), 'the pod bound once ungated');
  await t.stop();
});

test('the number of nodes to find follows upstream\'s adaptive percentage', async () => {
  const { sched, stop } = setup();
  assert.deepEqual([50, 99, 100, 500, 1000, 5000, 6000].map((n) => sched.numFeasibleNodesToFind(n)), [50, 99, 100, 230, 420, 500, 300]);
  await stop();
});

test('ties are broken at random among the best nodes only', async () => {
  let r = 0;
  const { sched, stop } = setup({ random: () => r });
  const scores = [
    { name: 'a', totalScore: 10 },
    { name: 'b', totalScore: 30 },
    { name: 'c', totalScore: 30 },
    { name: 'd', totalScore: 5 },
  ];
  r = 0; // always replace: the last of the tied nodes
  assert.equal(sched.selectHost(scores), 'c');
  r = 0.99; // never replace: the first of them
  assert.equal(sched.selectHost(scores), 'b');
  await stop();
});

test('a ReplicaSet\'s pods are spread over equal nodes', async () => {
  const owner = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs1', controller: true }];
  const api = new FakeApi();
  const pending = new Map<string, Pod>();
  const sched = new Scheduler({
    client: api,
    listers: { ...noListers, replicaSet: (_ns, name) => (name === 'web' ? { metadata: { name }, spec: { selector: { matchLabels: { app: 'web' } } } } : undefined) },
    pendingPod: (ns, name) => pending.get(`${ns}/${name}`),
  });
  const h = new SchedulerEventHandlers(sched);
  for (let i = 1; i <= 3; i++) h.nodes.onAdd!(makeNode(`node-${i}`, { allocatable: { cpu: '64', memory: '64Gi', pods: '110' } }), false);
  const ctl = new AbortController();
  const running = sched.run(ctl.signal);
  for (let i = 0; i < 6; i++) {
    const p = makePod(`web-${i}`, { labels: { app: 'web' }, ownerReferences: owner, requests: { cpu: '10m', memory: '10Mi' } });
    pending.set(`default/web-${i}`, p);
    h.pendingPods.onAdd!(p, false);
  }
  await api.until(() => api.bindings.size === 6, 'six bindings');
  const perNode = new Map<string, number>();
  for (const n of api.bindings.values()) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  assert.deepEqual([...perNode.values()].sort(), [2, 2, 2], JSON.stringify([...perNode]));
  ctl.abort();
  await running;
});

/**
 * A default profile with two Reserve plugins, First and Second, that log their calls;
 * `rejectOnce` makes Second reject the first Reserve of these pods.
 */
function withReservePlugins(api: FakeApi, rejectOnce: Set<string>) {
  const calls: string[] = [];
  const plugin = (name: string) => (): ReservePlugin => ({
    name,
    reserve: (_s, pod, node) => {
      // Reserve runs in the scheduling cycle: the binding has not been sent yet.
      calls.push(`${name}.reserve ${pod.metadata.name} ${node}${api.bindings.has(`default/${pod.metadata.name}`) ? ' (already bound!)' : ''}`);
      if (name === 'Second' && rejectOnce.delete(pod.metadata.name!)) return newStatus('Unschedulable', 'no room in Second');
      return undefined;
    },
    unreserve: (_s, pod, node) => {
      calls.push(`${name}.unreserve ${pod.metadata.name} ${node}`);
    },
  });
  const registry = inTreeRegistry().merge(new Registry({ First: plugin('First'), Second: plugin('Second') }));
  const base = defaultProfile();
  const binder = base.plugins.findIndex((p) => p.name === 'DefaultBinder');
  const profile: Profile = { ...base, plugins: [...base.plugins.slice(0, binder), { name: 'First' }, { name: 'Second' }, ...base.plugins.slice(binder)] };
  return { calls, registry, profile };
}

test('Reserve runs on the chosen node before the binding; a failed binding unreserves it', async () => {
  const api = new FakeApi();
  const r = withReservePlugins(api, new Set());
  const t = setup({ api, profile: r.profile, registry: r.registry });
  try {
    t.addNode(cpuNode('node-1', '1'));
    const pod = makePod('p', { requests: { cpu: '500m' } });
    api.failBinding.set('default/p', StatusError.from(500, 'InternalError', 'etcd is sad'));
    t.addPod(pod);
    await api.until(() => api.bindings.get('default/p') === 'node-1', 'the retried binding');
    assert.deepEqual(r.calls, [
      'First.reserve p node-1',
      'Second.reserve p node-1',
      // The binding failed: Unreserve in reverse order, then the retry.
      'Second.unreserve p node-1',
      'First.unreserve p node-1',
      'First.reserve p node-1',
      'Second.reserve p node-1',
    ]);
  } finally {
    await t.stop();
  }
});

test('a Reserve rejection unreserves, forgets the pod and reports a FitError over the node tried', async () => {
  const api = new FakeApi();
  const r = withReservePlugins(api, new Set(['p']));
  const t = setup({ api, profile: r.profile, registry: r.registry });
  try {
    t.addNode(cpuNode('node-1', '1'));
    const pod = makePod('p', { requests: { cpu: '500m' } });
    t.addPod(pod);
    await api.until(() => api.eventsFor(pod, 'FailedScheduling').length === 1, 'FailedScheduling');
    assert.deepEqual(r.calls, ['First.reserve p node-1', 'Second.reserve p node-1', 'Second.unreserve p node-1', 'First.unreserve p node-1']);
    assert.equal(api.bindCalls, 0, 'a pod whose Reserve failed is never bound');
    assert.equal(t.sched.cache.get('node-1')!.requested.milliCPU, 0, 'the assumed pod was forgotten');
    assert.equal(t.sched.cache.assumedPodCount(), 0);
    const ev = api.eventsFor(pod, 'FailedScheduling')[0] as any;
    assert.equal(ev.message, '0/1 nodes are available: 1 no room in Second.');
    const cond = api.statusPatches.find((s) => s.pod === 'default/p')!.patch.status.conditions[0];
    assert.deepEqual([cond.type, cond.status, cond.reason, cond.message], ['PodScheduled', 'False', 'Unschedulable', ev.message]);
    // It waits for a cluster event (the plugin registered none, so any will do), not a backoff.
    assert.equal(t.sched.queue.whereIs(pod), 'unschedulable');
    t.addNode(cpuNode('node-2', '1'));
    await api.until(() => api.bindings.has('default/p'), 'bound after a node was added');
  } finally {
    await t.stop();
  }
});
