// The DaemonSet controller against a real apiserver + etcd, a real kube-scheduler (daemon pods
// are placed by their node affinity, as upstream) and kubelets replaced by WorkloadKubelets.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { KubeObject } from '@minik8s/shared';
import { REPO_ROOT, freePort, waitFor } from '@minik8s/shared/testing';
import { FAST_FLAGS, startCluster, type TestCluster } from './support/cluster.ts';
import { WorkloadKubelets } from './support/workload-kubelets.ts';
import { events, isReady, podTemplate } from './support/objects.ts';

/** A kube-scheduler process; resolves once its /healthz answers. */
async function startScheduler(url: string): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['scheduler/src/main.ts', `--master=${url}`, `--port=${port}`, '--bind-address=127.0.0.1', '--leader-elect=false'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`kube-scheduler exited with ${child.exitCode}`);
      return (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200;
    },
    { timeoutMs: 30_000, message: 'kube-scheduler never served /healthz' },
  );
  return {
    child,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function daemonSet(name: string, namespace: string, labels: Record<string, string>, spec: Record<string, unknown> = {}, image = 'busybox:v1'): KubeObject {
  const template = podTemplate(labels, image) as { spec: Record<string, unknown> };
  const { templateSpec, ...rest } = spec as { templateSpec?: Record<string, unknown> };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { ...template, spec: { ...template.spec, ...(templateSpec ?? {}) } }, ...rest },
  };
}

/** The DaemonSet's pods not being deleted, by the node they run on. */
async function podsByNode(cluster: TestCluster, namespace: string, app: string): Promise<Map<string, KubeObject>> {
  const list = await cluster.client.list('pods', { namespace, labelSelector: `app=${app}` });
  const out = new Map<string, KubeObject>();
  for (const p of list.items) if (!p.metadata.deletionTimestamp && p.spec?.nodeName) out.set(p.spec.nodeName, p);
  return out;
}

/** Waits until the DaemonSet's ready pods run on exactly `nodes`. */
async function waitForNodes(cluster: TestCluster, namespace: string, app: string, nodes: string[]): Promise<Map<string, KubeObject>> {
  return waitFor(
    async () => {
      const list = await cluster.client.list('pods', { namespace, labelSelector: `app=${app}` });
      const live = list.items.filter((p) => !p.metadata.deletionTimestamp);
      const byNode = new Map(live.filter((p) => p.spec?.nodeName).map((p) => [p.spec.nodeName as string, p]));
      const ok = live.length === nodes.length && nodes.every((n) => byNode.has(n) && isReady(byNode.get(n)!));
      return ok ? byNode : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, message: `ready ${app} pods on exactly ${nodes.join(', ')}` },
  );
}

async function waitForStatus(cluster: TestCluster, namespace: string, name: string, want: Record<string, number>): Promise<KubeObject> {
  return waitFor(
    async () => {
      const ds = await cluster.client.get('daemonsets.apps', name, { namespace });
      const s = ds.status ?? {};
      const ok = Object.entries(want).every(([k, v]) => (s[k] ?? 0) === v) && s.observedGeneration === ds.metadata.generation;
      return ok ? ds : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, message: `status of ${namespace}/${name} ${JSON.stringify(want)}` },
  );
}

describe('daemonset controller', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let kubelets: WorkloadKubelets;
  let scheduler: Awaited<ReturnType<typeof startScheduler>>;

  before(async () => {
    cluster = await startCluster();
    kubelets = new WorkloadKubelets(cluster.client, {
      nodes: [
        { name: 'node-a', labels: { disk: 'ssd' } },
        { name: 'node-b', labels: { disk: 'ssd' } },
        { name: 'node-t', labels: { disk: 'ssd' }, taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] },
      ],
    });
    await kubelets.start();
    scheduler = await startScheduler(cluster.url);
    await cluster.startControllerManager([...FAST_FLAGS, '--controllers=daemonset']);
  });

  after(async () => {
    await scheduler?.stop();
    await kubelets?.stop();
    await cluster?.stop();
  });

  it('runs one pod per eligible node and follows nodes being added, relabelled and removed', async () => {
    const ns = 'follow';
    await cluster.createNamespace(ns);
    await cluster.client.create('daemonsets.apps', daemonSet('agent', ns, { app: 'agent' }, { templateSpec: { nodeSelector: { disk: 'ssd' } } }));
    // node-t carries a NoSchedule taint the DaemonSet does not tolerate.
    const first = await waitForNodes(cluster, ns, 'agent', ['node-a', 'node-b']);
    const ds = await waitForStatus(cluster, ns, 'agent', { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2, numberMisscheduled: 0, numberUnavailable: 0 });
    assert.equal(ds.metadata.annotations?.['deprecated.daemonset.template.generation'], '1');
    for (const [node, pod] of first) {
      assert.equal(pod.metadata.ownerReferences?.[0]?.kind, 'DaemonSet');
      assert.equal(pod.metadata.ownerReferences?.[0]?.controller, true);
      assert.match(pod.metadata.name!, /^agent-[a-z0-9]{5}$/);
      // Pinned by affinity and bound by the scheduler, not by the controller.
      assert.deepEqual(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
      });
      const notReady = pod.spec.tolerations.find((t: { key?: string; effect?: string }) => t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoExecute');
      assert.deepEqual(notReady, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' });
      for (const key of ['disk-pressure', 'memory-pressure', 'pid-pressure', 'unschedulable']) {
        assert.ok(pod.spec.tolerations.some((t: { key?: string; effect?: string }) => t.key === `node.kubernetes.io/${key}` && t.effect === 'NoSchedule'), key);
      }
      assert.match(pod.metadata.labels?.['controller-revision-hash'] ?? '', /^[a-z0-9]+$/);
      assert.equal(pod.metadata.labels?.['pod-template-generation'], '1');
    }
    const scheduled = (await events(cluster.client, ns)).filter((e) => e.reason === 'Scheduled');
    assert.ok(scheduled.length >= 2, 'the scheduler bound the daemon pods');

    // A new eligible node gets a pod.
    await kubelets.addNode({ name: 'node-c', labels: { disk: 'ssd' } });
    await waitForNodes(cluster, ns, 'agent', ['node-a', 'node-b', 'node-c']);
    await waitForStatus(cluster, ns, 'agent', { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3 });

    // A node that stops matching the nodeSelector loses its pod.
    await kubelets.labelNode('node-b', { disk: 'hdd' });
    await waitForNodes(cluster, ns, 'agent', ['node-a', 'node-c']);
    await waitForStatus(cluster, ns, 'agent', { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 0 });

    // A deleted node leaves the desired set at once; its bound pod is the pod GC's to remove.
    const onC = (await podsByNode(cluster, ns, 'agent')).get('node-c')!;
    await kubelets.deleteNode('node-c');
    await waitForStatus(cluster, ns, 'agent', { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, numberAvailable: 1 });
    const remaining = await podsByNode(cluster, ns, 'agent');
    assert.deepEqual([...remaining.keys()].sort(), ['node-a', 'node-c']);
    assert.equal(remaining.get('node-c')!.metadata.uid, onC.metadata.uid, 'no second pod for a node that is gone');

    const evs = await events(cluster.client, ns, 'agent');
    assert.ok(evs.some((e) => e.reason === 'SuccessfulCreate' && /^Created pod: agent-/.test(e.message as string)));
    assert.ok(evs.some((e) => e.reason === 'SuccessfulDelete'));
  });

  it('runs on tainted nodes it tolerates', async () => {
    const ns = 'tolerate';
    await cluster.createNamespace(ns);
    const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }];
    await cluster.client.create('daemonsets.apps', daemonSet('infra', ns, { app: 'infra' }, { templateSpec: { nodeSelector: { disk: 'ssd' }, tolerations } }));
    await waitForNodes(cluster, ns, 'infra', ['node-a', 'node-t']);
    await waitForStatus(cluster, ns, 'infra', { desiredNumberScheduled: 2, numberReady: 2 });
  });

  it('rolls a new template out with maxUnavailable 1, never more than one node without a ready pod', async () => {
    const ns = 'roll';
    await cluster.createNamespace(ns);
    for (const n of ['roll-1', 'roll-2', 'roll-3']) await kubelets.addNode({ name: n, labels: { pool: 'roll' } });
    await cluster.client.create(
      'daemonsets.apps',
      daemonSet('web', ns, { app: 'web' }, { templateSpec: { nodeSelector: { pool: 'roll' } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } }),
    );
    const v1 = await waitForNodes(cluster, ns, 'web', ['roll-1', 'roll-2', 'roll-3']);
    const oldHash = v1.get('roll-1')!.metadata.labels!['controller-revision-hash'];

    // Watch every pod change from now on and replay them: at each step count nodes with a
    // ready pod that is not being deleted.
    const list = await cluster.client.list('pods', { namespace: ns });
    const state = new Map<string, KubeObject>(list.items.map((p) => [p.metadata.uid!, p]));
    let minReadyNodes = Infinity;
    const watchAbort = new AbortController();
    const watching = (async () => {
      for await (const ev of cluster.client.watch('pods', { namespace: ns, resourceVersion: list.metadata.resourceVersion, signal: watchAbort.signal })) {
        if (ev.type === 'DELETED') state.delete(ev.object.metadata.uid!);
        else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') state.set(ev.object.metadata.uid!, ev.object);
        const readyNodes = new Set([...state.values()].filter((p) => !p.metadata.deletionTimestamp && isReady(p)).map((p) => p.spec?.nodeName));
        minReadyNodes = Math.min(minReadyNodes, readyNodes.size);
      }
    })().catch((err) => {
      if (!watchAbort.signal.aborted) throw err;
    });

    await cluster.client.patch('daemonsets.apps', 'web', { spec: { template: { spec: { containers: [{ name: 'app', image: 'busybox:v2', command: ['sleep', '3600'] }] } } } }, { namespace: ns, type: 'merge' });
    const v2 = await waitFor(
      async () => {
        const pods = await podsByNode(cluster, ns, 'web');
        const all = [...pods.values()];
        return all.length === 3 && all.every((p) => p.spec.containers[0].image === 'busybox:v2' && isReady(p)) ? pods : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, message: 'every node runs a ready busybox:v2 pod' },
    );
    const ds = await waitForStatus(cluster, ns, 'web', { desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberReady: 3, numberAvailable: 3 });
    watchAbort.abort();
    await watching;

    assert.ok(minReadyNodes >= 2, `at most one node without a ready pod during the rollout (saw ${minReadyNodes} ready nodes)`);
    const newHash = v2.get('roll-1')!.metadata.labels!['controller-revision-hash'];
    assert.notEqual(newHash, oldHash);
    for (const p of v2.values()) {
      assert.equal(p.metadata.labels!['controller-revision-hash'], newHash);
      assert.equal(p.metadata.labels!['pod-template-generation'], '2');
    }
    assert.equal(ds.metadata.generation, 2);
    assert.equal(ds.metadata.annotations?.['deprecated.daemonset.template.generation'], '2');
  });
});
