// The process runtime with real host processes: start, exit codes, stop with SIGTERM then
// SIGKILL, exec, logs, and leftovers of a previous kubelet.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@minik8s/shared/testing';
import type { ContainerConfig, PodSandboxConfig } from '../../src/runtime/interface.ts';
import { RuntimeError } from '../../src/runtime/interface.ts';
import { processStartTicks } from '../../src/runtime/process/proc-stat.ts';
import { ProcessRuntime } from '../../src/runtime/process/process-runtime.ts';

let dir: string;
let rt: ProcessRuntime;
let n = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubelet-process-'));
  rt = new ProcessRuntime({ stateDir: join(dir, 'state'), hostIP: '127.0.0.1', podDir: (uid) => join(dir, 'pods', uid) });
});
after(async () => {
  await rt.close(0);
  await rm(dir, { recursive: true, force: true });
});

function sandboxConfig(uid: string): PodSandboxConfig {
  return { metadata: { name: 'p', namespace: 'ns', uid, attempt: 0 }, hostname: 'p', logDirectory: join(dir, 'logs', uid), labels: {}, annotations: {}, hostNetwork: false, portMappings: [] };
}

async function start(command: string[], extra: Partial<ContainerConfig> = {}): Promise<string> {
  const uid = `uid-${++n}`;
  const sbc = sandboxConfig(uid);
  const sb = await rt.runPodSandbox(sbc);
  const id = await rt.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image: 'busybox', command, args: [], envs: [], mounts: [], labels: { 'io.kubernetes.pod.uid': uid }, annotations: {}, logPath: 'c/0.log', ...extra }, sbc);
  await rt.startContainer(id);
  return id;
}

async function logs(id: string): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await rt.readLogs(id, { follow: false, timestamps: false }, out);
  return text;
}

describe('process runtime', () => {
  test('runs the command with its env and working dir; exit code and output are kept', async () => {
    const id = await start(['sh', '-c', 'echo "$GREETING from $(pwd)"; echo oops >&2; exit 3'], { envs: [{ key: 'GREETING', value: 'hello' }], workingDir: '/tmp' });
    const st = await waitFor(async () => {
      const s = await rt.containerStatus(id);
      return s.state === 'CONTAINER_EXITED' ? s : undefined;
    }, { message: 'never exited' });
    assert.equal(st.exitCode, 3);
    assert.equal(st.reason, 'Error');
    assert.ok(st.finishedAt >= st.startedAt);
    assert.equal(await logs(id), 'hello from /tmp\noops\n');
  });

  test('stop sends SIGTERM, and SIGKILL to what ignores it once the timeout passed', async () => {
    const polite = await start(['sleep', '1000']);
    await rt.stopContainer(polite, 10);
    const st = await rt.containerStatus(polite);
    assert.equal(st.state, 'CONTAINER_EXITED');
    assert.equal(st.exitCode, 143, 'killed by SIGTERM');

    const stubborn = await start(['sh', '-c', "trap '' TERM; echo ready; while :; do sleep 0.1; done"]);
    await waitFor(async () => (await logs(stubborn)) === 'ready\n', { message: 'never ready' });
    await rt.stopContainer(stubborn, 1);
    assert.equal((await rt.containerStatus(stubborn)).exitCode, 137, 'killed by SIGKILL');
  });

  test('a missing executable or working dir fails the start with a StartError status', async () => {
    await assert.rejects(start(['no-such-binary-here']), (err: unknown) => err instanceof RuntimeError && err.reason === 'RunContainerError' && /executable file not found/.test(err.message));
    const list = await rt.listContainers({ podUid: `uid-${n}` });
    assert.equal(list[0].reason, 'StartError');
    assert.equal(list[0].exitCode, 128);
    await assert.rejects(start(['true'], { workingDir: join(dir, 'missing') }), /chdir to cwd/);
  });

  test('a container without a command of an image it does not know, or with mounts, is refused with a reason', async () => {
    await assert.rejects(start([], { image: 'nginx:1.27' }), (err: unknown) => err instanceof RuntimeError && err.reason === 'CreateContainerError' && /cannot run the entrypoint of image "nginx:1.27"/.test(err.message));
    await assert.rejects(start(['true'], { mounts: [{ containerPath: '/data', hostPath: '/tmp', readonly: false }] }), /cannot mount volumes \(\/data\)/);
  });

  test("busybox: args alone run as the command (no entrypoint), neither runs the image's cmd (sh), and the applets come first on PATH", async () => {
    const exited = (id: string) =>
      waitFor(async () => {
        const st = await rt.containerStatus(id);
        return st.state === 'CONTAINER_EXITED' ? st : undefined;
      }, { message: 'never exited' });
    const argsOnly = await start([], { args: ['sh', '-c', 'which httpd sh; echo "$PATH"'] });
    assert.equal((await exited(argsOnly)).exitCode, 0);
    const appletDir = join(dir, 'state', 'busybox-applets');
    assert.equal(await logs(argsOnly), `${appletDir}/httpd\n${appletDir}/sh\n${appletDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n`);
    // `sh` with no terminal and nothing on stdin ends at once, as `docker run busybox` does.
    const neither = await start([], { image: 'docker.io/library/busybox:1.36' });
    const st = await exited(neither);
    assert.equal(st.exitCode, 0);
    assert.equal(st.reason, 'Completed');
    // Another image keeps the plain PATH: its `httpd` is not busybox's.
    const other = await start(['sh', '-c', 'echo "$PATH"'], { image: 'nginx:1.27' });
    await exited(other);
    assert.equal(await logs(other), '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
  });

  test('execSync and exec run in the container environment', async () => {
    const id = await start(['sleep', '1000'], { envs: [{ key: 'WHO', value: 'container' }] });
    const r = await rt.execSync(id, ['sh', '-c', 'echo $WHO; exit 4'], 5_000);
    assert.deepEqual(r, { exitCode: 4, stdout: 'container\n', stderr: '', timedOut: false });
    const slow = await rt.execSync(id, ['sleep', '5'], 200);
    assert.equal(slow.timedOut, true);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (d: Buffer) => (text += d.toString()));
    stdin.end('piped\n');
    assert.equal(await rt.exec(id, ['cat'], { stdin, stdout, tty: false }), 0);
    assert.equal(text, 'piped\n');
    await rt.stopContainer(id, 0);
    await assert.rejects(rt.execSync(id, ['true'], 1000), /not running/);
  });

  test('the main process exiting takes its background children with it', async () => {
    const id = await start(['sh', '-c', 'sleep 1000 & echo child=$!']);
    await waitFor(async () => (await rt.containerStatus(id)).state === 'CONTAINER_EXITED', { message: 'never exited' });
    const child = Number(/child=(\d+)/.exec(await logs(id))![1]);
    await waitFor(() => {
      try {
        process.kill(child, 0);
        return false;
      } catch {
        return true;
      }
    }, { message: 'the background child survived' });
  });

  test('killLeftovers kills process groups a previous kubelet recorded, and only those', async () => {
    const leftover = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    const ticks = await processStartTicks(leftover.pid!);
    const other = new ProcessRuntime({ stateDir: join(dir, 'state2'), hostIP: '127.0.0.1', podDir: (uid) => join(dir, 'pods', uid) });
    await writeFile(join(dir, 'state2', 'pids', 'abc'), `${leftover.pid} ${ticks}\n`);
    // A record whose start time does not match (a reused pid) is not killed.
    await writeFile(join(dir, 'state2', 'pids', 'def'), `${process.pid} 1\n`);
    const exited = new Promise((r) => leftover.on('exit', r));
    assert.equal(await other.killLeftovers(), 1);
    await exited;
    await other.close(0);
  });
});
