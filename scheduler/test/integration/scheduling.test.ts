// kube-scheduler as a process against a real apiserver and etcd: nodes are created through the
// API with allocatable and a Ready condition (no kubelets), pods are created, and the test
// watches what the scheduler writes back.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@minik8s/shared/testing';
import { api, createNode, eventsFor, getPod, nodeManifest, podManifest, startCluster, startScheduler, type Cluster, type SchedulerProcess } from './support.ts';

let cluster: Cluster;
let sched: SchedulerProcess;
let url: string;

before(async () => {
  cluster = await startCluster();
  url = cluster.api.url;
  sched = await startScheduler(url, ['--leader-elect=false']);
});

after(async () => {
  await sched?.kill();
  await cluster?.stop();
});

test('pods are bound to nodes that fit, with a Scheduled event each', async () => {
  await createNode(url, nodeManifest('small', { cpu: '1' }));
  await createNode(url, nodeManifest('large', { cpu: '8' }));
  await createNode(url, nodeManifest('tainted', { cpu: '8', taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] }));
  await api(url, 'POST', '/api/v1/namespaces/default/pods', podManifest('needs-2-cpu', { cpu: '2' }));
  await api(url, 'POST', '/api/v1/namespaces/default/pods', podManifest('tiny', { cpu: '100m' }));
  const big = await waitFor(async () => (await getPod(url, 'needs-2-cpu')).spec.nodeName, { timeoutMs: 20_000, message: 'needs-2-cpu bound' });
  assert.equal(big, 'large', 'only the untainted 8-cpu node fits 2 cpu');
  const tiny = await waitFor(async () => (await getPod(url, 'tiny')).spec.nodeName, { timeoutMs: 20_000, message: 'tiny bound' });
  assert.notEqual(tiny, 'tainted');
  const scheduled = await waitFor(async () => (await eventsFor(url, 'needs-2-cpu', 'Scheduled'))[0], { message: 'Scheduled event' });
  assert.equal(scheduled.message, 'Successfully assigned default/needs-2-cpu to large');
  assert.equal(scheduled.type, 'Normal');
  assert.equal(scheduled.source.component, 'default-scheduler');
  const pod = await getPod(url, 'needs-2-cpu');
  assert.equal(pod.status.conditions.find((c: any) => c.type === 'PodScheduled').status, 'True');
});

test('a pod that fits nowhere gets PodScheduled=False and FailedScheduling with upstream\'s message, and is bound once a node fits', async () => {
  await createNode(url, nodeManifest('not-ready-1', { cpu: '64', ready: 'False' }));
  await api(url, 'POST', '/api/v1/namespaces/default/pods', podManifest('huge', { cpu: '32' }));
  const expected =
    '0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: infra}, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 Insufficient cpu. ' +
    'preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.';
  const cond = await waitFor(
    async () => (await getPod(url, 'huge')).status.conditions?.find((c: any) => c.type === 'PodScheduled' && c.status === 'False'),
    { timeoutMs: 20_000, message: 'PodScheduled=False' },
  );
  assert.equal(cond.reason, 'Unschedulable');
  assert.equal(cond.message, expected);
  const [failed] = await waitFor(async () => { const l = await eventsFor(url, 'huge', 'FailedScheduling'); return l.length ? l : undefined; }, { message: 'FailedScheduling event' });
  assert.equal(failed.type, 'Warning');
  assert.equal(failed.message, expected);

  await createNode(url, nodeManifest('huge-node', { cpu: '64' }));
  const node = await waitFor(async () => (await getPod(url, 'huge')).spec.nodeName, { timeoutMs: 20_000, message: 'huge bound after the node was added' });
  assert.equal(node, 'huge-node');
  const [ok] = await waitFor(async () => { const l = await eventsFor(url, 'huge', 'Scheduled'); return l.length ? l : undefined; }, { message: 'Scheduled event' });
  assert.equal(ok.message, 'Successfully assigned default/huge to huge-node');
});

test('the pod count of a node is a limit too, and deleting a pod frees its place', async () => {
  await createNode(url, nodeManifest('one-pod', { cpu: '1', pods: '1', labels: { pool: 'single' } }));
  const pinned = (name: string) => ({ ...(podManifest(name) as any), spec: { ...(podManifest(name) as any).spec, nodeSelector: { pool: 'single' } } });
  await api(url, 'POST', '/api/v1/namespaces/default/pods', pinned('first'));
  await waitFor(async () => (await getPod(url, 'first')).spec.nodeName === 'one-pod', { timeoutMs: 20_000, message: 'first bound' });
  await api(url, 'POST', '/api/v1/namespaces/default/pods', pinned('second'));
  const [failed] = await waitFor(async () => { const l = await eventsFor(url, 'second', 'FailedScheduling'); return l.length ? l : undefined; }, { timeoutMs: 20_000, message: 'second refused' });
  // Six nodes by now; each reports the first filter it fails (taints come before selectors).
  assert.equal(
    failed.message,
    "0/6 nodes are available: 1 Too many pods, 1 node(s) had untolerated taint {dedicated: infra}, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 3 node(s) didn't match Pod's node affinity/selector. " +
      'preemption: 0/6 nodes are available: 1 No preemption victims found for incoming pod, 5 Preemption is not helpful for scheduling.',
  );
  // Grace 0: no kubelet runs here to confirm a graceful deletion, and a terminating pod still counts.
  await api(url, 'DELETE', '/api/v1/namespaces/default/pods/first', { gracePeriodSeconds: 0 });
  await waitFor(async () => (await getPod(url, 'second')).spec.nodeName === 'one-pod', { timeoutMs: 30_000, message: 'second bound after first was deleted' });
});

test('/healthz and /metrics are served with upstream metric names', async () => {
  assert.equal(await (await fetch(`http://127.0.0.1:${sched.port}/healthz`)).text(), 'ok');
  const m = await sched.metrics();
  assert.ok((m.get('scheduler_schedule_attempts_total{result="scheduled",profile="default-scheduler"}') ?? 0) >= 4);
  assert.ok((m.get('scheduler_schedule_attempts_total{result="unschedulable",profile="default-scheduler"}') ?? 0) >= 1);
  assert.ok(m.has('scheduler_pending_pods{queue="unschedulable"}'));
  assert.ok([...m.keys()].some((k) => k.startsWith('scheduler_framework_extension_point_duration_seconds_bucket{')));
  assert.ok([...m.keys()].some((k) => k.startsWith('rest_client_requests_total{')));
});
