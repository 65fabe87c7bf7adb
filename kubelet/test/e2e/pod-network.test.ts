// Pod networking of the process runtime as root (--pod-network=bridge): every pod has its own
// network namespace and an IP from its node's podCIDR, so three pods all listen on 8080, a pod
// on another kubelet of the same machine reaches each by pod IP, the kubelet's own probes reach
// them, a hostNetwork pod keeps the host's network, and once the pods and kubelets are gone no
// namespace or bridge is left. Skipped unless root on Linux with `ip` and `nsenter`.

import { join } from 'node:path';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@minik8s/shared/testing';
import { BridgeNetwork } from '../../src/runtime/process/bridge-network.ts';
import { condition, kubeletGet, startCluster, type KubeletProcess, type TestCluster } from '../support/cluster.ts';

const run = promisify(execFile);
const supported = BridgeNetwork.supported() && (await run('nsenter', ['--version']).then(() => true, () => false));
const NS = 'net';

let cluster: TestCluster;
let k1: KubeletProcess;
let k2: KubeletProcess;
let k3: KubeletProcess;
/** This test's kubelets' bridge tags (they hash the node name and the state dir). */
let nodeTags: string[] = [];
const bridges = () => nodeTags.map((t) => `mk8s${t}`);

before(async () => {
  if (!supported) return;
  cluster = await startCluster();
  // node-n2 takes the default choice, auto: bridge, as this runs as root.
  k1 = await cluster.startKubelet('node-n1', ['--pod-network=bridge', '--pod-cidr=10.250.1.0/24']);
  k2 = await cluster.startKubelet('node-n2', ['--pod-network=auto', '--pod-cidr=10.250.2.0/24']);
  // A /29 holds five pod addresses (.2-.6): node-n3's pods go round them.
  k3 = await cluster.startKubelet('node-n3', ['--pod-network=bridge', '--pod-cidr=10.250.3.0/29']);
  nodeTags = [k1, k2, k3].map((k) => BridgeNetwork.tagFor(k.nodeName, join(k.rootDir, 'process-runtime')));
  await cluster.createNamespace(NS);
});

after(async () => {
  if (!supported) return;
  await cluster?.stop();
});

// Only this test's nodes: other tests (the README scenario) may run bridge pods meanwhile.

async function netnsNames(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => nodeTags.some((t) => n.startsWith(`mk8s-${t}-`)));
}

describe('bridge pod network', { skip: !supported && 'needs root on Linux with ip and nsenter' }, () => {
  test('three pods listen on 8080 with their own IPs; a pod on another node reaches each; probes reach them', async () => {
    for (const i of [1, 2, 3]) {
      await cluster.createPod(NS, {
        metadata: { name: `web-${i}` },
        spec: {
          nodeName: 'node-n1',
          containers: [
            {
              name: 'web',
              image: 'busybox',
              command: ['sh', '-c', `mkdir -p www && echo replica-${i} > www/index.html && exec busybox httpd -f -p 8080 -h www`],
              readinessProbe: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      });
    }
    const ips: string[] = [];
    for (const i of [1, 2, 3]) {
      const p = await waitFor(async () => {
        const pod = await cluster.getPod(NS, `web-${i}`);
        return condition(pod, 'Ready')?.status === 'True' ? pod : undefined;
      }, { timeoutMs: 20_000, message: `web-${i} never Ready (the kubelet's probe reaches the pod IP)` });
      assert.match(p.status!.podIP!, /^10\.250\.1\.\d+$/);
      assert.equal(p.status!.hostIP, '127.0.0.1');
      ips.push(p.status!.podIP!);
    }
    assert.equal(new Set(ips).size, 3, 'three different pod IPs');

    // A hostNetwork pod keeps the host's network: the node's IP, and no namespace of its own.
    await cluster.createPod(NS, {
      metadata: { name: 'on-host' },
      spec: { nodeName: 'node-n1', hostNetwork: true, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1000'] }] },
    });
    const onHost = await waitFor(async () => {
      const pod = await cluster.getPod(NS, 'on-host');
      return pod?.status?.phase === 'Running' ? pod : undefined;
    }, { timeoutMs: 20_000, message: 'the hostNetwork pod never Running' });
    assert.equal(onHost.status!.podIP, '127.0.0.1');

    await cluster.createPod(NS, {
      metadata: { name: 'client' },
      spec: {
        nodeName: 'node-n2',
        restartPolicy: 'Never',
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', ips.map((ip) => `busybox wget -q -O - http://${ip}:8080/`).join(' && ')] }],
      },
    });
    const client = await waitFor(async () => {
      const p = await cluster.getPod(NS, 'client');
      return p?.status?.phase === 'Succeeded' || p?.status?.phase === 'Failed' ? p : undefined;
    }, { timeoutMs: 30_000, message: 'the client never finished' });
    const out = await kubeletGet(k2.port, `/containerLogs/${NS}/client/c`);
    assert.equal(client.status!.phase, 'Succeeded', `client output: ${out.text}`);
    assert.equal(out.text, 'replica-1\nreplica-2\nreplica-3\n');
    assert.match(client.status!.podIP!, /^10\.250\.2\.\d+$/);
    // The finished client released its namespace; the three servers hold theirs (the hostNetwork
    // pod has none).
    assert.equal((await netnsNames()).length, 3);
  });

  test("addresses go round node-n3's /29; one reused at once is reachable from the host (the old pod's neighbour entry is flushed)", async () => {
    const created = async (name: string, probed: boolean) => {
      await cluster.createPod(NS, {
        metadata: { name },
        spec: {
          nodeName: 'node-n3',
          containers: [
            {
              name: 'web',
              image: 'busybox',
              command: ['sh', '-c', `mkdir -p www && echo ${name} > www/index.html && exec busybox httpd -f -p 8080 -h www`],
              ...(probed ? { readinessProbe: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 1 } } : {}),
            },
          ],
        },
      });
    };
    const ready = (name: string, timeoutMs: number, why: string) =>
      waitFor(async () => {
        const pod = await cluster.getPod(NS, name);
        return condition(pod, 'Ready')?.status === 'True' ? pod : undefined;
      }, { timeoutMs, message: `${name} never Ready${why}` });
    const deleted = async (name: string) => {
      await cluster.client.delete('pods', name, { namespace: NS });
      await waitFor(async () => (await cluster.getPod(NS, name)) === undefined, { timeoutMs: 20_000, message: `${name} never deleted` });
    };
    // Four pods hold .2-.5, so the bridge keeps its carrier (a bridge that loses its last port
    // flushes its neighbour entries by itself) and the range is nearly full.
    const holders = ['hold-2', 'hold-3', 'hold-4', 'hold-5'];
    for (const [i, name] of holders.entries()) {
      await created(name, false);
      assert.equal((await ready(name, 20_000, '')).status!.podIP, `10.250.3.${i + 2}`, 'addresses in turn');
    }
    // The first one's probes teach the host its MAC, which the host then trusts for 15-45 s.
    await created('first', true);
    assert.equal((await ready('first', 20_000, '')).status!.podIP, '10.250.3.6');
    await deleted('first');
    // Round the range, every other address taken: .6 again, at once.
    await created('again', true);
    const again = await ready('again', 10_000, ": the host still sends the pod's address to the old pod's MAC");
    assert.equal(again.status!.podIP, '10.250.3.6');
    for (const name of ['again', ...holders]) await deleted(name);
  });

  test('deleted pods and stopped kubelets leave no namespace, veth or bridge behind', async () => {
    // The host ends of our pods' veths: those enslaved to this test's bridges.
    const links = (await run('ip', ['-o', 'link'])).stdout.split('\n');
    const ourVeths = links.filter((l) => bridges().some((br) => l.includes(` master ${br} `))).map((l) => l.split(':')[1].trim().split('@')[0]);
    assert.ok(ourVeths.length > 0, 'the running pods have veths on the bridges');
    const webIPs = (await cluster.client.list('pods', { namespace: NS })).items.filter((p) => p.metadata.name?.startsWith('web-')).map((p) => p.status.podIP);
    for (const name of ['web-1', 'web-2', 'web-3', 'client', 'on-host']) await cluster.client.delete('pods', name, { namespace: NS });
    await waitFor(async () => (await cluster.client.list('pods', { namespace: NS })).items.length === 0, { timeoutMs: 30_000, message: 'pods not deleted' });
    // Addresses go round the range, as host-local IPAM hands them out: the next pod of node-n1
    // gets the one after the three web pods', not one of theirs, free again.
    assert.deepEqual(webIPs.sort(), ['10.250.1.2', '10.250.1.3', '10.250.1.4']);
    await cluster.createPod(NS, { metadata: { name: 'next' }, spec: { nodeName: 'node-n1', containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1000'] }] } });
    const next = await waitFor(async () => {
      const pod = await cluster.getPod(NS, 'next');
      return pod?.status?.podIP ? pod : undefined;
    }, { timeoutMs: 20_000, message: 'next never got an address' });
    assert.equal(next.status!.podIP, '10.250.1.5');
    await cluster.client.delete('pods', 'next', { namespace: NS });
    await waitFor(async () => (await cluster.client.list('pods', { namespace: NS })).items.length === 0, { timeoutMs: 30_000, message: 'next not deleted' });
    await k1.stop();
    await k2.stop();
    await k3.stop();
    assert.deepEqual(await netnsNames(), []);
    for (const br of bridges()) {
      await assert.rejects(run('ip', ['link', 'show', br]), `bridge ${br} left behind`);
    }
    const { stdout } = await run('ip', ['-o', 'link']);
    for (const veth of ourVeths) assert.ok(!stdout.includes(` ${veth}@`), `veth ${veth} left behind`);
    const rules = (await run('iptables', ['-w', '-S', 'FORWARD'])).stdout;
    for (const br of bridges()) assert.ok(!rules.includes(br), `FORWARD rules of ${br} left behind`);
  });
});
