// The kubelet API (logs, exec over WebSocket) on a real process runtime, without an apiserver.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { waitFor } from '@minik8s/shared/testing';
import type { Pod } from '../../src/api/pod.ts';
import { ProcessRuntime } from '../../src/runtime/process/process-runtime.ts';
import { KubeletServer } from '../../src/server/kubelet-server.ts';
import { c, pod } from '../support/fixtures.ts';

let dir: string;
let rt: ProcessRuntime;
let server: KubeletServer;
let port: number;
let thePod: Pod;
/** What the status manager would answer for the pod (the server prefers it to thePod.status). */
let managerStatus: Pod['status'] | undefined;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubelet-server-'));
  rt = new ProcessRuntime({ stateDir: join(dir, 'state'), hostIP: '127.0.0.1', podDir: (uid) => join(dir, 'pods', uid) });
  thePod = pod({ containers: [c('main'), c('idle')] });
  const sbc = { metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', attempt: 0 }, hostname: 'p', logDirectory: join(dir, 'logs'), labels: {}, annotations: {}, hostNetwork: false, portMappings: [] };
  const sb = await rt.runPodSandbox(sbc);
  const labels = { 'io.kubernetes.pod.uid': 'uid-1', 'io.kubernetes.container.name': 'main' };
  const id = await rt.createContainer(sb, { metadata: { name: 'main', attempt: 0 }, image: 'busybox', command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done; exec sleep 1000'], args: [], envs: [{ key: 'WHO', value: 'main' }], mounts: [], labels, annotations: {}, logPath: 'main/0.log' }, sbc);
  await rt.startContainer(id);
  server = new KubeletServer({ runtime: rt, findPod: (ns, name) => (ns === 'ns' && name === 'p' ? thePod : undefined), pods: () => [thePod], podStatus: () => managerStatus });
  port = await server.listen('127.0.0.1', 0);
});

after(async () => {
  await server.close();
  await rt.close(0);
  await rm(dir, { recursive: true, force: true });
});

const get = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
};

interface ExecOutcome {
  frames: [number, string][];
  protocol: string;
  code: number;
}

function exec(query: string, protocols: string[], stdin?: string): Promise<ExecOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/exec/ns/p/main?${query}`, protocols);
    const frames: [number, string][] = [];
    ws.on('open', () => {
      if (stdin !== undefined) {
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(stdin)]));
        ws.send(Buffer.from([255, 0]));
      }
    });
    ws.on('message', (d: Buffer) => frames.push([d[0], d.subarray(1).toString()]));
    ws.on('close', (code) => resolve({ frames, protocol: ws.protocol, code }));
    ws.on('error', reject);
  });
}

describe('kubelet server', () => {
  test('containerLogs serves tailLines, limitBytes, timestamps, and errors as Status', async () => {
    await waitFor(async () => (await get('/containerLogs/ns/p/main')).text.includes('line5'), { message: 'no logs' });
    const all = await get('/containerLogs/ns/p/main');
    assert.equal(all.status, 200);
    assert.equal(all.type, 'text/plain');
    assert.equal(all.text, 'line1\nline2\nline3\nline4\nline5\n');
    assert.equal((await get('/containerLogs/ns/p/main?tailLines=2')).text, 'line4\nline5\n');
    assert.equal((await get('/containerLogs/ns/p/main?limitBytes=8')).text, 'line1\nli');
    assert.match((await get('/containerLogs/ns/p/main?timestamps=true&tailLines=1')).text, /^\S+Z line5\n$/);
    const missing = await get('/containerLogs/ns/nope/main');
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.text).reason, 'NotFound');
    assert.equal((await get('/containerLogs/ns/p/other')).status, 404);
    assert.equal((await get('/containerLogs/ns/p/idle')).status, 400, 'a container not started yet');
    assert.equal((await get('/containerLogs/ns/p/main?previous=true')).status, 400, 'no previous container');
    assert.equal((await get('/containerLogs/ns/p/main?tailLines=x')).status, 400);
  });

  test('a container that never ran: the message says why, from its waiting reason (status manager first)', async () => {
    const message = async () => {
      const res = await get('/containerLogs/ns/p/idle');
      assert.equal(res.status, 400);
      assert.equal(JSON.parse(res.text).reason, 'BadRequest');
      return JSON.parse(res.text).message as string;
    };
    const waiting = (reason?: string): Pod['status'] => ({
      phase: 'Pending',
      containerStatuses: [{ name: 'idle', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: reason ? { waiting: { reason } } : {}, lastState: {} }],
    });
    try {
      managerStatus = undefined;
      thePod.status = undefined;
      assert.equal(await message(), 'container "idle" in pod "p" is not available');
      thePod.status = waiting('ContainerCreating');
      assert.equal(await message(), 'container "idle" in pod "p" is waiting to start: ContainerCreating', "the pod's own status when the manager has none");
      managerStatus = waiting('CreateContainerError');
      assert.equal(await message(), 'container "idle" in pod "p" is waiting to start: CreateContainerError');
      managerStatus = waiting('ErrImagePull');
      assert.equal(await message(), 'container "idle" in pod "p" is waiting to start: image can\'t be pulled');
      managerStatus = waiting('ImagePullBackOff');
      assert.equal(await message(), 'container "idle" in pod "p" is waiting to start: trying and failing to pull image');
      managerStatus = waiting();
      assert.equal(await message(), 'container "idle" in pod "p" is waiting to start - no logs yet');
    } finally {
      managerStatus = undefined;
      thePod.status = undefined;
    }
  });

  test('exec over v5.channel.k8s.io: stdin, stdout, stderr, then the exit status', async () => {
    const q = new URLSearchParams([['command', 'sh'], ['command', '-c'], ['command', 'echo out $WHO; cat >&2; exit 3'], ['stdin', 'true'], ['stdout', 'true'], ['stderr', 'true']]);
    const r = await exec(q.toString(), ['v5.channel.k8s.io', 'v4.channel.k8s.io'], 'to-stderr');
    assert.equal(r.protocol, 'v5.channel.k8s.io');
    assert.equal(r.code, 1000);
    assert.deepEqual(r.frames[0], [1, ''], 'first an empty frame on stdout');
    assert.equal(r.frames.filter(([ch]) => ch === 1).map(([, t]) => t).join(''), 'out main\n');
    assert.equal(r.frames.filter(([ch]) => ch === 2).map(([, t]) => t).join(''), 'to-stderr');
    const status = JSON.parse(r.frames.at(-1)![1]);
    assert.equal(r.frames.at(-1)![0], 3);
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
  });

  test('exec success on v4; a refused upgrade for a missing container', async () => {
    const ok = await exec('command=true&stdout=true', ['v4.channel.k8s.io']);
    assert.equal(ok.protocol, 'v4.channel.k8s.io');
    assert.deepEqual(ok.frames.at(-1), [3, '{"metadata":{},"status":"Success"}']);
    await assert.rejects(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/exec/ns/p/idle?command=true&stdout=true`, ['v5.channel.k8s.io']);
        ws.on('open', resolve);
        ws.on('error', reject);
      }),
      /Unexpected server response: 400/,
    );
    const plain = await fetch(`http://127.0.0.1:${port}/exec/ns/p/main?command=true`);
    assert.equal(plain.status, 400, 'no SPDY');
  });
});
