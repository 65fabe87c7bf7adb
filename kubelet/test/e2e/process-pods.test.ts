// Pods on the process runtime with a real apiserver + etcd + kubelet process: the seed 001
// busybox pods, CrashLoopBackOff, graceful deletion, init containers, env, two containers on
// localhost, and terminal phases.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, waitFor } from '@minik8s/shared/testing';
import { condition, containerStatus, kubeletGet, startCluster, type KubeletProcess, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;
let kubelet: KubeletProcess;
const NODE = 'node-a';
const NS = 'pods';

before(async () => {
  cluster = await startCluster();
  kubelet = await cluster.startKubelet(NODE, ['--crash-loop-backoff-initial=1s', '--crash-loop-backoff-max=8s']);
  await cluster.createNamespace(NS);
});

after(async () => {
  await cluster?.stop();
});

/** Whether the process runs (a zombie waiting to be reaped does not). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('process runtime', () => {
  test('the seed 001 busybox pods reach Running and their logs show the dots', async () => {
    // Bound to another node, and created first: this kubelet watches only its own pods.
    await cluster.createPod(NS, { metadata: { name: 'elsewhere' }, spec: { nodeName: 'node-elsewhere', containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1000'] }] } });
    await cluster.createPod(NS, {
      metadata: { name: 'busybox-sleep', labels: { app: 'busybox' } },
      spec: { nodeName: NODE, containers: [{ name: 'busybox', image: 'busybox', ports: [{ containerPort: 80 }], command: ['/bin/sh', '-ec', 'sleep 1000'] }] },
    });
    await cluster.createPod(NS, {
      metadata: { name: 'busybox-loop', labels: { app: 'busybox' } },
      spec: { nodeName: NODE, containers: [{ name: 'busybox', image: 'busybox', ports: [{ containerPort: 80 }], command: ['/bin/sh', '-ec', "while :; do echo '.'; sleep 5 ; done"] }] },
    });
    for (const name of ['busybox-sleep', 'busybox-loop']) {
      const pod = await waitFor(async () => {
        const p = await cluster.getPod(NS, name);
        return p?.status?.phase === 'Running' && condition(p, 'Ready')?.status === 'True' ? p : undefined;
      }, { timeoutMs: 20_000, message: `${name} never Running and Ready` });
      const cs = containerStatus(pod, 'busybox')!;
      assert.ok(cs.state.running?.startedAt, 'running with a start time');
      assert.equal(cs.ready, true);
      assert.equal(cs.started, true);
      assert.equal(cs.restartCount, 0);
      assert.match(cs.containerID ?? '', /^process:\/\/[0-9a-f]+$/);
      assert.equal(pod.status!.hostIP, '127.0.0.1');
      assert.equal(pod.status!.podIP, '127.0.0.1', 'host network: the pod IP is the node IP');
      assert.ok(pod.status!.startTime);
      for (const type of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'PodScheduled']) {
        assert.equal(condition(pod, type)?.status, 'True', type);
      }
      assert.equal(pod.status!.qosClass, 'BestEffort', 'the server-set qosClass is kept');
    }
    const logs = await waitFor(async () => {
      const r = await kubeletGet(kubelet.port, `/containerLogs/${NS}/busybox-loop/busybox`);
      return r.status === 200 && r.text.startsWith('.\n') ? r.text : undefined;
    }, { timeoutMs: 10_000, message: 'no dots in the log' });
    assert.match(logs, /^(\.\n)+$/);
    const stamped = await kubeletGet(kubelet.port, `/containerLogs/${NS}/busybox-loop/busybox?timestamps=true&tailLines=1`);
    assert.match(stamped.text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \.\n$/);
    const reasons = (await cluster.events(NS, 'busybox-loop')).map((e) => e.reason);
    for (const r of ['Pulling', 'Pulled', 'Created', 'Started']) assert.ok(reasons.includes(r), `event ${r} in ${reasons}`);
    const running = JSON.parse((await kubeletGet(kubelet.port, '/pods')).text).items.map((p: { metadata: { name: string } }) => p.metadata.name);
    assert.ok(running.includes('busybox-loop') && !running.includes('elsewhere'), `the kubelet runs ${running}`);
    const elsewhere = await cluster.getPod(NS, 'elsewhere');
    assert.equal(elsewhere?.status?.containerStatuses, undefined, 'no status from this kubelet');
    assert.deepEqual((await cluster.events(NS, 'elsewhere')).map((e) => e.reason), []);
  });

  test('kubectl logs and kubectl exec reach the container through the apiserver and the kubelet', async () => {
    const logs = await cluster.kubectl(['logs', '-n', NS, 'busybox-loop']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^(\.\n)+$/);
    const exec = await cluster.kubectl(['exec', '-n', NS, 'busybox-sleep', '--', 'sh', '-c', 'echo "in $POD"; echo oops >&2; exit 3']);
    assert.equal(exec.code, 3, 'the exit code comes back');
    assert.equal(exec.stdout, 'in \n');
    assert.match(exec.stderr, /oops/);
    const stdin = await cluster.kubectl(['exec', '-i', '-n', NS, 'busybox-sleep', '--', 'cat'], { input: 'through stdin\n' });
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.equal(stdin.stdout, 'through stdin\n');
  });

  test('kubectl logs -f streams through the apiserver until the container ends; --since leaves out older lines', async () => {
    const gate = join(cluster.dir, `talker-go-${Date.now()}`);
    await cluster.createPod(NS, {
      metadata: { name: 'talker' },
      spec: { nodeName: NODE, restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `echo first; until [ -e ${gate} ]; do sleep 0.1; done; echo second`] }] },
    });
    await waitFor(async () => (await kubeletGet(kubelet.port, `/containerLogs/${NS}/talker/c`)).text === 'first\n', { timeoutMs: 15_000, message: 'never logged its first line' });
    // sinceSeconds: once the first line is older than a second, --since=1s leaves it out.
    await waitFor(async () => {
      const r = await cluster.kubectl(['logs', '-n', NS, 'talker', '--since=1s']);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout === '';
    }, { timeoutMs: 15_000, intervalMs: 200, message: '--since=1s kept showing the old line' });

    const follower = spawn(process.env.KUBECTL ?? '/usr/bin/kubectl', [`--kubeconfig=${cluster.kubeconfig}`, 'logs', '-f', '-n', NS, 'talker'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    follower.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    follower.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    let closed = false;
    follower.on('close', () => (closed = true));
    try {
      await waitFor(() => out === 'first\n', { timeoutMs: 15_000, message: `kubectl logs -f never showed the first line: ${out} ${err}` });
      assert.equal(follower.exitCode, null, 'still following while the container runs');
      // The second line exists only after this point: it can only come through the open stream.
      await writeFile(gate, '');
      // The stream ends with the container, and kubectl with it.
      await waitFor(() => closed, { timeoutMs: 15_000, message: `kubectl logs -f did not end with the container: ${out} ${err}` });
      assert.equal(follower.exitCode, 0, err);
      assert.equal(out, 'first\nsecond\n');
    } finally {
      if (follower.exitCode === null) follower.kill('SIGKILL');
    }
    const recent = await cluster.kubectl(['logs', '-n', NS, 'talker', '--since=1h']);
    assert.equal(recent.stdout, 'first\nsecond\n');
  });

  test('a container exiting 1 under restartPolicy Always goes to CrashLoopBackOff with growing delays', async () => {
    await cluster.createPod(NS, {
      metadata: { name: 'crasher' },
      spec: { nodeName: NODE, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo boom; exit 1'] }] },
    });
    // The kubelet runs with a 1 s initial back-off doubling up to 8 s: the waiting messages name each delay.
    const seen = new Set<string>();
    let last: ReturnType<typeof containerStatus>;
    await waitFor(async () => {
      const pod = await cluster.getPod(NS, 'crasher');
      const cs = containerStatus(pod, 'c');
      last = cs;
      const w = cs?.state.waiting;
      if (w?.reason === 'CrashLoopBackOff') {
        const m = /^back-off (\S+) restarting failed container=c pod=crasher_pods\(/.exec(w.message ?? '');
        assert.ok(m, `message: ${w.message}`);
        seen.add(m[1]);
        assert.equal(pod!.status!.phase, 'Running', 'a crash-looping pod under Always is Running');
        assert.equal(cs!.lastState.terminated?.exitCode, 1);
        assert.equal(cs!.lastState.terminated?.reason, 'Error');
      }
      return seen.has('1s') && seen.has('2s') && seen.has('4s');
    }, { timeoutMs: 40_000, intervalMs: 100, message: 'never saw back-offs of 1s, 2s and 4s' });
    assert.ok(last!.restartCount >= 3, `restartCount ${last!.restartCount}`);
    const previous = await kubeletGet(kubelet.port, `/containerLogs/${NS}/crasher/c?previous=true`);
    assert.equal(previous.text, 'boom\n');
    const reasons = (await cluster.events(NS, 'crasher')).map((e) => e.reason);
    assert.ok(reasons.includes('BackOff'), `events: ${reasons}`);
  });

  test('deleting a pod stops its process within the grace period, then the pod is gone', async () => {
    await cluster.createPod(NS, {
      metadata: { name: 'stubborn' },
      spec: {
        nodeName: NODE,
        terminationGracePeriodSeconds: 3,
        // Ignores SIGTERM: only the SIGKILL at the end of the grace period stops it.
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', "trap '' TERM; echo pid=$$$$; while :; do sleep 0.2; done"] }],
      },
    });
    await cluster.createPod(NS, {
      metadata: { name: 'polite' },
      spec: { nodeName: NODE, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo pid=$$$$; exec sleep 1000'] }] },
    });
    const pids: Record<string, number> = {};
    for (const name of ['stubborn', 'polite']) {
      const text = await waitFor(async () => {
        const r = await kubeletGet(kubelet.port, `/containerLogs/${NS}/${name}/c`);
        return /pid=\d+/.test(r.text) ? r.text : undefined;
      }, { timeoutMs: 15_000, message: `${name} never logged its pid` });
      pids[name] = Number(/pid=(\d+)/.exec(text)![1]);
      assert.ok(isAlive(pids[name]));
    }
    const deletedAt = Date.now();
    // kubectl delete pod, without waiting for the pods to be gone (the checks below do).
    const del = await cluster.kubectl(['delete', 'pod', '-n', NS, 'stubborn', 'polite', '--wait=false']);
    assert.equal(del.code, 0, del.stderr);
    await waitFor(() => !isAlive(pids.polite), { timeoutMs: 10_000, message: 'polite pod survived SIGTERM' });
    await waitFor(async () => (await cluster.getPod(NS, 'polite')) === undefined, { timeoutMs: 10_000, message: 'polite pod never deleted' });
    await waitFor(() => !isAlive(pids.stubborn), { timeoutMs: 15_000, message: 'stubborn pod never killed' });
    // It ignored SIGTERM, so only the kill at the end of its 3 s grace period stopped it.
    assert.ok(Date.now() - deletedAt >= 2_500, 'the stubborn process lived through its grace period');
    await waitFor(async () => (await cluster.getPod(NS, 'stubborn')) === undefined, { timeoutMs: 10_000, message: 'stubborn pod never deleted' });
    const reasons = (await cluster.events(NS, 'stubborn')).map((e) => `${e.reason}: ${e.message}`);
    assert.ok(reasons.includes('Killing: Stopping container c'), `events: ${reasons}`);
  });

  test('the preStop hook runs before the container gets SIGTERM', async () => {
    const file = join(cluster.dir, `prestop-${Date.now()}.txt`);
    await cluster.createPod(NS, {
      metadata: { name: 'hooked' },
      spec: {
        nodeName: NODE,
        terminationGracePeriodSeconds: 10,
        containers: [
          {
            name: 'c',
            image: 'busybox',
            command: ['sh', '-c', `trap 'echo term >> ${file}; exit 0' TERM; echo up; while :; do sleep 0.1; done`],
            lifecycle: { preStop: { exec: { command: ['sh', '-c', `echo prestop >> ${file}`] } } },
          },
        ],
      },
    });
    await waitFor(async () => (await kubeletGet(kubelet.port, `/containerLogs/${NS}/hooked/c`)).text === 'up\n', { timeoutMs: 15_000, message: 'never up' });
    await cluster.client.delete('pods', 'hooked', { namespace: NS });
    await waitFor(async () => (await cluster.getPod(NS, 'hooked')) === undefined, { timeoutMs: 15_000, message: 'never deleted' });
    assert.equal(await readFile(file, 'utf8'), 'prestop\nterm\n');
  });

  test('two containers of one pod reach each other on localhost', async () => {
    // The process runtime shares the host's network: ask the kernel for a port nobody holds.
    const port = await freePort();
    await cluster.createPod(NS, {
      metadata: { name: 'pair' },
      spec: {
        nodeName: NODE,
        containers: [
          { name: 'server', image: 'busybox', command: ['sh', '-c', `mkdir -p www && echo hello-from-server > www/index.html && exec busybox httpd -f -p 127.0.0.1:${port} -h www`] },
          { name: 'client', image: 'busybox', command: ['sh', '-c', `until busybox wget -q -O - http://localhost:${port}/; do sleep 0.2; done; exec sleep 1000`] },
        ],
      },
    });
    await waitFor(async () => (await kubeletGet(kubelet.port, `/containerLogs/${NS}/pair/client`)).text.includes('hello-from-server'), {
      timeoutMs: 20_000,
      message: 'the client never reached the server on localhost',
    });
    // The logs can be ahead of the status the kubelet posts: wait for it rather than race it.
    const pod = await waitFor(async () => {
      const p = await cluster.getPod(NS, 'pair');
      return p?.status?.containerStatuses?.length === 2 ? p : undefined;
    }, { timeoutMs: 15_000, message: 'the pod status never listed both containers' });
    assert.ok(pod.status!.containerStatuses!.every((c: { state?: { running?: unknown } }) => c.state?.running), 'both containers running');
  });

  test('init containers run in order before the app container; env comes from the pod, ConfigMaps and Secrets', async () => {
    await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { greeting: 'hi', FROM_CM: 'cm' } }, { namespace: NS });
    await cluster.client.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, data: { password: Buffer.from('s3cret').toString('base64') } }, { namespace: NS });
    await cluster.createPod(NS, {
      metadata: { name: 'ordered', labels: { tier: 'web' } },
      spec: {
        nodeName: NODE,
        restartPolicy: 'Never',
        initContainers: [
          { name: 'first', image: 'busybox', command: ['sh', '-c', 'echo first > order.txt'] },
          { name: 'second', image: 'busybox', command: ['sh', '-c', 'echo second >> order.txt'] },
        ],
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sh', '-c', 'cat order.txt; echo "$POD_NAME $NODE $TIER $GREETING $PASSWORD $FROM_CM $COMBINED"'],
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
              { name: 'COMBINED', value: '$(GREETING)-$(POD_NAME)' },
            ],
            envFrom: [{ configMapRef: { name: 'cfg' } }],
          },
        ],
      },
    });
    const pod = await waitFor(async () => {
      const p = await cluster.getPod(NS, 'ordered');
      return p?.status?.phase === 'Succeeded' ? p : undefined;
    }, { timeoutMs: 20_000, message: 'the pod never Succeeded' });
    const logs = await kubeletGet(kubelet.port, `/containerLogs/${NS}/ordered/app`);
    assert.equal(logs.text, `first\nsecond\nordered ${NODE} web hi s3cret cm hi-ordered\n`);
    assert.deepEqual(pod.status!.initContainerStatuses!.map((s) => [s.name, s.state.terminated?.reason]), [['first', 'Completed'], ['second', 'Completed']]);
    assert.equal(containerStatus(pod, 'app')!.state.terminated?.exitCode, 0);
    assert.equal(condition(pod, 'Initialized')?.status, 'True');
    assert.equal(condition(pod, 'Ready')?.reason, 'PodCompleted');
  });

  test('a missing ConfigMap holds the container in CreateContainerConfigError; a failing pod under Never is Failed', async () => {
    await cluster.createPod(NS, {
      metadata: { name: 'no-config' },
      spec: { nodeName: NODE, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1000'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }] },
    });
    await cluster.createPod(NS, {
      metadata: { name: 'fails' },
      spec: { nodeName: NODE, restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 7'] }] },
    });
    const stuck = await waitFor(async () => {
      const p = await cluster.getPod(NS, 'no-config');
      return containerStatus(p, 'c')?.state.waiting?.reason === 'CreateContainerConfigError' ? p : undefined;
    }, { timeoutMs: 15_000, message: 'never CreateContainerConfigError' });
    assert.equal(containerStatus(stuck, 'c')!.state.waiting!.message, 'configmap "nope" not found');
    assert.equal(stuck.status!.phase, 'Pending');
    const failed = await waitFor(async () => {
      const p = await cluster.getPod(NS, 'fails');
      return p?.status?.phase === 'Failed' ? p : undefined;
    }, { timeoutMs: 15_000, message: 'never Failed' });
    assert.equal(containerStatus(failed, 'c')!.state.terminated!.exitCode, 7);
    assert.equal(containerStatus(failed, 'c')!.restartCount, 0);
  });

  test('a pod past its activeDeadlineSeconds fails with DeadlineExceeded and its containers stop', async () => {
    await cluster.createPod(NS, {
      metadata: { name: 'deadline' },
      spec: { nodeName: NODE, activeDeadlineSeconds: 2, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1000'] }] },
    });
    const pod = await waitFor(async () => {
      const p = await cluster.getPod(NS, 'deadline');
      return p?.status?.phase === 'Failed' && containerStatus(p, 'c')?.state.terminated ? p : undefined;
    }, { timeoutMs: 20_000, message: 'never failed with its containers stopped' });
    assert.equal(pod.status!.reason, 'DeadlineExceeded');
    assert.equal(pod.status!.message, 'Pod was active on the node longer than the specified deadline');
  });

  test('a restarted kubelet starts the pods again (the process runtime cannot keep them) and counts the restart', async () => {
    await cluster.createPod(NS, { metadata: { name: 'survivor' }, spec: { nodeName: NODE, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo pid=$$$$; exec sleep 1000'] }] } });
    const before = await waitFor(async () => {
      const p = await cluster.getPod(NS, 'survivor');
      return p?.status?.phase === 'Running' ? p : undefined;
    }, { timeoutMs: 15_000, message: 'never Running' });
    const oldID = containerStatus(before, 'c')!.containerID;
    const text = await waitFor(async () => {
      const r = await kubeletGet(kubelet.port, `/containerLogs/${NS}/survivor/c`);
      return /pid=\d+/.test(r.text) ? r.text : undefined;
    }, { message: 'no pid logged' });
    const pid = Number(/pid=(\d+)/.exec(text)![1]);
    // A hard crash: the next kubelet kills what its pid files name, then runs the pods again.
    await kubelet.kill();
    kubelet = await cluster.startKubelet(NODE, ['--crash-loop-backoff-initial=1s', '--crash-loop-backoff-max=8s']);
    assert.equal(isAlive(pid), false, 'the old process is gone');
    const after = await waitFor(async () => {
      const p = await cluster.getPod(NS, 'survivor');
      const cs = containerStatus(p, 'c');
      return cs?.state.running && cs.containerID !== oldID ? p : undefined;
    }, { timeoutMs: 20_000, message: 'never running again' });
    // The restart count goes on from the log files the old container left (0.log -> 1.log).
    assert.equal(containerStatus(after, 'c')!.restartCount, 1);
  });

  test('a container without a command cannot run on the process runtime, and says why', async () => {
    await cluster.createPod(NS, { metadata: { name: 'entrypoint' }, spec: { nodeName: NODE, containers: [{ name: 'c', image: 'nginx:1.27' }] } });
    const pod = await waitFor(async () => {
      const p = await cluster.getPod(NS, 'entrypoint');
      return containerStatus(p, 'c')?.state.waiting?.reason === 'CreateContainerError' ? p : undefined;
    }, { timeoutMs: 15_000, message: 'never CreateContainerError' });
    assert.match(containerStatus(pod, 'c')!.state.waiting!.message!, /process runtime cannot run the entrypoint of image "nginx:1.27"/);
  });
});
