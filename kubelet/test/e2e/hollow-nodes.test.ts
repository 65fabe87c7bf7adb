// Hollow nodes: one process runs many kubelets on the fake runtime; each registers a Ready Node
// with its own Lease, and runs the pods bound to it (Running, with a pod IP, no process).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, waitFor } from '@minik8s/shared/testing';
import { startCluster, type TestCluster } from '../support/cluster.ts';

const NODES = 30;
let cluster: TestCluster;
let child: ReturnType<typeof spawn>;
let output = '';

before(async () => {
  cluster = await startCluster();
  child = spawn(
    process.execPath,
    ['kubelet/src/hollow-nodes.ts', `--master=${cluster.url}`, `--nodes=${NODES}`, '--node-name-prefix=hollow-', `--root-dir=${join(cluster.dir, 'hollow')}`, '--port=0', '--kube-api-qps=500', '--kube-api-burst=1000'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-100_000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-100_000)));
});

after(async () => {
  if (child && child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  await cluster?.stop();
});

test(`${NODES} hollow kubelets in one process register Ready nodes with leases and run pods`, async () => {
  await waitFor(async () => {
    const nodes = await cluster.client.list('nodes');
    const ready = nodes.items.filter((n) => n.metadata.name!.startsWith('hollow-') && n.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'));
    return ready.length === NODES;
  }, { timeoutMs: 60_000, intervalMs: 250, message: `not all hollow nodes Ready\n${output}` });
  // Each Lease follows its Node's registration.
  await waitFor(async () => {
    const leases = await cluster.client.list('leases.coordination.k8s.io', { namespace: 'kube-node-lease' });
    return leases.items.filter((l) => l.metadata.name!.startsWith('hollow-') && l.spec?.holderIdentity === l.metadata.name).length === NODES;
  }, { timeoutMs: 30_000, intervalMs: 250, message: 'not every hollow node has its Lease' });

  await cluster.createNamespace('hollow');
  for (let i = 0; i < 10; i++) {
    await cluster.createPod('hollow', { metadata: { name: `p-${i}` }, spec: { nodeName: `hollow-${i}`, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1000'] }] } });
  }
  await waitFor(async () => (await cluster.client.list('pods', { namespace: 'hollow' })).items.every((p) => p.status?.phase === 'Running'), {
    timeoutMs: 30_000,
    message: 'hollow pods never Running',
  });
  const pods = (await cluster.client.list('pods', { namespace: 'hollow' })).items;
  assert.equal(new Set(pods.map((p) => p.status.podIP)).size, 10, 'distinct pod IPs across hollow nodes');
  for (const p of pods) assert.match(p.status.containerStatuses[0].containerID, /^fake:\/\//);
});
