// Two kube-scheduler processes with short leases: only the leader binds; after the leader is
// SIGKILLed the other takes over within the lease duration; no pod is bound twice (the
// apiserver refuses a second binding with 409, and every pod gets exactly one Scheduled event
// and never changes node).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@minik8s/shared/testing';
import { api, createNode, eventsFor, nodeManifest, podManifest, startCluster, startScheduler, type Cluster, type SchedulerProcess } from './support.ts';

const LEASE = ['--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=500ms'];
const LEADER_METRIC = 'leader_election_master_status{name="kube-scheduler"}';
const ATTEMPTS = 'scheduler_schedule_attempts_total{result="scheduled",profile="default-scheduler"}';

let cluster: Cluster;
let url: string;
const scheds: SchedulerProcess[] = [];
/** Every nodeName each pod was ever seen with, from a watch started before any pod existed. */
const nodeNamesSeen = new Map<string, Set<string>>();
const watchAbort = new AbortController();

async function watchPods(): Promise<void> {
  const res = await fetch(`${url}/api/v1/namespaces/default/pods?watch=true`, { signal: watchAbort.signal });
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        const pod = ev.object;
        if (!pod?.spec?.nodeName) continue;
        const seen = nodeNamesSeen.get(pod.metadata.name) ?? new Set();
        seen.add(pod.spec.nodeName);
        nodeNamesSeen.set(pod.metadata.name, seen);
      }
    }
  } catch {
    // aborted at the end of the test
  }
}

async function leaderOf(list: SchedulerProcess[]): Promise<SchedulerProcess | undefined> {
  for (const s of list) {
    if (s.process.exitCode !== null || s.process.signalCode !== null) continue;
    if ((await s.metrics()).get(LEADER_METRIC) === 1) return s;
  }
  return undefined;
}

async function createPods(prefix: string, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  await Promise.all(names.map((name) => api(url, 'POST', '/api/v1/namespaces/default/pods', podManifest(name, { cpu: '100m' }))));
  return names;
}

async function allBound(names: string[]): Promise<boolean> {
  const list = await api(url, 'GET', '/api/v1/namespaces/default/pods');
  const bound = new Set(list.items.filter((p: any) => p.spec.nodeName).map((p: any) => p.metadata.name));
  return names.every((n) => bound.has(n));
}

before(async () => {
  cluster = await startCluster();
  url = cluster.api.url;
  void watchPods();
  for (let i = 1; i <= 3; i++) await createNode(url, nodeManifest(`node-${i}`, { cpu: '16', memory: '32Gi' }));
  scheds.push(await startScheduler(url, LEASE));
  scheds.push(await startScheduler(url, LEASE));
});

after(async () => {
  watchAbort.abort();
  for (const s of scheds) await s.kill();
  await cluster?.stop();
});

test('only the leader schedules; a SIGKILLed leader is replaced within the lease; no pod is bound twice', async () => {
  const leader = await waitFor(() => leaderOf(scheds), { timeoutMs: 20_000, message: 'a leader' });
  const standby = scheds.find((s) => s !== leader)!;
  const lease = await api(url, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler');
  assert.ok(lease.spec.holderIdentity, 'the Lease kube-system/kube-scheduler names the leader');

  const first = await createPods('before', 30);
  await waitFor(() => allBound(first), { timeoutMs: 30_000, message: 'the first batch bound' });
  assert.equal((await standby.metrics()).get(LEADER_METRIC) ?? 0, 0);
  assert.equal((await standby.metrics()).get(ATTEMPTS) ?? 0, 0, 'the standby scheduled nothing');
  assert.equal((await leader.metrics()).get(ATTEMPTS), 30);

  // Kill the leader while pods keep arriving: some are created before, some after the takeover.
  const during = createPods('during', 30);
  await leader.kill('SIGKILL');
  const killedAt = Date.now();
  const second = await during;
  await waitFor(async () => (await standby.metrics()).get(LEADER_METRIC) === 1, { timeoutMs: 20_000, message: 'the standby took over' });
  const tookOverAfter = Date.now() - killedAt;
  const third = await createPods('after', 30);
  const everything = [...first, ...second, ...third];
  await waitFor(() => allBound(everything), { timeoutMs: 60_000, message: 'every pod bound' });
  const newLease = await api(url, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler');
  assert.notEqual(newLease.spec.holderIdentity, lease.spec.holderIdentity);
  assert.ok(newLease.spec.leaseTransitions >= 1);
  assert.ok(((await standby.metrics()).get(ATTEMPTS) ?? 0) >= third.length, 'the new leader bound the pods created after the takeover');
  // Within the lease duration, plus one retry period and the time to notice, as client-go promises.
  assert.ok(tookOverAfter < 3_000 + 500 + 5_000, `took over after ${tookOverAfter} ms`);

  // Every pod only ever had one node, and never two Scheduled events. Events are best effort: the
  // SIGKILLed leader may die with some still queued, so only the new leader's pods must have one.
  for (const name of third) {
    await waitFor(async () => (await eventsFor(url, name, 'Scheduled')).length > 0, { message: `Scheduled event of ${name}` });
  }
  for (const name of everything) {
    const events = await eventsFor(url, name, 'Scheduled');
    assert.ok(events.length <= 1, `${name} has ${events.length} Scheduled events`);
    if (events.length) assert.equal(events[0].count, 1);
    assert.equal(nodeNamesSeen.get(name)?.size, 1, `${name} was seen on ${[...(nodeNamesSeen.get(name) ?? [])]}`);
  }
});
