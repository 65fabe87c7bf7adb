// The node lifecycle, taint eviction and node IPAM controllers against a real apiserver +
// etcd: a node whose lease stops being renewed goes Unknown, is tainted, its pods are evicted
// and recreated on the other node; the taints go when it comes back. Timings shortened by flags.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { isConflict } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';
import { FAST_FLAGS, startCluster, type ControllerManagerProcess, type TestCluster } from './support/cluster.ts';
import { FakeKubelets } from './support/fake-kubelets.ts';
import { activePods, deployment, events, isReady, waitForReadyPods } from './support/objects.ts';

const TOLERATION_SECONDS = 2;

describe('node lifecycle', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let kubelets: FakeKubelets;
  let kcm: ControllerManagerProcess;

  before(async () => {
    // The DefaultTolerationSeconds admission gives every pod these (300 s upstream).
    cluster = await startCluster({
      apiserverArgs: [`--default-not-ready-toleration-seconds=${TOLERATION_SECONDS}`, `--default-unreachable-toleration-seconds=${TOLERATION_SECONDS}`],
    });
    kubelets = new FakeKubelets(cluster.client, { nodes: ['node-a', 'node-b'] });
    await kubelets.start();
    kcm = await cluster.startControllerManager([
      ...FAST_FLAGS,
      '--controllers=replicaset,deployment,nodelifecycle,tainteviction,nodeipam',
      '--node-monitor-grace-period=2s',
      '--cluster-cidr=10.244.0.0/16',
      '--node-cidr-mask-size=24',
    ]);
  });

  after(async () => {
    await kubelets?.stop();
    await cluster?.stop();
  });

  const node = (name: string) => cluster.client.get('nodes', name);
  const taints = async (name: string) => ((await node(name)).spec?.taints ?? []) as { key: string; effect: string; timeAdded?: string }[];

  it('allocates each node a pod CIDR from the cluster CIDR', async () => {
    const cidrs = await waitFor(async () => {
      const got = await Promise.all(['node-a', 'node-b'].map(async (n) => (await node(n)).spec?.podCIDR as string | undefined));
      return got.every(Boolean) ? got : undefined;
    }, { message: 'both nodes have a podCIDR' });
    assert.notEqual(cidrs[0], cidrs[1]);
    for (const c of cidrs) assert.match(c!, /^10\.244\.[0-9]+\.0\/24$/);
    const n = await node('node-a');
    assert.deepEqual(n.spec.podCIDRs, [n.spec.podCIDR]);
  });

  it('marks a silent node Unknown, taints it, evicts its pods and brings them back elsewhere', async () => {
    const ns = 'evict';
    await cluster.createNamespace(ns);
    const labels = { app: 'web' };
    const d = deployment('web', ns, 4, labels, 'img:1');
    await cluster.client.create('deployments.apps', d);
    const pods = await waitForReadyPods(cluster.client, ns, labels, 4);
    const onB = pods.filter((p) => p.spec.nodeName === 'node-b');
    assert.ok(onB.length > 0, 'some pods run on node-b');
    for (const p of pods) {
      const keys = (p.spec.tolerations ?? []).map((t: { key: string; tolerationSeconds: number }) => `${t.key}=${t.tolerationSeconds}`).sort();
      assert.deepEqual(keys, [`node.kubernetes.io/not-ready=${TOLERATION_SECONDS}`, `node.kubernetes.io/unreachable=${TOLERATION_SECONDS}`]);
    }
    // A pod tolerating unreachable for 0 s goes at once.
    await cluster.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bare', namespace: ns },
      spec: {
        nodeName: 'node-b',
        containers: [{ name: 'app', image: 'img:1' }],
        tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }],
      },
    } as KubeObject);
    await waitFor(async () => isReady(await cluster.client.get('pods', 'bare', { namespace: ns })), { message: 'bare pod ready' });

    kubelets.stopNode('node-b');
    const ready = await waitFor(async () => {
      const c = (await node('node-b')).status?.conditions?.find((x: { type: string }) => x.type === 'Ready');
      return c?.status === 'Unknown' ? c : undefined;
    }, { timeoutMs: 15_000, message: 'node-b Ready=Unknown' });
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    assert.equal((await node('node-a')).status.conditions.find((x: { type: string }) => x.type === 'Ready').status, 'True');

    const unreachable = await waitFor(async () => (await taints('node-b')).find((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'), {
      timeoutMs: 10_000,
      message: 'node-b tainted unreachable:NoExecute',
    });
    assert.ok(unreachable.timeAdded);
    await waitFor(async () => (await taints('node-b')).some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule'), {
      message: 'node-b tainted unreachable:NoSchedule',
    });

    // The bare pod is evicted at once, the others after their tolerationSeconds.
    const bare = await waitFor(async () => {
      const p = await cluster.client.get('pods', 'bare', { namespace: ns });
      return p.metadata.deletionTimestamp ? p : undefined;
    }, { timeoutMs: 10_000, message: 'bare pod evicted' });
    assert.ok(bare.status.conditions.some((c: { type: string; reason: string }) => c.type === 'DisruptionTarget' && c.reason === 'DeletionByTaintManager'));
    const evicted = await waitFor(async () => {
      const cur = await Promise.all(onB.map((p) => cluster.client.get('pods', p.metadata.name!, { namespace: ns })));
      return cur.every((p) => p.metadata.deletionTimestamp) ? cur : undefined;
    }, { timeoutMs: 15_000, message: 'pods on node-b evicted' });
    const taintedAt = Date.parse(unreachable.timeAdded!);
    for (const p of evicted) {
      // Deletion is graceful: deletionTimestamp = eviction time + grace (1 s).
      const evictedAt = Date.parse(p.metadata.deletionTimestamp!) - (p.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
      assert.ok(evictedAt - taintedAt >= (TOLERATION_SECONDS - 1) * 1000, `evicted ${evictedAt - taintedAt} ms after the taint`);
      // Marked not ready by the node controller before that.
      assert.ok(p.status.conditions.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'False'));
    }

    // Replacements run on node-a.
    const now = await waitFor(async () => {
      const active = await activePods(cluster.client, ns, labels);
      return active.length === 4 && active.every((p) => isReady(p) && p.spec.nodeName === 'node-a') ? active : undefined;
    }, { timeoutMs: 20_000, message: 'four ready pods on node-a' });
    assert.equal(now.length, 4);

    const nodeEvents = (await events(cluster.client, 'default', 'node-b')).map((e) => e.reason);
    assert.ok(nodeEvents.includes('NodeNotReady'), nodeEvents.join(','));
    assert.ok(nodeEvents.includes('RegisteredNode'), nodeEvents.join(','));
    const podEvents = (await events(cluster.client, ns)).filter((e) => e.reason === 'TaintManagerEviction');
    assert.ok(podEvents.length >= onB.length + 1);

    // The kubelet comes back: Ready, untainted, and its terminating pods are finished.
    await kubelets.resumeNode('node-b');
    await waitFor(async () => (await taints('node-b')).every((t) => !t.key.startsWith('node.kubernetes.io/')), {
      timeoutMs: 15_000,
      message: 'node-b taints removed',
    });
    await waitFor(async () => (await cluster.client.list('pods', { namespace: ns, fieldSelector: 'spec.nodeName=node-b' })).items.length === 0, {
      timeoutMs: 15_000,
      message: 'terminating pods on node-b finished',
    });
    assert.doesNotMatch(kcm.logs(), /"level":50/);
  });

  it('taints a node that reports NotReady not-ready, evicts its pods, and untaints it when it is Ready again', async () => {
    const ns = 'notready';
    await cluster.createNamespace(ns);
    // node-c has no kubelet stand-in: the test posts its status and renews its Lease (on every
    // poll), so the node controller keeps hearing from it and it never goes Unknown.
    const name = 'node-c';
    const microNow = () => new Date().toISOString().replace('Z', '000Z');
    await cluster.client.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} } as KubeObject);
    await cluster.client.create('leases.coordination.k8s.io', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microNow() },
    } as KubeObject);
    const heartbeat = () => cluster.client.patch('leases.coordination.k8s.io', name, { spec: { renewTime: microNow() } }, { namespace: 'kube-node-lease', type: 'merge' });
    const postReady = async (status: 'True' | 'False') => {
      for (;;) {
        const n = await node(name);
        const t = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        const reason = status === 'True' ? 'KubeletReady' : 'KubeletNotReady';
        n.status = { ...(n.status ?? {}), conditions: [{ type: 'Ready', status, reason, message: reason, lastHeartbeatTime: t, lastTransitionTime: t }] };
        try {
          await cluster.client.updateStatus('nodes', n);
          return;
        } catch (err) {
          if (!isConflict(err)) throw err; // the IPAM controller wrote its podCIDR meanwhile
        }
      }
    };
    await postReady('False');
    // A pod bound there (nobody runs it) with the admission's default tolerations (2 s).
    await cluster.client.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stuck', namespace: ns }, spec: { nodeName: name, containers: [{ name: 'app', image: 'img:1' }] } } as KubeObject);

    // Queued NoExecute taints go out at --node-eviction-rate per zone (0.1/s by default): node-b
    // took the zone's token in the test before, so this one may wait for the next.
    const notReady = await waitFor(async () => {
      await heartbeat();
      const ts = await taints(name);
      const noExecute = ts.find((t) => t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoExecute');
      return noExecute && ts.some((t) => t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoSchedule') ? noExecute : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200, message: 'node-c tainted not-ready NoExecute and NoSchedule' });
    assert.ok(notReady.timeAdded);
    assert.ok(!(await taints(name)).some((t) => t.key === 'node.kubernetes.io/unreachable'), 'a node that is heard from is not unreachable');
    assert.equal((await node(name)).status.conditions.find((c: { type: string }) => c.type === 'Ready').status, 'False');

    const evicted = await waitFor(async () => {
      await heartbeat();
      const p = await cluster.client.get('pods', 'stuck', { namespace: ns });
      return p.metadata.deletionTimestamp ? p : undefined;
    }, { timeoutMs: 15_000, intervalMs: 200, message: 'the pod on the NotReady node evicted' });
    assert.ok(evicted.status.conditions.some((c: { type: string; reason: string }) => c.type === 'DisruptionTarget' && c.reason === 'DeletionByTaintManager'));

    // Ready again: both not-ready taints go.
    await postReady('True');
    await waitFor(async () => {
      await heartbeat();
      return (await taints(name)).every((t) => !t.key.startsWith('node.kubernetes.io/'));
    }, { timeoutMs: 15_000, intervalMs: 200, message: 'node-c not-ready taints removed' });
    assert.doesNotMatch(kcm.logs(), /"level":50/);
  });
});
