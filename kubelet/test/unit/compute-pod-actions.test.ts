import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computePodActions, containersToRemove, findNextInitContainer } from '../../src/pod-workers/compute-pod-actions.ts';
import { c, pod, rc, sandbox, state } from '../support/fixtures.ts';

const noProbes = { livenessFailed: () => false, startupFailed: () => false };

describe('computePodActions', () => {
  test('a new pod gets a sandbox and all its containers', () => {
    const p = pod({ containers: [c('a'), c('b')] });
    const a = computePodActions(p, state([], []), noProbes);
    assert.equal(a.createSandbox, true);
    assert.equal(a.attempt, 0);
    assert.deepEqual(a.containersToStart, [0, 1]);
  });

  test('init containers run one at a time, then the app containers', () => {
    const i1 = c('i1');
    const i2 = c('i2');
    const p = pod({ initContainers: [i1, i2], containers: [c('app')] });
    assert.equal(computePodActions(p, state([], []), noProbes).nextInitContainer, 0);
    const sb = sandbox();
    assert.deepEqual(findNextInitContainer(p, state([sb], [rc(i1, 'CONTAINER_RUNNING')])), { next: undefined, running: true, failed: undefined, done: false });
    const afterFirst = computePodActions(p, state([sb], [rc(i1, 'CONTAINER_EXITED')]), noProbes);
    assert.equal(afterFirst.nextInitContainer, 1);
    assert.deepEqual(afterFirst.containersToStart, []);
    const done = computePodActions(p, state([sb], [rc(i1, 'CONTAINER_EXITED'), rc(i2, 'CONTAINER_EXITED')]), noProbes);
    assert.equal(done.nextInitContainer, undefined);
    assert.deepEqual(done.containersToStart, [0]);
  });

  test('a failed init container is retried, or fails the pod under restartPolicy Never', () => {
    const i1 = c('i1');
    const sb = sandbox();
    const failed = rc(i1, 'CONTAINER_EXITED', { exitCode: 1 });
    const again = computePodActions(pod({ initContainers: [i1], containers: [c('app')] }), state([sb], [failed]), noProbes);
    assert.equal(again.nextInitContainer, 0);
    const never = computePodActions(pod({ restartPolicy: 'Never', initContainers: [i1], containers: [c('app')] }), state([sb], [failed]), noProbes);
    assert.equal(never.podFailed, true);
    assert.equal(never.killPod, true);
  });

  test('exited containers restart as the restart policy says', () => {
    const a = c('a');
    const sb = sandbox();
    const ok = rc(a, 'CONTAINER_EXITED', { exitCode: 0 });
    const bad = rc(a, 'CONTAINER_EXITED', { exitCode: 2 });
    const starts = (policy: 'Always' | 'OnFailure' | 'Never', x: typeof ok) => computePodActions(pod({ restartPolicy: policy, containers: [a] }), state([sb], [x]), noProbes).containersToStart;
    assert.deepEqual(starts('Always', ok), [0]);
    assert.deepEqual(starts('OnFailure', ok), []);
    assert.deepEqual(starts('OnFailure', bad), [0]);
    assert.deepEqual(starts('Never', bad), []);
    // Nothing runs and nothing will: the sandbox goes.
    assert.equal(computePodActions(pod({ restartPolicy: 'Never', containers: [a] }), state([sb], [bad]), noProbes).killPod, true);
  });

  test('a failed liveness probe or a changed spec replaces the running container', () => {
    const a = c('a');
    const running = rc(a, 'CONTAINER_RUNNING');
    const sb = sandbox();
    const live = computePodActions(pod({ containers: [a] }), state([sb], [running]), { livenessFailed: (id) => id === running.id, startupFailed: () => false });
    assert.deepEqual(live.containersToKill.map((k) => k.message), ['Container a failed liveness probe, will be restarted']);
    assert.deepEqual(live.containersToStart, [0]);
    const changed = computePodActions(pod({ containers: [{ ...a, image: 'busybox:1.36' }] }), state([sb], [running]), noProbes);
    assert.deepEqual(changed.containersToKill.map((k) => k.message), ['Container a definition changed, will be restarted']);
    const healthy = computePodActions(pod({ containers: [a] }), state([sb], [running]), noProbes);
    assert.equal(healthy.containersToKill.length, 0);
    assert.equal(healthy.killPod, false);
  });

  test('a dead sandbox is replaced with the next attempt, but not for a finished pod under Never', () => {
    const a = c('a');
    const dead = sandbox({ state: 'SANDBOX_NOTREADY' });
    const again = computePodActions(pod({ containers: [a] }), state([dead], [rc(a, 'CONTAINER_EXITED', { exitCode: 137 })]), noProbes);
    assert.equal(again.createSandbox, true);
    assert.equal(again.attempt, 1);
    const never = computePodActions(pod({ restartPolicy: 'Never', containers: [a] }), state([dead], [rc(a, 'CONTAINER_EXITED')]), noProbes);
    assert.equal(never.createSandbox, false);
    const done = computePodActions(pod({ restartPolicy: 'OnFailure', containers: [a] }), state([dead], [rc(a, 'CONTAINER_EXITED')]), noProbes);
    assert.equal(done.createSandbox, false, 'OnFailure and every container succeeded');
  });

  test('dead containers beyond the newest two of a name are removed', () => {
    const a = c('a');
    const list = [0, 1, 2, 3].map((n) => rc(a, n === 3 ? 'CONTAINER_RUNNING' : 'CONTAINER_EXITED', { attempt: n }));
    assert.deepEqual(containersToRemove(state([sandbox()], list)).map((x) => x.metadata.attempt).sort(), [0, 1]);
  });
});
