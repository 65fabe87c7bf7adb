// The `docker` runtime: real containers through the Docker Engine API, in the layout dockershim
// used. A pod sandbox is a pause container holding the pod's network namespace (on Docker's
// default bridge, so every pod gets its own IP in one flat network; the host's for hostNetwork
// pods); app containers join it (NetworkMode and IpcMode `container:<pause>`), so containers of
// a pod share localhost. Volumes are bind mounts of the kubelet's pod directories.
//
// Bookkeeping lives in Docker labels: the kubelet's labels as they are, its annotations with an
// `annotation.` prefix, plus io.kubernetes.docker.type (podsandbox|container) and
// io.kubernetes.sandbox.id. Only containers carrying minik8s.io/node-name=<this node> are ever
// listed, stopped or removed: nothing this kubelet did not create is touched.

import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { NODE_NAME_LABEL, POD_UID_LABEL } from '../../pod-workers/labels.ts';
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
import { demux, DockerClient, DockerError } from './docker-client.ts';

export const DOCKER_TYPE_LABEL = 'io.kubernetes.docker.type';
export const SANDBOX_ID_LABEL = 'io.kubernetes.sandbox.id';
const ANNOTATION_PREFIX = 'annotation.';
const SANDBOX_ATTEMPT_LABEL = 'io.kubernetes.sandbox.attempt';

export interface DockerRuntimeOptions {
  client: DockerClient;
  nodeName: string;
  /** The pause image (must exist locally or be pullable). */
  sandboxImage: string;
  /** The Docker network pod sandboxes join (default `bridge`). */
  network?: string;
  logger?: Logger;
}

interface Inspect {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  Config: { Image: string; Labels: Record<string, string> | null; Hostname?: string };
  State: { Status: string; Running: boolean; ExitCode: number; Error: string; OOMKilled: boolean; StartedAt: string; FinishedAt: string };
  NetworkSettings: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> };
  HostConfig: { NetworkMode?: string };
}

function dockerTime(s: string | undefined): number {
  if (!s || s.startsWith('0001-01-01')) return 0;
  const t = Date.parse(s);
  return Number.isNaN(t) ? 0 : t;
}

/** A docker name part: [a-zA-Z0-9_.-]. */
function part(s: string): string {
  return s.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

/** Splits `repo[:tag]` (a registry port is not a tag). */
export function splitImage(image: string): { repo: string; tag: string } {
  if (image.includes('@')) return { repo: image, tag: '' };
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon > slash) return { repo: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { repo: image, tag: 'latest' };
}

function toDockerLabels(labels: Record<string, string>, annotations: Record<string, string>, extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  for (const [k, v] of Object.entries(annotations)) out[ANNOTATION_PREFIX + k] = v;
  return { ...out, ...extra };
}

function fromDockerLabels(all: Record<string, string> | null): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(all ?? {})) {
    if (k.startsWith(ANNOTATION_PREFIX)) annotations[k.slice(ANNOTATION_PREFIX.length)] = v;
    else if (k !== DOCKER_TYPE_LABEL && k !== SANDBOX_ID_LABEL && k !== SANDBOX_ATTEMPT_LABEL) labels[k] = v;
  }
  return { labels, annotations };
}

function ipOf(i: Inspect): string | undefined {
  if (i.NetworkSettings?.IPAddress) return i.NetworkSettings.IPAddress;
  for (const n of Object.values(i.NetworkSettings?.Networks ?? {})) if (n.IPAddress) return n.IPAddress;
  return undefined;
}

export class DockerRuntime implements RuntimeService {
  readonly type = 'docker';
  private readonly opts: DockerRuntimeOptions;
  private readonly docker: DockerClient;
  /** Inspections of exited containers never change: cached by id. */
  private readonly exited = new Map<string, Inspect>();
  /** Inspections of running containers, valid while a list still shows them running. */
  private readonly running = new Map<string, Inspect>();
  private readonly listeners: ((e: RuntimeEvent) => void)[] = [];

  constructor(opts: DockerRuntimeOptions) {
    this.opts = opts;
    this.docker = opts.client;
  }

  async version(): Promise<VersionInfo> {
    const v = await this.docker.json<{ Version: string; ApiVersion: string }>('GET', '/version', { timeoutMs: 5_000 });
    return { runtimeName: 'docker', runtimeVersion: v.Version, runtimeApiVersion: v.ApiVersion };
  }

  private async inspect(id: string): Promise<Inspect> {
    const cached = this.exited.get(id) ?? this.running.get(id);
    if (cached) return cached;
    try {
      const i = await this.docker.json<Inspect>('GET', `/containers/${encodeURIComponent(id)}/json`);
      if (i.State.Running) this.running.set(id, i);
      else if (i.State.Status !== 'created' && i.State.Status !== 'restarting') this.exited.set(id, i);
      return i;
    } catch (err) {
      if (err instanceof DockerError && err.statusCode === 404) throw new RuntimeError('NotFound', `container ${id} not found`);
      throw err;
    }
  }

  private async list(type: 'podsandbox' | 'container', extra: string[] = []): Promise<string[]> {
    const filters = { label: [`${NODE_NAME_LABEL}=${this.opts.nodeName}`, `${DOCKER_TYPE_LABEL}=${type}`, ...extra] };
    const rows = await this.docker.json<{ Id: string; State: string }[]>('GET', '/containers/json', { query: { all: 1, filters: JSON.stringify(filters) } });
    // A running container whose list state still says running needs no new inspection.
    for (const r of rows) {
      const cached = this.running.get(r.Id);
      if (cached && r.State !== 'running') this.running.delete(r.Id);
    }
    return rows.map((r) => r.Id);
  }

  private async ensureImage(image: string): Promise<void> {
    if (!(await this.imageStatus(image))) await this.pullImage(image);
  }

  // ---- sandboxes ----------------------------------------------------------------------------

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    try {
      await this.ensureImage(this.opts.sandboxImage);
    } catch (err) {
      throw new RuntimeError('CreatePodSandboxError', `failed to get sandbox image "${this.opts.sandboxImage}": ${(err as Error).message}`);
    }
    const m = config.metadata;
    const name = `k8s_POD_${part(m.name)}_${part(m.namespace)}_${part(m.uid)}_${m.attempt}`;
    const ports: Record<string, { HostPort: string; HostIp?: string }[]> = {};
    const exposed: Record<string, object> = {};
    for (const p of config.portMappings) {
      if (!p.hostPort) continue;
      const key = `${p.containerPort}/${p.protocol.toLowerCase()}`;
      exposed[key] = {};
      (ports[key] ??= []).push({ HostPort: String(p.hostPort), ...(p.hostIp ? { HostIp: p.hostIp } : {}) });
    }
    const body = {
      Image: this.opts.sandboxImage,
      Hostname: config.hostNetwork ? undefined : config.hostname,
      Labels: toDockerLabels(config.labels, config.annotations, { [DOCKER_TYPE_LABEL]: 'podsandbox', [SANDBOX_ATTEMPT_LABEL]: String(m.attempt) }),
      ExposedPorts: config.hostNetwork ? undefined : exposed,
      HostConfig: {
        NetworkMode: config.hostNetwork ? 'host' : (this.opts.network ?? 'bridge'),
        IpcMode: 'shareable',
        PortBindings: config.hostNetwork ? undefined : ports,
        RestartPolicy: { Name: 'no' },
      },
    };
    let id: string;
    try {
      await this.docker.json('DELETE', `/containers/${name}`, { query: { force: 1 } }).catch(() => {});
      id = (await this.docker.json<{ Id: string }>('POST', '/containers/create', { query: { name }, body })).Id;
      await this.docker.json('POST', `/containers/${id}/start`);
    } catch (err) {
      throw new RuntimeError('CreatePodSandboxError', (err as Error).message, { cause: err });
    }
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    for (const cid of await this.list('container', [`${SANDBOX_ID_LABEL}=${id}`])) await this.stopContainer(cid, 0);
    await this.stopContainer(id, 0);
  }

  async removePodSandbox(id: string): Promise<void> {
    for (const cid of await this.list('container', [`${SANDBOX_ID_LABEL}=${id}`])) await this.removeContainer(cid);
    await this.removeContainer(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const i = await this.inspect(id);
    const { labels, annotations } = fromDockerLabels(i.Config.Labels);
    const all = i.Config.Labels ?? {};
    const hostNetwork = i.HostConfig?.NetworkMode === 'host';
    return {
      id: i.Id,
      metadata: {
        name: labels['io.kubernetes.pod.name'] ?? '',
        namespace: labels['io.kubernetes.pod.namespace'] ?? '',
        uid: labels[POD_UID_LABEL] ?? '',
        attempt: Number(all[SANDBOX_ATTEMPT_LABEL] ?? 0),
      },
      state: i.State.Running ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY',
      createdAt: dockerTime(i.Created),
      network: { ip: hostNetwork ? undefined : ipOf(i) },
      hostNetwork,
      labels,
      annotations,
    };
  }

  async listPodSandbox(filter: { podUid?: string } = {}): Promise<PodSandboxStatus[]> {
    const ids = await this.list('podsandbox', filter.podUid ? [`${POD_UID_LABEL}=${filter.podUid}`] : []);
    const out: PodSandboxStatus[] = [];
    for (const id of ids) {
      try {
        out.push(await this.podSandboxStatus(id));
      } catch (err) {
        if (!(err instanceof RuntimeError)) throw err;
      }
    }
    return out;
  }

  // ---- containers ---------------------------------------------------------------------------

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const m = config.metadata;
    const s = sandboxConfig.metadata;
    const name = `k8s_${part(m.name)}_${part(s.name)}_${part(s.namespace)}_${part(s.uid)}_${m.attempt}`;
    const r = config.resources ?? {};
    const body: Record<string, unknown> = {
      Image: config.image,
      Env: config.envs.map((e) => `${e.key}=${e.value}`),
      WorkingDir: config.workingDir || undefined,
      Labels: toDockerLabels(config.labels, config.annotations, { [DOCKER_TYPE_LABEL]: 'container', [SANDBOX_ID_LABEL]: podSandboxId }),
      Tty: !!config.tty,
      OpenStdin: !!config.stdin,
      StdinOnce: !!config.stdinOnce,
      AttachStdin: !!config.stdin,
      HostConfig: {
        NetworkMode: `container:${podSandboxId}`,
        IpcMode: `container:${podSandboxId}`,
        Binds: config.mounts.map((mt) => `${mt.hostPath}:${mt.containerPath}${mt.readonly ? ':ro' : ''}`),
        Memory: r.memoryLimitBytes || undefined,
        NanoCpus: r.cpuLimitMillis ? r.cpuLimitMillis * 1_000_000 : undefined,
        CpuShares: r.cpuRequestMillis ? Math.max(2, Math.floor((r.cpuRequestMillis * 1024) / 1000)) : undefined,
        RestartPolicy: { Name: 'no' },
      },
    };
    if (config.command.length) {
      body.Entrypoint = config.command;
      body.Cmd = config.args;
    } else if (config.args.length) body.Cmd = config.args;
    try {
      await this.docker.json('DELETE', `/containers/${name}`, { query: { force: 1 } }).catch(() => {});
      return (await this.docker.json<{ Id: string }>('POST', '/containers/create', { query: { name }, body })).Id;
    } catch (err) {
      if (err instanceof DockerError && err.statusCode === 404 && /image/i.test(err.message)) throw new RuntimeError('ImageNotPresent', err.message);
      throw new RuntimeError('CreateContainerError', (err as Error).message, { cause: err });
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.json('POST', `/containers/${id}/start`);
    } catch (err) {
      this.forget(id);
      throw new RuntimeError('RunContainerError', (err as Error).message, { cause: err });
    }
    this.forget(id);
  }

  private forget(id: string): void {
    this.exited.delete(id);
    this.running.delete(id);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.docker.json('POST', `/containers/${id}/stop`, { query: { t: Math.max(0, Math.ceil(timeoutSeconds)) }, timeoutMs: (timeoutSeconds + 60) * 1000 });
    } catch (err) {
      if (err instanceof DockerError && (err.statusCode === 404 || err.statusCode === 304)) return;
      throw err;
    } finally {
      this.running.delete(id);
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.json('DELETE', `/containers/${id}`, { query: { force: 1, v: 1 } });
    } catch (err) {
      if (!(err instanceof DockerError && err.statusCode === 404)) throw err;
    }
    this.forget(id);
  }

  private toStatus(i: Inspect): ContainerStatus {
    const { labels, annotations } = fromDockerLabels(i.Config.Labels);
    const st = i.State;
    let state: ContainerStatus['state'] = 'CONTAINER_UNKNOWN';
    if (st.Running || st.Status === 'paused' || st.Status === 'restarting') state = 'CONTAINER_RUNNING';
    else if (st.Status === 'created') state = 'CONTAINER_CREATED';
    else if (st.Status === 'exited' || st.Status === 'dead') state = 'CONTAINER_EXITED';
    let reason = '';
    if (state === 'CONTAINER_EXITED') {
      if (st.OOMKilled) reason = 'OOMKilled';
      else if (st.Error) reason = 'ContainerCannotRun';
      else reason = st.ExitCode === 0 ? 'Completed' : 'Error';
    }
    return {
      id: i.Id,
      podSandboxId: (i.Config.Labels ?? {})[SANDBOX_ID_LABEL] ?? '',
      metadata: { name: labels['io.kubernetes.container.name'] ?? i.Name.replace(/^\//, ''), attempt: Number(annotations['io.kubernetes.container.restartCount'] ?? 0) },
      state,
      createdAt: dockerTime(i.Created),
      startedAt: dockerTime(st.StartedAt),
      finishedAt: state === 'CONTAINER_EXITED' ? dockerTime(st.FinishedAt) : 0,
      exitCode: st.ExitCode,
      image: i.Config.Image,
      imageRef: `docker-pullable://${i.Image}`,
      reason,
      message: st.Error ?? '',
      labels,
      annotations,
      logPath: '',
    };
  }

  async listContainers(filter: { podUid?: string; podSandboxId?: string } = {}): Promise<ContainerStatus[]> {
    const extra: string[] = [];
    if (filter.podUid) extra.push(`${POD_UID_LABEL}=${filter.podUid}`);
    if (filter.podSandboxId) extra.push(`${SANDBOX_ID_LABEL}=${filter.podSandboxId}`);
    const out: ContainerStatus[] = [];
    for (const id of await this.list('container', extra)) {
      try {
        out.push(this.toStatus(await this.inspect(id)));
      } catch (err) {
        if (!(err instanceof RuntimeError)) throw err;
      }
    }
    return out;
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return this.toStatus(await this.inspect(id));
  }

  // ---- exec and logs ------------------------------------------------------------------------

  private async createExec(id: string, cmd: string[], stdin: boolean, tty: boolean): Promise<string> {
    const i = await this.inspect(id);
    if (!i.State.Running) throw new RuntimeError('NotFound', `container ${id} is not running`);
    try {
      const r = await this.docker.json<{ Id: string }>('POST', `/containers/${id}/exec`, {
        body: { AttachStdin: stdin, AttachStdout: true, AttachStderr: true, Tty: tty, Cmd: cmd },
      });
      return r.Id;
    } catch (err) {
      throw new RuntimeError('RunContainerError', (err as Error).message, { cause: err });
    }
  }

  private async execExitCode(execId: string): Promise<number> {
    for (let i = 0; i < 50; i++) {
      const r = await this.docker.json<{ Running: boolean; ExitCode: number | null }>('GET', `/exec/${execId}/json`);
      if (!r.Running && r.ExitCode !== null) return r.ExitCode;
      await new Promise((res) => setTimeout(res, 20));
    }
    return 126;
  }

  async execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecResult> {
    const execId = await this.createExec(id, cmd, false, false);
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, timeoutMs);
    let stdout = '';
    let stderr = '';
    try {
      const body = await this.docker.stream('POST', `/exec/${execId}/start`, { body: { Detach: false, Tty: false }, signal: ac.signal });
      for await (const f of demux(body)) {
        if (f.stream === 1) stdout += f.data.toString('utf8');
        else stderr += f.data.toString('utf8');
      }
    } catch (err) {
      if (!timedOut) throw err;
    } finally {
      clearTimeout(timer);
    }
    if (timedOut) return { exitCode: -1, stdout, stderr, timedOut: true };
    return { exitCode: await this.execExitCode(execId), stdout: stdout.slice(0, 10_240), stderr: stderr.slice(0, 10_240), timedOut: false };
  }

  async exec(id: string, cmd: string[], streams: ExecStreams): Promise<number> {
    const execId = await this.createExec(id, cmd, !!streams.stdin, streams.tty);
    const socket = await this.docker.upgrade(`/exec/${execId}/start`, { Detach: false, Tty: streams.tty });
    const onAbort = () => socket.destroy();
    streams.signal?.addEventListener('abort', onAbort, { once: true });
    if (streams.stdin) {
      streams.stdin.on('data', (d: Buffer) => socket.write(d));
      streams.stdin.on('end', () => socket.end());
    }
    try {
      if (streams.tty) {
        for await (const chunk of socket) streams.stdout?.write(chunk as Buffer);
      } else {
        for await (const f of demux(socket as AsyncIterable<Buffer>)) (f.stream === 1 ? streams.stdout : streams.stderr)?.write(f.data);
      }
    } catch {
      // the client went away: the exec's exit code still tells what happened
    } finally {
      streams.signal?.removeEventListener('abort', onAbort);
    }
    return this.execExitCode(execId);
  }

  /**
   * Docker's log stream with kubectl's options: timestamps are always asked for (to filter
   * sinceTime exactly) and stripped unless wanted; tail and follow are Docker's own.
   */
  async readLogs(id: string, opts: ContainerLogOptions, out: Writable, signal?: AbortSignal): Promise<void> {
    let body;
    try {
      body = await this.docker.stream('GET', `/containers/${id}/logs`, {
        query: {
          stdout: 1,
          stderr: 1,
          timestamps: 1,
          follow: opts.follow ? 1 : undefined,
          tail: opts.tailLines !== undefined ? opts.tailLines : undefined,
          since: opts.sinceTime !== undefined ? Math.floor(opts.sinceTime / 1000) : undefined,
        },
        signal,
      });
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof DockerError && err.statusCode === 404) throw new RuntimeError('NotFound', err.message);
      throw err;
    }
    let remaining = opts.limitBytes ?? Infinity;
    const carry: Record<number, string> = { 1: '', 2: '' };
    const emit = (line: string): boolean => {
      const sp = line.indexOf(' ');
      const ts = sp > 0 ? line.slice(0, sp) : '';
      const t = Date.parse(ts);
      if (opts.sinceTime !== undefined && !Number.isNaN(t) && t < opts.sinceTime) return true;
      let text = Buffer.from(opts.timestamps ? line : line.slice(sp + 1));
      if (text.length >= remaining) {
        out.write(text.subarray(0, remaining));
        remaining = 0;
        return false;
      }
      remaining -= text.length;
      out.write(text);
      text = Buffer.alloc(0);
      return true;
    };
    try {
      outer: for await (const f of demux(body)) {
        carry[f.stream] += f.data.toString('utf8');
        let nl: number;
        while ((nl = carry[f.stream].indexOf('\n')) >= 0) {
          const line = carry[f.stream].slice(0, nl + 1);
          carry[f.stream] = carry[f.stream].slice(nl + 1);
          if (!emit(line)) break outer;
        }
      }
    } catch (err) {
      if (!signal?.aborted) throw err;
    } finally {
      body.destroy();
    }
  }

  // ---- images -------------------------------------------------------------------------------

  async pullImage(image: string): Promise<string> {
    const { repo, tag } = splitImage(image);
    let body;
    try {
      body = await this.docker.stream('POST', '/images/create', { query: { fromImage: repo, tag: tag || undefined }, timeoutMs: 600_000 });
    } catch (err) {
      throw new RuntimeError('ErrImagePull', (err as Error).message, { cause: err });
    }
    let text = '';
    for await (const chunk of body) text += Buffer.from(chunk as Uint8Array).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const j = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
        if (j.error) throw new RuntimeError('ErrImagePull', j.errorDetail?.message ?? j.error);
      } catch (err) {
        if (err instanceof RuntimeError) throw err;
      }
    }
    const st = await this.imageStatus(image);
    if (!st) throw new RuntimeError('ErrImagePull', `image "${image}" is still not present after pulling it`);
    return st.id;
  }

  async imageStatus(image: string): Promise<ImageInfo | undefined> {
    try {
      const i = await this.docker.json<{ Id: string; RepoTags: string[] | null; Size: number }>('GET', `/images/${image}/json`);
      return { id: i.Id, repoTags: i.RepoTags ?? [], size: i.Size };
    } catch (err) {
      if (err instanceof DockerError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  onEvent(listener: (e: RuntimeEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Containers keep running (they outlive the kubelet, as with real Kubernetes). */
  async close(): Promise<void> {
    await this.docker.close();
  }
}
