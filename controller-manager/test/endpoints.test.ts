// The Endpoints and EndpointSlice controllers against a real apiserver + etcd.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { isNotFound } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';
import { FAST_FLAGS, startCluster, type TestCluster } from './support/cluster.ts';
import { FakeKubelets } from './support/fake-kubelets.ts';
import { isReady, podTemplate, waitForReadyPods } from './support/objects.ts';

describe('endpoints and endpointslice controllers', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let kubelets: FakeKubelets;

  before(async () => {
    // HTTPS served (a free port, the pair in memory) and a valid advertise address: the
    // apiserver writes the `kubernetes` Endpoints and EndpointSlice, as on a real cluster.
    cluster = await startCluster({ apiserverArgs: ['--secure-port=0', '--bind-address=127.0.0.1', '--cert-dir=', '--advertise-address=10.0.0.10'] });
    kubelets = new FakeKubelets(cluster.client, { nodes: ['node-a', 'node-b'] });
    await kubelets.start();
    await cluster.startControllerManager([...FAST_FLAGS, '--controllers=replicaset,endpoint,endpointslice,garbagecollector']);
  });

  after(async () => {
    await kubelets?.stop();
    await cluster?.stop();
  });

  /** Two sets of pods serving "http" on different container ports. */
  const createBackends = async (ns: string) => {
    for (const [name, port] of [['v8080', 8080], ['v9090', 9090]] as const) {
      const labels = { app: 'svc', variant: name };
      await cluster.client.create('replicasets.apps', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name, namespace: ns },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: podTemplate(labels, 'img:1', { ports: [{ name: 'http', containerPort: port }] }),
        },
      } as KubeObject);
    }
    await cluster.client.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns, labels: { team: 'a' } },
      spec: { selector: { app: 'svc' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
    } as KubeObject);
    return waitForReadyPods(cluster.client, ns, { app: 'svc' }, 4);
  };

  const endpointsOf = async (ns: string): Promise<any> => {
    try {
      return await cluster.client.get('endpoints', 'web', { namespace: ns });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  const slicesOf = async (ns: string) =>
    (await cluster.client.list('endpointslices.discovery.k8s.io', { namespace: ns, labelSelector: 'kubernetes.io/service-name=web' })).items;

  it('leave the apiserver\'s own kubernetes Endpoints and EndpointSlice alone (no selector, not managed by them)', async () => {
    // A Service with a selector in `default`, handled after the selectorless `kubernetes` one
    // that was queued at start: once its endpoints exist, the controllers have seen `kubernetes`.
    await cluster.client.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'probe', namespace: 'default' },
      spec: { selector: { app: 'probe' }, ports: [{ port: 80 }] },
    } as KubeObject);
    await waitFor(async () => {
      const slices = (await cluster.client.list('endpointslices.discovery.k8s.io', { namespace: 'default', labelSelector: 'kubernetes.io/service-name=probe' })).items;
      return slices.length === 1;
    }, { timeoutMs: 10_000, message: 'the probe Service never got its slice' });
    const ep: any = await cluster.client.get('endpoints', 'kubernetes', { namespace: 'default' });
    assert.deepEqual(ep.metadata.labels, { 'endpointslice.kubernetes.io/skip-mirror': 'true' });
    assert.equal(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], undefined, 'never written by the endpoints controller');
    assert.deepEqual(ep.subsets.map((s: any) => s.addresses.map((a: any) => a.ip)), [['10.0.0.10']]);
    assert.deepEqual(ep.metadata.managedFields.map((m: any) => m.manager), ['kube-apiserver']);
    const slices: any[] = (await cluster.client.list('endpointslices.discovery.k8s.io', { namespace: 'default', labelSelector: 'kubernetes.io/service-name=kubernetes' })).items;
    assert.deepEqual(slices.map((x) => [x.metadata.name, x.metadata.labels]), [['kubernetes', { 'kubernetes.io/service-name': 'kubernetes' }]]);
    assert.deepEqual(slices[0].endpoints.map((e: any) => e.addresses), [['10.0.0.10']]);
    await cluster.client.delete('services', 'probe', { namespace: 'default' });
  });

  it('lists ready pods with their named ports resolved per pod', async () => {
    const ns = 'named';
    await cluster.createNamespace(ns);
    const pods = await createBackends(ns);
    const ep = await waitFor(async () => {
      const cur = await endpointsOf(ns);
      const n = (cur?.subsets ?? []).reduce((k: number, s: { addresses?: unknown[] }) => k + (s.addresses?.length ?? 0), 0);
      return n === 4 ? cur : undefined;
    }, { message: 'four ready addresses' });
    const subsets = ep.subsets as { addresses: { ip: string; nodeName: string; targetRef: { kind: string; name: string; uid: string } }[]; ports: { name: string; port: number; protocol: string }[] }[];
    assert.equal(subsets.length, 2, 'one subset per resolved port');
    assert.deepEqual(subsets.map((s) => s.ports[0].port).sort(), [8080, 9090]);
    for (const s of subsets) {
      assert.equal(s.ports[0].name, 'web');
      assert.equal(s.ports[0].protocol, 'TCP');
      for (const a of s.addresses) {
        const pod = pods.find((p) => p.metadata.uid === a.targetRef.uid)!;
        assert.ok(pod, 'targetRef names a backend pod');
        assert.equal(a.ip, pod.status.podIP);
        assert.equal(a.nodeName, pod.spec.nodeName);
        assert.equal(a.targetRef.kind, 'Pod');
        assert.equal(s.ports[0].port, pod.spec.containers[0].ports[0].containerPort);
      }
    }
    assert.equal(ep.metadata.labels?.team, 'a');

    const slices = await waitFor(async () => {
      const s = await slicesOf(ns);
      const eps = s.flatMap((x) => (x.endpoints as { conditions: { ready: boolean } }[]) ?? []);
      return s.length === 2 && eps.length === 4 && eps.every((e) => e.conditions.ready) ? s : undefined;
    }, { message: 'two slices with four ready endpoints' });
    for (const s of slices) {
      assert.equal(s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
      assert.equal(s.addressType, 'IPv4');
      assert.equal(s.metadata.ownerReferences?.[0]?.kind, 'Service');
      const port = (s.ports as { port: number; name: string }[])[0];
      assert.equal(port.name, 'web');
      for (const e of s.endpoints as { addresses: string[]; conditions: { ready: boolean }; targetRef: { uid: string }; nodeName: string }[]) {
        const pod = pods.find((p) => p.metadata.uid === e.targetRef.uid)!;
        assert.equal(e.addresses[0], pod.status.podIP);
        assert.equal(e.nodeName, pod.spec.nodeName);
        assert.equal(port.port, pod.spec.containers[0].ports[0].containerPort);
      }
    }
  });

  it('follows readiness within a second and drops the service\'s objects with it', async () => {
    const ns = 'readiness';
    await cluster.createNamespace(ns);
    const pods = await createBackends(ns);
    await waitFor(async () => (await endpointsOf(ns))?.subsets?.length === 2, { message: 'endpoints' });
    // The pod's kubelet reports it not ready (kubelets stopped for its node so nothing undoes it).
    const pod = pods[0];
    kubelets.stopNode(pod.spec.nodeName);
    try {
      const conditions = pod.status.conditions.map((c: { type: string }) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
      const fresh = await cluster.client.get('pods', pod.metadata.name!, { namespace: ns });
      await cluster.client.updateStatus('pods', { ...fresh, status: { ...fresh.status, conditions } });
      await waitFor(
        async () => {
          const ep = await endpointsOf(ns);
          const notReady = (ep?.subsets ?? []).flatMap((s: { notReadyAddresses?: { targetRef: { uid: string } }[] }) => s.notReadyAddresses ?? []);
          return notReady.some((a: { targetRef: { uid: string } }) => a.targetRef.uid === pod.metadata.uid);
        },
        // Event-driven, not a resync: well within a second on an idle machine; the deadline
        // leaves room for a loaded CI machine.
        { timeoutMs: 3_000, intervalMs: 20, message: 'the pod moves to notReadyAddresses within 3 s of its status change' },
      );
      await waitFor(async () => {
        const slices = await slicesOf(ns);
        const e = slices.flatMap((s) => (s.endpoints as { targetRef: { uid: string }; conditions: { ready: boolean } }[]) ?? []).find((x) => x.targetRef.uid === pod.metadata.uid);
        return e?.conditions.ready === false;
      }, { timeoutMs: 5_000, intervalMs: 20, message: 'the slice endpoint is not ready' });
    } finally {
      await kubelets.resumeNode(pod.spec.nodeName);
    }
    // Ready again (its kubelet is back).
    await waitFor(async () => {
      const ep = await endpointsOf(ns);
      return (ep?.subsets ?? []).every((s: { notReadyAddresses?: unknown[] }) => !s.notReadyAddresses?.length);
    }, { timeoutMs: 10_000, message: 'all addresses ready again' });
    assert.ok((await cluster.client.list('pods', { namespace: ns })).items.every(isReady));

    await cluster.client.delete('services', 'web', { namespace: ns });
    await waitFor(async () => (await endpointsOf(ns)) === undefined && (await slicesOf(ns)).length === 0, {
      timeoutMs: 10_000,
      message: 'endpoints and slices removed with the service',
    });
  });
});
