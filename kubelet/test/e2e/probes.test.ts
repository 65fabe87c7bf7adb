// Probes with a real apiserver + etcd + kubelet on the process runtime: a failing liveness
// probe restarts the container, a failing readiness probe only makes the pod not Ready, a
// startup probe holds the others back; exec, httpGet and tcpSocket handlers.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort, waitFor } from '@minik8s/shared/testing';
import { condition, containerStatus, startCluster, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;
const NODE = 'node-p';
const NS = 'probes';

before(async () => {
  cluster = await startCluster();
  await cluster.startKubelet(NODE, ['--crash-loop-backoff-initial=1s']);
  await cluster.createNamespace(NS);
});

after(async () => {
  await cluster?.stop();
});

describe('probes', () => {
  test('a failing liveness probe restarts the container', async () => {
    await cluster.createPod(NS, {
      metadata: { name: 'liveness-exec' },
      spec: {
        nodeName: NODE,
        containers: [
          {
            name: 'c',
            image: 'busybox',
            // Healthy for a moment, then the probe's file disappears.
            command: ['sh', '-c', 'touch healthy; sleep 1; rm -f healthy; exec sleep 1000'],
            livenessProbe: { exec: { command: ['cat', 'healthy'] }, periodSeconds: 1, failureThreshold: 2 },
          },
        ],
      },
    });
    const pod = await waitFor(async () => {
      const p = await cluster.getPod(NS, 'liveness-exec');
      return (containerStatus(p, 'c')?.restartCount ?? 0) >= 1 ? p : undefined;
    }, { timeoutMs: 30_000, message: 'the container was never restarted' });
    const cs = containerStatus(pod, 'c')!;
    assert.ok(cs.lastState.terminated, 'the killed container is the last state');
    const events = (await cluster.events(NS, 'liveness-exec')).map((e) => `${e.reason}: ${e.message}`);
    assert.ok(events.some((e) => e.startsWith('Unhealthy: Liveness probe failed: cat')), `events: ${events}`);
    assert.ok(events.includes('Killing: Container c failed liveness probe, will be restarted'), `events: ${events}`);
  });

  test('a failing readiness probe makes the pod not Ready, without a restart', async () => {
    const port = await freePort();
    await cluster.createPod(NS, {
      metadata: { name: 'readiness' },
      spec: {
        nodeName: NODE,
        containers: [
          {
            name: 'web',
            image: 'busybox',
            // Serves for a while, then stops serving while the container keeps running.
            command: ['sh', '-c', `mkdir -p www && echo ok > www/index.html; busybox httpd -f -p 127.0.0.1:${port} -h www & server=$!; sleep 3; kill $server; exec sleep 1000`],
            readinessProbe: { httpGet: { path: '/index.html', port, host: '127.0.0.1' }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      },
    });
    await waitFor(async () => condition(await cluster.getPod(NS, 'readiness'), 'Ready')?.status === 'True', { timeoutMs: 15_000, message: 'never Ready' });
    const notReady = await waitFor(async () => {
      const p = await cluster.getPod(NS, 'readiness');
      return condition(p, 'Ready')?.status === 'False' ? p : undefined;
    }, { timeoutMs: 20_000, message: 'never became not Ready' });
    assert.equal(condition(notReady, 'Ready')?.reason, 'ContainersNotReady');
    assert.equal(condition(notReady, 'Ready')?.message, 'containers with unready status: [web]');
    const cs = containerStatus(notReady, 'web')!;
    assert.equal(cs.ready, false);
    assert.ok(cs.state.running, 'the container still runs');
    assert.equal(cs.restartCount, 0, 'readiness never restarts');
    assert.equal(notReady.status!.phase, 'Running');
    const events = (await cluster.events(NS, 'readiness')).map((e) => `${e.reason}: ${e.message}`);
    assert.ok(events.some((e) => e.startsWith('Unhealthy: Readiness probe failed: Get "http://127.0.0.1')), `events: ${events}`);
  });

  test('a startup probe holds readiness back until it succeeds; tcpSocket probes connect', async () => {
    const port = await freePort();
    await cluster.createPod(NS, {
      metadata: { name: 'slow-start' },
      spec: {
        nodeName: NODE,
        containers: [
          {
            name: 'c',
            image: 'busybox',
            command: ['sh', '-c', `sleep 2; touch started; mkdir -p www; exec busybox httpd -f -p 127.0.0.1:${port} -h www`],
            startupProbe: { exec: { command: ['cat', 'started'] }, periodSeconds: 1, failureThreshold: 30 },
            readinessProbe: { tcpSocket: { port, host: '127.0.0.1' }, periodSeconds: 1 },
          },
        ],
      },
    });
    // Watch the status until Ready: while the startup probe has not succeeded, the running
    // container is neither started nor ready.
    let sawNotStarted = false;
    const ready = await waitFor(async () => {
      const p = await cluster.getPod(NS, 'slow-start');
      const cs = containerStatus(p, 'c');
      if (cs?.state.running && cs.started === false) {
        sawNotStarted = true;
        assert.equal(cs.ready, false, 'ready before started');
      }
      return condition(p, 'Ready')?.status === 'True' ? p : undefined;
    }, { timeoutMs: 20_000, intervalMs: 100, message: 'never Ready' });
    assert.ok(sawNotStarted, 'the container was seen running but not started');
    assert.equal(containerStatus(ready, 'c')!.started, true);
    assert.equal(containerStatus(ready, 'c')!.restartCount, 0);
  });
});
