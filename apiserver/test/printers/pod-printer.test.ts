// Pod rows: READY, STATUS and RESTARTS as kubectl shows them for the states users meet.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { columnDefinitions, printerFor, printRow } from '../../src/printers/index.ts';
import { NOW, ago, S, M } from './support.ts';

function pod(status: Record<string, unknown>, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(10 * M), ...meta },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
    status,
  };
}

const running = (name: string, restartCount = 0) => ({ name, ready: true, started: true, restartCount, state: { running: { startedAt: ago(9 * M) } } });
const cells = (p: KubeObject) => printRow('', 'pods', p, NOW);
/** READY, STATUS, RESTARTS. */
const summary = (p: KubeObject) => cells(p).slice(1, 4);

describe('pod printer', () => {
  it('has upstream columns, wide ones at priority 1', () => {
    const cols = columnDefinitions('', 'pods');
    assert.deepEqual(
      cols.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Ready', 'string', 0],
        ['Status', 'string', 0],
        ['Restarts', 'string', 0],
        ['Age', 'string', 0],
        ['IP', 'string', 1],
        ['Node', 'string', 1],
        ['Nominated Node', 'string', 1],
        ['Readiness Gates', 'string', 1],
      ],
    );
    assert.equal(cols[0].format, 'name');
    assert.ok(cols.every((c) => c.description.length > 0));
  });

  it('prints an unscheduled pod as Pending with <none> wide cells', () => {
    const p = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] });
    assert.deepEqual(cells(p), ['web', '0/1', 'Pending', '0', '10m', '<none>', '<none>', '<none>', '<none>']);
  });

  it('prints a creating container by its waiting reason', () => {
    const p = pod({ phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }, { nodeName: 'node-1' });
    assert.deepEqual(summary(p), ['0/1', 'ContainerCreating', '0']);
  });

  it('prints a running pod with IP, node, nominated node and readiness gates', () => {
    const p = pod(
      {
        phase: 'Running',
        podIP: '10.244.1.5',
        podIPs: [{ ip: '10.244.1.5' }],
        nominatedNodeName: 'node-2',
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'example.com/gate', status: 'True' },
          { type: 'example.com/other', status: 'False' },
        ],
        containerStatuses: [running('app')],
      },
      { nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/gate' }, { conditionType: 'example.com/other' }] },
    );
    assert.deepEqual(cells(p), ['web', '1/1', 'Running', '0', '10m', '10.244.1.5', 'node-1', 'node-2', '1/2']);
  });

  it('takes the IP from podIPs when podIP is unset', () => {
    const p = pod({ phase: 'Running', podIPs: [{ ip: 'fd00::5' }], containerStatuses: [running('app')] });
    assert.equal(cells(p)[5], 'fd00::5');
  });

  it('prints CrashLoopBackOff with restarts and when the last one was', () => {
    const p = pod(
      {
        phase: 'Running',
        containerStatuses: [
          running('sidecar'),
          {
            name: 'app',
            ready: false,
            restartCount: 5,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(5 * M + 2 * S), finishedAt: ago(5 * M) } },
          },
        ],
      },
      { containers: [{ name: 'sidecar' }, { name: 'app' }] },
    );
    assert.deepEqual(summary(p), ['1/2', 'CrashLoopBackOff', '5 (5m ago)']);
  });

  it('shows the FIRST container that is waiting or terminated (containers are walked last to first)', () => {
    const p = pod(
      {
        phase: 'Pending',
        containerStatuses: [
          { name: 'a', restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } },
          { name: 'b', restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } },
        ],
      },
      { containers: [{ name: 'a' }, { name: 'b' }] },
    );
    assert.deepEqual(summary(p), ['0/2', 'ImagePullBackOff', '0']);
  });

  it('prints a succeeded pod as Completed with a Completed row condition', () => {
    const p = pod({
      phase: 'Succeeded',
      conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted' }],
      containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: ago(M) } } }],
    });
    assert.deepEqual(summary(p), ['0/1', 'Completed', '0']);
    assert.deepEqual(printerFor('', 'pods').print(p, NOW).conditions, [
      { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
    ]);
  });

  it('prints a failed pod by its termination reason, exit code or signal', () => {
    const failed = (terminated: Record<string, unknown>) =>
      pod({ phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated } }] });
    assert.deepEqual(summary(failed({ exitCode: 1, reason: 'Error' })), ['0/1', 'Error', '0']);
    assert.deepEqual(summary(failed({ exitCode: 137, reason: 'OOMKilled' })), ['0/1', 'OOMKilled', '0']);
    assert.deepEqual(summary(failed({ exitCode: 3 })), ['0/1', 'ExitCode:3', '0']);
    assert.deepEqual(summary(failed({ exitCode: 137, signal: 9 })), ['0/1', 'Signal:9', '0']);
    assert.deepEqual(printerFor('', 'pods').print(failed({ exitCode: 1, reason: 'Error' }), NOW).conditions, [
      { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
    ]);
  });

  it('uses status.reason of an evicted pod', () => {
    const p = pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' });
    assert.deepEqual(summary(p), ['0/1', 'Evicted', '0']);
  });

  it('prints a pod being deleted as Terminating, unless it already finished or its node is lost', () => {
    const del = { deletionTimestamp: ago(-30 * S), deletionGracePeriodSeconds: 30 };
    assert.equal(summary(pod({ phase: 'Running', containerStatuses: [running('app')] }, {}, del))[1], 'Terminating');
    assert.equal(
      summary(pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }, {}, del))[1],
      'Completed',
    );
    assert.equal(summary(pod({ phase: 'Running', reason: 'NodeLost', containerStatuses: [running('app')] }, {}, del))[1], 'Unknown');
  });

  it('prints Init:N/M while an init container runs', () => {
    const p = pod(
      {
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized' }],
        initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, state: { running: { startedAt: ago(5 * S) } } }],
        containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
      { initContainers: [{ name: 'init', image: 'busybox' }] },
    );
    assert.deepEqual(summary(p), ['0/1', 'Init:0/1', '0']);
  });

  it('counts completed init containers in Init:N/M', () => {
    const p = pod(
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'one', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'two', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
          { name: 'three', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
      { initContainers: [{ name: 'one' }, { name: 'two' }, { name: 'three' }] },
    );
    assert.deepEqual(summary(p), ['0/1', 'Init:1/3', '0']);
  });

  it('prints a crashing init container as Init:<reason>, counting its restarts', () => {
    const p = pod(
      {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'init',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(30 * S) } },
          },
        ],
        containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
      { initContainers: [{ name: 'init' }] },
    );
    assert.deepEqual(summary(p), ['0/1', 'Init:CrashLoopBackOff', '3 (30s ago)']);
  });

  it('prints a failed init container as Init:Error, Init:ExitCode:N or Init:Signal:N', () => {
    const initFailed = (terminated: Record<string, unknown>) =>
      pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', restartCount: 0, state: { terminated } }] }, { initContainers: [{ name: 'init' }] });
    assert.equal(summary(initFailed({ exitCode: 1, reason: 'Error' }))[1], 'Init:Error');
    assert.equal(summary(initFailed({ exitCode: 2 }))[1], 'Init:ExitCode:2');
    assert.equal(summary(initFailed({ exitCode: 143, signal: 15 }))[1], 'Init:Signal:15');
  });

  it('prints PodInitializing once init containers are done and app containers start', () => {
    const p = pod(
      {
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [{ name: 'init', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
      { initContainers: [{ name: 'init' }] },
    );
    assert.deepEqual(summary(p), ['0/1', 'PodInitializing', '0']);
  });

  it('counts a started sidecar (restartable init container) in READY and its restarts in RESTARTS', () => {
    const p = pod(
      {
        phase: 'Running',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'True' },
        ],
        initContainerStatuses: [
          { name: 'setup', restartCount: 4, state: { terminated: { exitCode: 0, reason: 'Completed' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(8 * M) } } },
          { name: 'proxy', ready: true, started: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * M) } } },
        ],
        containerStatuses: [running('app')],
      },
      { initContainers: [{ name: 'setup' }, { name: 'proxy', restartPolicy: 'Always' }] },
    );
    // The plain init container's restarts no longer count once the pod is initialized.
    assert.deepEqual(summary(p), ['2/2', 'Running', '1 (2m ago)']);
  });

  it('prints SchedulingGated while a scheduling gate holds the pod', () => {
    const p = pod(
      { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
      { schedulingGates: [{ name: 'example.com/quota' }] },
    );
    assert.equal(summary(p)[1], 'SchedulingGated');
  });

  it('prints Running (or NotReady) when one container completed and another still runs', () => {
    const status = (ready: string) => ({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready }],
      containerStatuses: [{ name: 'job', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }, running('server')],
    });
    const spec = { containers: [{ name: 'job' }, { name: 'server' }] };
    assert.deepEqual(summary(pod(status('True'), spec)), ['1/2', 'Running', '0']);
    assert.deepEqual(summary(pod(status('False'), spec)), ['1/2', 'NotReady', '0']);
  });

  it('prints restarts without "ago" when no termination time is known', () => {
    const p = pod({ phase: 'Running', containerStatuses: [running('app', 2)] });
    assert.deepEqual(summary(p), ['1/1', 'Running', '2']);
  });
});
