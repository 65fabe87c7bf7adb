import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pod } from '../../src/api/pod.ts';
import { generatePodStatus, type PodStatusInputs, type SyncReason } from '../../src/status/generate-pod-status.ts';
import { getPhase } from '../../src/status/pod-phase.ts';
import { mergePodStatus } from '../../src/status/status-manager.ts';
import { T0, c, pod, rc, sandbox, state } from '../support/fixtures.ts';

function inputs(p: Pod, st: PodStatusInputs['runtime'], extra: Partial<PodStatusInputs> = {}, reasons: Record<string, SyncReason> = {}): PodStatusInputs {
  return {
    pod: p,
    runtime: st,
    runtimeType: 'process',
    reason: (n) => reasons[n],
    readiness: () => undefined,
    started: () => true,
    hostIP: '192.0.2.1',
    podIsTerminal: false,
    isStaticPod: false,
    firstSeen: T0,
    ...extra,
  };
}

describe('generatePodStatus', () => {
  test('a pod not started yet is Pending with ContainerCreating', () => {
    const s = generatePodStatus(inputs(pod({ containers: [c('a')] }), state([], [])), T0);
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses![0].state, { waiting: { reason: 'ContainerCreating' } });
    assert.deepEqual(
      s.conditions!.map((x) => [x.type, x.status, x.reason ?? '']),
      [
        ['PodReadyToStartContainers', 'False', ''],
        ['Initialized', 'True', ''],
        ['Ready', 'False', 'ContainersNotReady'],
        ['ContainersReady', 'False', 'ContainersNotReady'],
        ['PodScheduled', 'True', ''],
      ],
    );
    assert.equal(s.conditions!.find((x) => x.type === 'Ready')!.message, 'containers with unready status: [a]');
    assert.equal(s.startTime, '2026-01-01T00:00:00Z');
  });

  test('a running container is Running and Ready; readiness probes decide readiness', () => {
    const a = c('a');
    const running = rc(a, 'CONTAINER_RUNNING');
    const s = generatePodStatus(inputs(pod({ containers: [a] }), state([sandbox()], [running])), T0);
    assert.equal(s.phase, 'Running');
    assert.equal(s.podIP, '10.0.0.5');
    assert.deepEqual(s.podIPs, [{ ip: '10.0.0.5' }]);
    assert.equal(s.containerStatuses![0].ready, true);
    assert.equal(s.containerStatuses![0].containerID, `process://${running.id}`);
    assert.equal(s.conditions!.find((x) => x.type === 'Ready')!.status, 'True');

    const probed = c('a', { readinessProbe: { exec: { command: ['true'] } } });
    const notYet = generatePodStatus(inputs(pod({ containers: [probed] }), state([sandbox()], [rc(probed, 'CONTAINER_RUNNING', { id: 'x' })])), T0);
    assert.equal(notYet.containerStatuses![0].ready, false, 'not ready before the first successful probe');
    const ready = generatePodStatus(inputs(pod({ containers: [probed] }), state([sandbox()], [rc(probed, 'CONTAINER_RUNNING', { id: 'x' })]), { readiness: () => true }), T0);
    assert.equal(ready.containerStatuses![0].ready, true);
    const notStarted = generatePodStatus(inputs(pod({ containers: [probed] }), state([sandbox()], [rc(probed, 'CONTAINER_RUNNING', { id: 'x' })]), { readiness: () => true, started: () => false }), T0);
    assert.equal(notStarted.containerStatuses![0].ready, false, 'never ready before started');
    assert.equal(notStarted.containerStatuses![0].started, false);
  });

  test('a container held back from restarting shows the reason, its last run in lastState', () => {
    const a = c('a');
    const exited = rc(a, 'CONTAINER_EXITED', { exitCode: 1, attempt: 3 });
    const s = generatePodStatus(
      inputs(pod({ containers: [a] }), state([sandbox()], [exited]), {}, { a: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=a pod=p_ns(uid-1)' } }),
      T0,
    );
    const cs = s.containerStatuses![0];
    assert.deepEqual(cs.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=a pod=p_ns(uid-1)' } });
    assert.equal(cs.lastState.terminated?.exitCode, 1);
    assert.equal(cs.lastState.terminated?.reason, 'Error');
    assert.equal(cs.restartCount, 3);
    assert.equal(s.phase, 'Running', 'CrashLoopBackOff under Always is Running');
  });

  test('the previous container is the last state of a running one', () => {
    const a = c('a');
    const s = generatePodStatus(inputs(pod({ containers: [a] }), state([sandbox()], [rc(a, 'CONTAINER_EXITED', { exitCode: 137, attempt: 0 }), rc(a, 'CONTAINER_RUNNING', { attempt: 1 })])), T0);
    const cs = s.containerStatuses![0];
    assert.ok(cs.state.running);
    assert.equal(cs.lastState.terminated?.exitCode, 137);
    assert.equal(cs.restartCount, 1);
  });

  test('a container the runtime lost while it ran is terminated as ContainerStatusUnknown, not Pending', () => {
    const a = c('a');
    const p = pod({ containers: [a] });
    p.status = {
      phase: 'Running',
      containerStatuses: [{ name: 'a', state: { running: { startedAt: '2026-01-01T00:00:00Z' } }, lastState: {}, ready: true, restartCount: 2, image: 'busybox', imageID: '' }],
    };
    const s = generatePodStatus(inputs(p, state([], [])), T0);
    const cs = s.containerStatuses![0];
    assert.equal(cs.lastState.terminated?.reason, 'ContainerStatusUnknown');
    assert.equal(cs.lastState.terminated?.exitCode, 137);
    assert.equal(cs.restartCount, 3);
    assert.equal(s.phase, 'Running');
  });

  test('terminal pods: Succeeded, Failed, and never back from a terminal phase', () => {
    const a = c('a');
    const done = generatePodStatus(inputs(pod({ restartPolicy: 'Never', containers: [a] }), state([sandbox({ state: 'SANDBOX_NOTREADY' })], [rc(a, 'CONTAINER_EXITED')])), T0);
    assert.equal(done.phase, 'Succeeded');
    assert.equal(done.conditions!.find((x) => x.type === 'Ready')!.reason, 'PodCompleted');
    const killed = generatePodStatus(inputs(pod({ containers: [a] }), state([], [rc(a, 'CONTAINER_EXITED', { exitCode: 143 })]), { podIsTerminal: true }), T0);
    assert.equal(killed.phase, 'Failed', 'a deleted pod whose container died of SIGTERM');
    const p = pod({ containers: [a] });
    p.status = { phase: 'Succeeded' };
    assert.equal(generatePodStatus(inputs(p, state([sandbox()], [rc(a, 'CONTAINER_RUNNING')])), T0).phase, 'Succeeded');
  });

  test('host network pods have the host IP; condition transition times are kept while unchanged', () => {
    const a = c('a');
    const p = pod({ hostNetwork: true, containers: [a] });
    const first = generatePodStatus(inputs(p, state([sandbox()], [rc(a, 'CONTAINER_RUNNING')])), T0);
    assert.equal(first.podIP, '192.0.2.1');
    p.status = first;
    const later = generatePodStatus(inputs(p, state([sandbox()], [rc(a, 'CONTAINER_RUNNING')])), T0 + 60_000);
    assert.deepEqual(later.conditions!.map((x) => x.lastTransitionTime), first.conditions!.map((x) => x.lastTransitionTime));
  });
});

describe('getPhase', () => {
  test('init container failure under Never fails the pod; pending init keeps it Pending', () => {
    const spec = pod({ restartPolicy: 'Never', initContainers: [c('i')], containers: [c('a')] }).spec;
    const failedInit = [{ name: 'i', state: { terminated: { exitCode: 1 } }, lastState: {}, ready: false, restartCount: 0, image: '', imageID: '' }];
    assert.equal(getPhase(spec, failedInit, false), 'Failed');
    const runningInit = [{ name: 'i', state: { running: {} }, lastState: {}, ready: false, restartCount: 0, image: '', imageID: '' }];
    assert.equal(getPhase({ ...spec, restartPolicy: 'Always' }, runningInit, false), 'Pending');
  });
});

describe('mergePodStatus', () => {
  test("keeps conditions the kubelet does not own and the server's fields", () => {
    const merged = mergePodStatus(
      { phase: 'Pending', qosClass: 'Burstable', conditions: [{ type: 'DisruptionTarget', status: 'True' }, { type: 'Ready', status: 'False' }] },
      { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    );
    assert.deepEqual(merged.conditions, [{ type: 'DisruptionTarget', status: 'True' }, { type: 'Ready', status: 'True' }]);
    assert.equal(merged.qosClass, 'Burstable');
    assert.equal(mergePodStatus({ phase: 'Failed' }, { phase: 'Running' }).phase, 'Failed');
  });
});
