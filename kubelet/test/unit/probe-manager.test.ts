// Probe workers with a scripted prober: initial results, thresholds, hold-off after a liveness
// failure, the startup probe gating the others, initialDelaySeconds (an injected clock); and
// with the real prober against a slow HTTP server: timeoutSeconds.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import type { EventRecorder } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';
import type { Container, Probe } from '../../src/api/pod.ts';
import { ProbeManager, type ProbedContainer, type ProbeType } from '../../src/probes/probe-manager.ts';
import type { ProbeResult } from '../../src/probes/prober.ts';
import { c, pod } from '../support/fixtures.ts';

function setup(container: Container, script: Partial<Record<ProbeType, ProbeResult[]>>, now?: () => number) {
  const calls: string[] = [];
  const changes: string[] = [];
  let current: ProbedContainer = { id: 'c1', running: true, startedAt: (now ?? Date.now)(), podIP: '127.0.0.1' };
  const typeOf = (probe: Probe): ProbeType => (probe === container.livenessProbe ? 'liveness' : probe === container.readinessProbe ? 'readiness' : 'startup');
  const m = new ProbeManager({
    runtime: { execSync: async () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false }) },
    containerOf: () => current,
    onChange: (_uid, type, id, result) => changes.push(`${type} ${id} ${result}`),
    probe: async (probe) => {
      const type = typeOf(probe);
      calls.push(type);
      const seq = script[type] ?? [];
      return { result: seq.length > 1 ? seq.shift()! : (seq[0] ?? 'Success'), output: 'scripted' };
    },
    now,
  });
  m.addPod(pod({ containers: [container] }));
  return { m, calls, changes, replace: (next: ProbedContainer) => (current = next) };
}

const fast = { periodSeconds: 1, exec: { command: ['x'] } };

describe('ProbeManager', () => {
  test('readiness starts as Failure and flips after successThreshold successes; failureThreshold failures flip it back', async () => {
    const s = setup(c('a', { readinessProbe: { ...fast, successThreshold: 2, failureThreshold: 1 } }), { readiness: ['Success', 'Success', 'Failure', 'Success'] });
    try {
      assert.equal(s.m.isReady('c1'), false, 'not ready before a probe succeeded');
      await waitFor(() => s.changes.length >= 3, { timeoutMs: 8_000, message: `changes: ${s.changes}` });
    } finally {
      s.m.stopAll();
    }
    assert.deepEqual(s.changes.slice(0, 3), ['readiness c1 Failure', 'readiness c1 Success', 'readiness c1 Failure']);
  });

  test('liveness fails after failureThreshold failures, then waits for a new container', async () => {
    const s = setup(c('a', { livenessProbe: { ...fast, failureThreshold: 2 } }), { liveness: ['Failure', 'Failure', 'Success'] });
    try {
      await waitFor(() => s.m.result('liveness', 'c1') === 'Failure', { timeoutMs: 8_000, message: 'liveness never failed' });
      assert.deepEqual(s.changes, ['liveness c1 Success', 'liveness c1 Failure']);
      const probesAtFailure = s.calls.length;
      // Held off: no more probes of the failed container, until a new one shows up.
      s.replace({ id: 'c2', running: true, startedAt: Date.now(), podIP: '127.0.0.1' });
      await waitFor(() => s.calls.length > probesAtFailure, { timeoutMs: 5_000, message: 'the new container was not probed' });
    } finally {
      s.m.stopAll();
    }
    assert.equal(s.m.result('liveness', 'c2'), 'Success');
  });

  test('the startup probe gates liveness and readiness until it succeeds, then stops', async () => {
    const container = c('a', { startupProbe: { ...fast, failureThreshold: 10 }, livenessProbe: fast, readinessProbe: fast });
    const s = setup(container, { startup: ['Failure', 'Success'] });
    try {
      await waitFor(() => s.m.isReady('c1') === true, { timeoutMs: 8_000, message: 'never ready' });
    } finally {
      s.m.stopAll();
    }
    const firstOther = s.calls.findIndex((t) => t !== 'startup');
    assert.deepEqual(s.calls.slice(0, firstOther), ['startup', 'startup'], 'nothing else ran before the startup probe succeeded');
    assert.equal(s.calls.filter((t) => t === 'startup').length, 2, 'the startup probe stopped after its success');
    assert.equal(s.m.isStarted(container, 'c1'), true);
  });

  test('no probe runs before initialDelaySeconds have passed since the container started', async () => {
    let clock = Date.UTC(2026, 0, 1);
    let looks = 0;
    const now = () => {
      looks++;
      return clock;
    };
    const s = setup(c('a', { readinessProbe: { ...fast, initialDelaySeconds: 30 } }), { readiness: ['Success'] }, now);
    try {
      // The worker has looked at the clock several times (woken every second) and not probed.
      await waitFor(() => looks >= 3, { timeoutMs: 8_000, message: 'the worker never looked at the clock' });
      assert.deepEqual(s.calls, [], 'probed before the initial delay');
      assert.equal(s.m.isReady('c1'), false);
      clock += 30_000;
      await waitFor(() => s.m.isReady('c1') === true, { timeoutMs: 8_000, message: 'never probed after the initial delay' });
    } finally {
      s.m.stopAll();
    }
    assert.deepEqual(s.calls.slice(0, 1), ['readiness']);
  });

  test('timeoutSeconds bounds an httpGet probe: a slow answer fails under 1 s and succeeds under 10 s', async () => {
    // Answers every request after 2 s.
    const server = createServer((_req, res) => void setTimeout(() => res.end('ok'), 2_000).unref());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const events: string[] = [];
    const recorder = { event: (_ref: unknown, _type: string, reason: string, message: string) => events.push(`${reason}: ${message}`) } as unknown as EventRecorder;
    const httpGet = { path: '/healthz', port, host: '127.0.0.1' };
    const patient = c('patient', { readinessProbe: { httpGet, periodSeconds: 1, timeoutSeconds: 10 } });
    const hasty = c('hasty', { readinessProbe: { httpGet, periodSeconds: 1, timeoutSeconds: 1 } });
    const m = new ProbeManager({
      runtime: { execSync: async () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false }) },
      recorder,
      containerOf: (_uid, name) => ({ id: name, running: true, startedAt: Date.now(), podIP: '127.0.0.1' }),
      onChange: () => {},
    });
    m.addPod(pod({ containers: [patient, hasty] }));
    try {
      await waitFor(() => m.isReady('patient') === true, { timeoutMs: 15_000, message: `the patient probe never succeeded; events: ${events}` });
      await waitFor(() => events.some((e) => e.startsWith('Unhealthy: Readiness probe failed: Get "http://127.0.0.1:')), { timeoutMs: 15_000, message: `no failed probe: ${events}` });
    } finally {
      m.stopAll();
      server.closeAllConnections();
      server.close();
    }
    assert.equal(m.isReady('hasty'), false);
    assert.ok(events.every((e) => e.includes('context deadline exceeded')), `only the hasty probe failed, on its timeout: ${events}`);
  });
});
