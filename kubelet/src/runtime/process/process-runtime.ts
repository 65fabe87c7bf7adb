// The `process` runtime: every container is a host process. It needs no Docker and starts in
// milliseconds, so it is the default for the local launcher and fast tests.
//
// What it does (and what it cannot):
// - A container runs its command + args, with its env, in its workingDir (default: the pod's
//   directory, shared by the pod's containers). Images are not read: only a few base images'
//   entrypoint and cmd are known (known-images.ts), so a container of another image without a
//   command fails creation with CreateContainerError saying so. busybox and alpine containers
//   find busybox's applets first on PATH, as in the image.
// - Each container is a process group leader (setsid); when its main process exits the whole
//   group is killed, as a PID namespace dies with its init. stopContainer sends SIGTERM to the
//   main process and SIGKILL to the group after the timeout.
// - stdout and stderr go through this process into CRI log files, so containers cannot outlive
//   the kubelet: close() stops them, and a pid file per container lets the next kubelet kill
//   what a crashed one left behind (pid + start time, so a reused pid is never hit).
// - Every pod shares the host's network namespace (podIP = the node's IP), unless a
//   BridgeNetwork is given (root): then each pod has its own namespace and IP from the node's
//   podCIDR, and its containers run under nsenter. Volume mounts and a TTY are refused with a
//   clear reason; resource limits are not enforced.
// - Images do not exist: pulls succeed at once and every image counts as present.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, unlinkSync } from 'node:fs';
import { mkdir, rm, stat, writeFile, readdir, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { CriLogWriter, readCriLog } from '../logs/cri-log.ts';
import { createdContainerStatus } from '../created-container-status.ts';
import {
  RuntimeError,
  type ContainerConfig,
  type ContainerLogOptions,
  type ContainerStatus,
  type ExecResult,
  type ExecStreams,
  type ImageInfo,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type RuntimeEvent,
  type RuntimeService,
  type VersionInfo,
} from '../interface.ts';
import type { BridgeNetwork } from './bridge-network.ts';
import { busyboxAppletDir } from './busybox-applets.ts';
import { containerCommandLine, knownImage } from './known-images.ts';
import { DEFAULT_PATH, lookPath } from './look-path.ts';
import { processStartTicks } from './proc-stat.ts';

export interface ProcessRuntimeOptions {
  /** Where pid files live (<stateDir>/pids). */
  stateDir: string;
  /** The node's IP: every sandbox's IP (host network). */
  hostIP: string;
  /** Default working directory of a sandbox's containers (the pod's directory), by pod uid. */
  podDir(uid: string): string;
  /** Per-pod network namespaces on a bridge (root only); without it every pod uses the host network. */
  network?: BridgeNetwork;
  now?: () => number;
}

interface Sandbox {
  status: PodSandboxStatus;
  config: PodSandboxConfig;
  /** The pod's network namespace, when it has its own. */
  netnsPath?: string;
}

interface Container {
  status: ContainerStatus;
  config: ContainerConfig;
  /** What it runs: command + args, the image's entrypoint and cmd filled in (known-images.ts). */
  commandLine: string[];
  sandboxId: string;
  netnsPath?: string;
  env: Record<string, string>;
  cwd: string;
  child?: ChildProcess;
  /** Resolves once the process exited and its log is flushed. */
  exited?: Promise<void>;
}

/** How much of an exec's output is kept (upstream's probe output limit is 10 KiB). */
const MAX_EXEC_OUTPUT = 10 * 1024;

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function newId(): string {
  return randomBytes(32).toString('hex');
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export class ProcessRuntime implements RuntimeService {
  readonly type = 'process';

  /** Whether pods get network namespaces of their own (else every pod is in the host's). */
  get podNetwork(): 'bridge' | 'host' {
    return this.opts.network ? 'bridge' : 'host';
  }
  private readonly opts: ProcessRuntimeOptions;
  private readonly now: () => number;
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly containers = new Map<string, Container>();
  private readonly listeners: ((e: RuntimeEvent) => void)[] = [];
  private readonly pidDir: string;
  /** PATH of busybox-userland containers, made on first use. */
  private busyboxPath: Promise<string> | undefined;
  private readonly onExit = () => this.killAllSync();

  constructor(opts: ProcessRuntimeOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.pidDir = join(opts.stateDir, 'pids');
    mkdirSync(this.pidDir, { recursive: true });
    process.on('exit', this.onExit);
  }

  private pathWithBusybox(): Promise<string> {
    this.busyboxPath ??= busyboxAppletDir(this.opts.stateDir).then(
      (dir) => (dir ? `${dir}:${DEFAULT_PATH}` : DEFAULT_PATH),
      () => DEFAULT_PATH,
    );
    return this.busyboxPath;
  }

  /** Kills the process groups a previous kubelet left running (from its pid files). */
  async killLeftovers(): Promise<number> {
    let killed = 0;
    for (const f of await readdir(this.pidDir)) {
      const path = join(this.pidDir, f);
      try {
        const [pidText, ticks] = (await readFile(path, 'utf8')).trim().split(' ');
        const pid = Number(pidText);
        if (pid > 0 && ticks && (await processStartTicks(pid)) === ticks) {
          killGroup(pid, 'SIGKILL');
          killed++;
        }
      } catch {
        // unreadable: nothing to kill
      }
      await unlink(path).catch(() => {});
    }
    return killed;
  }

  async version(): Promise<VersionInfo> {
    return { runtimeName: 'process', runtimeVersion: process.version, runtimeApiVersion: 'v1' };
  }

  // ---- sandboxes ----------------------------------------------------------------------------

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = newId();
    await mkdir(config.logDirectory, { recursive: true });
    await mkdir(this.opts.podDir(config.metadata.uid), { recursive: true });
    const own = this.opts.network && !config.hostNetwork ? await this.opts.network.setUp(id) : undefined;
    this.sandboxes.set(id, {
      config,
      netnsPath: own?.netnsPath,
      status: {
        id,
        metadata: { ...config.metadata },
        state: 'SANDBOX_READY',
        createdAt: this.now(),
        network: { ip: own?.ip ?? this.opts.hostIP },
        hostNetwork: !own,
        labels: { ...config.labels },
        annotations: { ...config.annotations },
      },
    });
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sb = this.sandboxes.get(id);
    if (!sb) return;
    await Promise.all(
      [...this.containers.values()].filter((c) => c.sandboxId === id).map((c) => this.stopContainer(c.status.id, 0)),
    );
    sb.status.state = 'SANDBOX_NOTREADY';
    // As the CRI says: stopping a sandbox releases its network.
    if (sb.netnsPath) await this.opts.network?.tearDown(id);
  }

  async removePodSandbox(id: string): Promise<void> {
    const sb = this.sandboxes.get(id);
    if (!sb) return;
    await this.stopPodSandbox(id);
    if (sb.netnsPath) await this.opts.network?.tearDown(id);
    for (const c of [...this.containers.values()]) if (c.sandboxId === id) await this.removeContainer(c.status.id);
    this.sandboxes.delete(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const sb = this.sandboxes.get(id);
    if (!sb) throw new RuntimeError('NotFound', `pod sandbox ${id} not found`);
    return structuredClone(sb.status);
  }

  async listPodSandbox(filter: { podUid?: string } = {}): Promise<PodSandboxStatus[]> {
    return [...this.sandboxes.values()]
      .filter((s) => filter.podUid === undefined || s.status.metadata.uid === filter.podUid)
      .map((s) => structuredClone(s.status));
  }

  // ---- containers ---------------------------------------------------------------------------

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const sb = this.sandboxes.get(podSandboxId);
    if (!sb || sb.status.state !== 'SANDBOX_READY') throw new RuntimeError('NotFound', `pod sandbox ${podSandboxId} is not ready`);
    const image = knownImage(config.image);
    const commandLine = containerCommandLine(config.command, config.args, image);
    if (!commandLine) {
      throw new RuntimeError(
        'CreateContainerError',
        `the process runtime cannot run the entrypoint of image "${config.image}": it runs host processes and knows only the entrypoints of busybox, alpine, debian and ubuntu, so the container needs a command`,
      );
    }
    if (config.mounts.length > 0) {
      throw new RuntimeError(
        'CreateContainerError',
        `the process runtime cannot mount volumes (${config.mounts.map((m) => m.containerPath).join(', ')}): use --container-runtime=docker`,
      );
    }
    if (config.tty) throw new RuntimeError('CreateContainerError', 'the process runtime cannot allocate a TTY');
    const path = image?.busybox ? await this.pathWithBusybox() : DEFAULT_PATH;
    const env: Record<string, string> = { PATH: path, HOSTNAME: sandboxConfig.hostname, HOME: '/root' };
    for (const { key, value } of config.envs) env[key] = value;
    const id = newId();
    const logPath = join(sandboxConfig.logDirectory, config.logPath);
    await mkdir(dirname(logPath), { recursive: true });
    await writeFile(logPath, '', { flag: 'a' });
    this.containers.set(id, {
      sandboxId: podSandboxId,
      netnsPath: sb.netnsPath,
      config,
      commandLine,
      env,
      cwd: config.workingDir || this.opts.podDir(sandboxConfig.metadata.uid),
      status: createdContainerStatus(id, podSandboxId, config, this.now(), logPath),
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.mustGet(id);
    if (c.status.state !== 'CONTAINER_CREATED') throw new RuntimeError('RunContainerError', `container ${id} was already started`);
    const [cmd, ...rest] = c.commandLine;
    const exe = await lookPath(cmd, c.env.PATH, c.cwd);
    if (!exe) return this.failStart(c, `exec: "${cmd}": executable file not found in $PATH`);
    if (!(await isDirectory(c.cwd))) {
      return this.failStart(c, `chdir to cwd ("${c.cwd}") set in config.json failed: no such file or directory`);
    }
    const log = new CriLogWriter(c.status.logPath, this.now);
    let child: ChildProcess;
    try {
      const [file, argv] = await this.inNetns(c, exe, rest);
      child = spawn(file, argv, {
        cwd: c.cwd,
        env: c.env,
        argv0: cmd,
        detached: true,
        stdio: [c.config.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      await log.end();
      return this.failStart(c, (err as Error).message);
    }
    c.child = child;
    child.stdout!.on('data', (d: Buffer) => log.write('stdout', d));
    child.stderr!.on('data', (d: Buffer) => log.write('stderr', d));
    child.stdin?.on('error', () => {});
    let spawnError: Error | undefined;
    child.on('error', (err) => {
      spawnError = err;
    });
    // The main process is gone: nothing else of the container may live on (the group is killed,
    // which also closes pipes a background grandchild still held, so 'close' follows).
    child.on('exit', () => killGroup(child.pid, 'SIGKILL'));
    c.exited = new Promise<void>((resolve) => {
      child.on('close', (code, signal) => {
        void (async () => {
          await log.end();
          if (child.pid) await unlink(join(this.pidDir, id)).catch(() => {});
          const st = c.status;
          st.state = 'CONTAINER_EXITED';
          st.finishedAt = this.now();
          if (spawnError && code === null && signal === null) {
            st.exitCode = 128;
            st.reason = 'StartError';
            st.message = spawnError.message;
          } else {
            st.exitCode = code ?? 128 + (SIGNALS[signal ?? ''] ?? 0);
            st.reason = st.exitCode === 0 ? 'Completed' : 'Error';
          }
          c.child = undefined;
          resolve();
          this.emit({ podUid: st.labels['io.kubernetes.pod.uid'] ?? '', containerId: id, type: 'CONTAINER_STOPPED' });
        })();
      });
    });
    c.status.state = 'CONTAINER_RUNNING';
    c.status.startedAt = this.now();
    if (child.pid) {
      const ticks = await processStartTicks(child.pid);
      if (ticks && c.child) await writeFile(join(this.pidDir, id), `${child.pid} ${ticks}\n`).catch(() => {});
    }
  }

  private failStart(c: Container, message: string): never {
    const st = c.status;
    st.state = 'CONTAINER_EXITED';
    st.startedAt = 0;
    st.finishedAt = this.now();
    st.exitCode = 128;
    st.reason = 'StartError';
    st.message = message;
    throw new RuntimeError('RunContainerError', message);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    if (c.status.state === 'CONTAINER_CREATED') {
      c.status.state = 'CONTAINER_EXITED';
      c.status.finishedAt = this.now();
      return;
    }
    const child = c.child;
    if (!child || !c.exited) return;
    try {
      child.kill('SIGTERM');
    } catch {
      // gone already
    }
    const killer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), Math.max(0, timeoutSeconds) * 1000);
    try {
      await c.exited;
    } finally {
      clearTimeout(killer);
    }
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    if (c.child) {
      killGroup(c.child.pid, 'SIGKILL');
      await c.exited;
    }
    this.containers.delete(id);
    await rm(c.status.logPath, { force: true });
  }

  async listContainers(filter: { podUid?: string; podSandboxId?: string } = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const c of this.containers.values()) {
      if (filter.podSandboxId !== undefined && c.sandboxId !== filter.podSandboxId) continue;
      if (filter.podUid !== undefined && c.status.labels['io.kubernetes.pod.uid'] !== filter.podUid) continue;
      out.push(structuredClone(c.status));
    }
    return out;
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return structuredClone(this.mustGet(id).status);
  }

  // ---- exec and logs ------------------------------------------------------------------------

  private async spawnIn(c: Container, cmd: string[], stdinPiped: boolean): Promise<ChildProcess> {
    if (c.status.state !== 'CONTAINER_RUNNING') throw new RuntimeError('NotFound', `container ${c.status.id} is not running`);
    if (cmd.length === 0) throw new RuntimeError('RunContainerError', 'exec needs a command');
    const exe = await lookPath(cmd[0], c.env.PATH, c.cwd);
    if (!exe) throw new RuntimeError('RunContainerError', `exec: "${cmd[0]}": executable file not found in $PATH`);
    const [file, argv] = await this.inNetns(c, exe, cmd.slice(1));
    return spawn(file, argv, { cwd: c.cwd, env: c.env, argv0: cmd[0], detached: true, stdio: [stdinPiped ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  }

  /** The command line that runs `exe` in the container's network namespace (nsenter execs it: same pid). */
  private async inNetns(c: Container, exe: string, args: string[]): Promise<[string, string[]]> {
    if (!c.netnsPath) return [exe, args];
    const nsenter = (await lookPath('nsenter')) ?? '/usr/bin/nsenter';
    return [nsenter, [`--net=${c.netnsPath}`, '--', exe, ...args]];
  }

  async execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecResult> {
    const child = await this.spawnIn(this.mustGet(id), cmd, false);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_EXEC_OUTPUT) stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < MAX_EXEC_OUTPUT) stderr += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    const exitCode = await new Promise<number>((resolve) => {
      child.on('error', () => resolve(126));
      child.on('close', (code, signal) => resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0)));
    });
    clearTimeout(timer);
    killGroup(child.pid, 'SIGKILL');
    return { exitCode, stdout: stdout.slice(0, MAX_EXEC_OUTPUT), stderr: stderr.slice(0, MAX_EXEC_OUTPUT), timedOut };
  }

  async exec(id: string, cmd: string[], streams: ExecStreams): Promise<number> {
    if (streams.tty) throw new RuntimeError('Unsupported', 'the process runtime cannot allocate a TTY');
    const child = await this.spawnIn(this.mustGet(id), cmd, streams.stdin !== undefined);
    if (streams.stdin && child.stdin) {
      child.stdin.on('error', () => {});
      streams.stdin.pipe(child.stdin);
    }
    if (streams.stdout) child.stdout!.pipe(streams.stdout, { end: false });
    else child.stdout!.resume();
    if (streams.stderr) child.stderr!.pipe(streams.stderr, { end: false });
    else child.stderr!.resume();
    const onAbort = () => killGroup(child.pid, 'SIGKILL');
    streams.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await new Promise<number>((resolve) => {
        child.on('error', () => resolve(126));
        child.on('close', (code, signal) => resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0)));
      });
    } finally {
      streams.signal?.removeEventListener('abort', onAbort);
      streams.stdin?.unpipe();
      killGroup(child.pid, 'SIGKILL');
    }
  }

  async readLogs(id: string, opts: ContainerLogOptions, out: Writable, signal?: AbortSignal): Promise<void> {
    const c = this.mustGet(id);
    await readCriLog(c.status.logPath, { ...opts, signal, isRunning: () => c.status.state === 'CONTAINER_RUNNING' }, out);
  }

  // ---- images -------------------------------------------------------------------------------

  async pullImage(image: string): Promise<string> {
    return image;
  }

  async imageStatus(image: string): Promise<ImageInfo | undefined> {
    return { id: image, repoTags: [image], size: 0 };
  }

  onEvent(listener: (e: RuntimeEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Stops every container (SIGTERM, SIGKILL after `graceSeconds`) and forgets everything. */
  async close(graceSeconds = 2): Promise<void> {
    await Promise.all([...this.containers.values()].map((c) => this.stopContainer(c.status.id, graceSeconds)));
    await this.opts.network?.close();
    process.off('exit', this.onExit);
  }

  private emit(e: RuntimeEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // listeners only enqueue
      }
    }
  }

  private mustGet(id: string): Container {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `container ${id} not found`);
    return c;
  }

  /** Last resort at process exit: nothing asynchronous runs any more, so kill and forget. */
  private killAllSync(): void {
    for (const [id, c] of this.containers) {
      if (!c.child) continue;
      killGroup(c.child.pid, 'SIGKILL');
      try {
        unlinkSync(join(this.pidDir, id));
      } catch {
        // best effort
      }
    }
  }
}
