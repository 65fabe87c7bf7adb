// Pods on the docker runtime with a real apiserver + etcd + kubelet and the Docker Engine: a
// pause container per pod holds the network namespace, so two containers of one pod talk on
// localhost, each pod has its own IP (two pods can both listen on 8080), emptyDir is shared,
// ConfigMaps and Secrets mount as files, limits reach Docker, a missing image is ErrImagePull
// then ImagePullBackOff, containers the kubelet did not create are left alone, and a deleted pod
// leaves no container behind.
//
// The images come from deploy/images (busybox:latest and minik8s/pause:local, built from
// Debian's static busybox and catatonit: nothing is pulled). Skipped when Docker does not answer.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, waitFor } from '@minik8s/shared/testing';
import { dockerAnswers } from '../../src/runtime/create-runtime.ts';
import { condition, containerStatus, kubeletGet, startCluster, type KubeletProcess, type TestCluster } from '../support/cluster.ts';

const run = promisify(execFile);
const NODE = 'node-d';
const NS = 'docker';
const hasDocker = await dockerAnswers('/var/run/docker.sock');

let cluster: TestCluster;
let kubelet: KubeletProcess;

async function dockerIds(filter: string): Promise<string[]> {
  const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=minik8s.io/node-name=${NODE}`, '--filter', filter]);
  return stdout.split('\n').filter(Boolean);
}

before(async () => {
  if (!hasDocker) return;
  await run(join(REPO_ROOT, 'deploy/images/busybox/build.sh'), [], { env: { ...process.env, BUSYBOX_BIN: '/bin/busybox' } });
  await run(join(REPO_ROOT, 'deploy/images/pause/build.sh'));
  cluster = await startCluster();
  kubelet = await cluster.startKubelet(NODE, ['--container-runtime=docker', '--pod-infra-container-image=minik8s/pause:local', '--crash-loop-backoff-initial=1s']);
  await cluster.createNamespace(NS);
});

after(async () => {
  if (!hasDocker) return;
  await cluster?.stop();
  // Docker containers outlive their kubelet (as with real Kubernetes): remove what is left.
  const ids = await dockerIds('label=io.kubernetes.pod.uid').catch(() => []);
  if (ids.length) await run('docker', ['rm', '-f', ...ids]);
});

const busybox = { image: 'busybox', imagePullPolicy: 'IfNotPresent' as const };

async function runningPod(name: string, timeoutMs = 30_000) {
  return waitFor(async () => {
    const p = await cluster.getPod(NS, name);
    return p?.status?.phase === 'Running' && condition(p, 'Ready')?.status === 'True' ? p : undefined;
  }, { timeoutMs, message: `${name} never Running and Ready` });
}

describe('docker runtime', { skip: !hasDocker && 'the Docker Engine does not answer on /var/run/docker.sock' }, () => {
  test('two containers of one pod reach each other on localhost; the pod has its own IP', async () => {
    await cluster.createPod(NS, {
      metadata: { name: 'pair' },
      spec: {
        nodeName: NODE,
        containers: [
          { name: 'server', ...busybox, command: ['sh', '-c', 'mkdir -p /tmp/www && echo hello-from-server > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www'] },
          { name: 'client', ...busybox, command: ['sh', '-c', 'until wget -q -O - http://localhost:8080/; do sleep 0.2; done; exec sleep 1000'] },
        ],
      },
    });
    const pod = await runningPod('pair');
    assert.match(pod.status!.podIP!, /^\d+\.\d+\.\d+\.\d+$/);
    assert.notEqual(pod.status!.podIP, pod.status!.hostIP, 'its own network namespace');
    assert.match(containerStatus(pod, 'server')!.containerID!, /^docker:\/\/[0-9a-f]{64}$/);
    await waitFor(async () => (await kubeletGet(kubelet.port, `/containerLogs/${NS}/pair/client`)).text.includes('hello-from-server'), {
      timeoutMs: 15_000,
      message: 'the client never reached the server on localhost',
    });
    // One pause container and two app containers, all labelled with the pod's uid.
    assert.equal((await dockerIds(`label=io.kubernetes.pod.uid=${pod.metadata.uid}`)).length, 3);
  });

  test('two pods both listen on port 8080 and reach each other by pod IP', async () => {
    for (const name of ['web-1', 'web-2']) {
      await cluster.createPod(NS, {
        metadata: { name },
        spec: { nodeName: NODE, containers: [{ name: 'web', ...busybox, command: ['sh', '-c', `mkdir -p /tmp/www && echo I am ${name} > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www`] }] },
      });
    }
    const p1 = await runningPod('web-1');
    const p2 = await runningPod('web-2');
    assert.notEqual(p1.status!.podIP, p2.status!.podIP);
    await cluster.createPod(NS, {
      metadata: { name: 'caller' },
      spec: { nodeName: NODE, restartPolicy: 'Never', containers: [{ name: 'c', ...busybox, command: ['wget', '-q', '-O', '-', `http://${p2.status!.podIP}:8080/`] }] },
    });
    await waitFor(async () => (await cluster.getPod(NS, 'caller'))?.status?.phase === 'Succeeded', { timeoutMs: 20_000, message: 'caller never Succeeded' });
    assert.equal((await kubeletGet(kubelet.port, `/containerLogs/${NS}/caller/c`)).text, 'I am web-2\n');
  });

  test('emptyDir is shared by the containers of a pod; ConfigMaps and Secrets mount as files; limits reach Docker', async () => {
    await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { 'app.conf': 'color=blue\n' } }, { namespace: NS });
    await cluster.client.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret' }, data: { password: Buffer.from('s3cret\n').toString('base64') } }, { namespace: NS });
    await cluster.createPod(NS, {
      metadata: { name: 'volumes' },
      spec: {
        nodeName: NODE,
        volumes: [{ name: 'shared', emptyDir: {} }, { name: 'config', configMap: { name: 'app-config' } }, { name: 'secret', secret: { secretName: 'app-secret' } }],
        containers: [
          { name: 'writer', ...busybox, command: ['sh', '-c', 'echo written-by-writer > /data/note; exec sleep 1000'], volumeMounts: [{ name: 'shared', mountPath: '/data' }], resources: { limits: { memory: '64Mi', cpu: '500m' } } },
          {
            name: 'reader',
            ...busybox,
            command: ['sh', '-c', 'until cat /shared/note; do sleep 0.2; done; cat /etc/app/app.conf /etc/secret/password; exec sleep 1000'],
            volumeMounts: [{ name: 'shared', mountPath: '/shared' }, { name: 'config', mountPath: '/etc/app', readOnly: true }, { name: 'secret', mountPath: '/etc/secret', readOnly: true }],
          },
        ],
      },
    });
    const pod = await runningPod('volumes');
    await waitFor(async () => (await kubeletGet(kubelet.port, `/containerLogs/${NS}/volumes/reader`)).text === 'written-by-writer\ncolor=blue\ns3cret\n', { timeoutMs: 15_000, message: 'the reader never saw the three files' });
    const id = containerStatus(pod, 'writer')!.containerID!.replace('docker://', '');
    const { stdout } = await run('docker', ['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}', id]);
    assert.equal(stdout.trim(), `${64 * 1024 * 1024} 500000000`);
  });

  test('an image that cannot be pulled is ErrImagePull, then ImagePullBackOff', async () => {
    await cluster.createPod(NS, { metadata: { name: 'no-image' }, spec: { nodeName: NODE, containers: [{ name: 'c', image: 'minik8s.invalid/nothing:1', command: ['true'] }] } });
    const seen = new Set<string>();
    await waitFor(async () => {
      const p = await cluster.getPod(NS, 'no-image');
      const reason = containerStatus(p, 'c')?.state.waiting?.reason;
      if (reason) seen.add(reason);
      if (reason) assert.equal(p!.status!.phase, 'Pending');
      return seen.has('ErrImagePull') && seen.has('ImagePullBackOff');
    }, { timeoutMs: 40_000, intervalMs: 100, message: 'never saw ErrImagePull and ImagePullBackOff' });
    const reasons = (await cluster.events(NS, 'no-image')).map((e) => e.reason);
    assert.ok(reasons.includes('Pulling') && reasons.includes('Failed') && reasons.includes('BackOff'), `events: ${reasons}`);
  });

  test('containers outlive a kubelet restart and the new kubelet adopts them', async () => {
    await cluster.createPod(NS, { metadata: { name: 'durable' }, spec: { nodeName: NODE, containers: [{ name: 'c', ...busybox, command: ['sleep', '1000'] }] } });
    const before = await runningPod('durable');
    const id = containerStatus(before, 'c')!.containerID;
    await kubelet.stop();
    kubelet = await cluster.startKubelet(NODE, ['--container-runtime=docker', '--pod-infra-container-image=minik8s/pause:local', '--crash-loop-backoff-initial=1s']);
    // Give the new kubelet a sync: the pod keeps its container, not a restarted one.
    await waitFor(async () => (await kubeletGet(kubelet.port, '/pods')).text.includes('"durable"'), { timeoutMs: 15_000, message: 'the new kubelet never took the pod' });
    const after = await runningPod('durable');
    assert.equal(containerStatus(after, 'c')!.containerID, id);
    assert.equal(containerStatus(after, 'c')!.restartCount, 0);
    assert.equal(after.status!.podIP, before.status!.podIP);
    // Still the pause container and the one app container, nothing started anew.
    assert.equal((await dockerIds(`label=io.kubernetes.pod.uid=${after.metadata.uid}`)).length, 2);
  });

  test('containers this kubelet did not create are never touched; its own orphans are removed', async () => {
    const tag = Date.now().toString(36);
    const sandboxLabels = (node: string, uid: string) =>
      [`minik8s.io/node-name=${node}`, 'io.kubernetes.docker.type=podsandbox', `io.kubernetes.pod.uid=${uid}`, `io.kubernetes.pod.name=${uid}`, `io.kubernetes.pod.namespace=${NS}`].flatMap((l) => ['--label', l]);
    const start = async (name: string, labels: string[]) => (await run('docker', ['run', '-d', '--name', name, ...labels, 'busybox', 'sleep', '1000'])).stdout.trim();
    // Not Kubernetes' at all; another node's pod sandbox; and an orphan sandbox of this node.
    const plain = await start(`mk8s-plain-${tag}`, []);
    const otherNode = await start(`mk8s-other-${tag}`, sandboxLabels('node-other', `other-${tag}`));
    const orphan = await start(`mk8s-orphan-${tag}`, sandboxLabels(NODE, `orphan-${tag}`));
    try {
      // Housekeeping removes the orphan: it has looked at the runtime since the others started.
      await waitFor(async () => (await run('docker', ['ps', '-aq', '--filter', `id=${orphan}`])).stdout.trim() === '', { timeoutMs: 30_000, message: 'the orphan sandbox was never removed' });
      for (const id of [plain, otherNode]) {
        const { stdout } = await run('docker', ['inspect', '-f', '{{.State.Running}}', id]);
        assert.equal(stdout.trim(), 'true', `container ${id} was touched`);
      }
    } finally {
      await run('docker', ['rm', '-f', plain, otherNode, orphan]).catch(() => undefined);
    }
  });

  test('deleting a pod removes its containers and its pause container', async () => {
    await cluster.createPod(NS, { metadata: { name: 'short-lived' }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 2, containers: [{ name: 'c', ...busybox, command: ['sleep', '1000'] }] } });
    const pod = await runningPod('short-lived');
    assert.equal((await dockerIds(`label=io.kubernetes.pod.uid=${pod.metadata.uid}`)).length, 2);
    await cluster.client.delete('pods', 'short-lived', { namespace: NS });
    await waitFor(async () => (await cluster.getPod(NS, 'short-lived')) === undefined, { timeoutMs: 20_000, message: 'the pod was never deleted' });
    await waitFor(async () => (await dockerIds(`label=io.kubernetes.pod.uid=${pod.metadata.uid}`)).length === 0, { timeoutMs: 10_000, message: 'containers left behind' });
  });
});
