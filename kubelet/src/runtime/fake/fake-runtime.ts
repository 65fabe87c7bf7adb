// The `fake` runtime (a hollow node, as kubemark's): sandboxes and containers exist only in
// memory, start at once and run until stopped. Pods go Running without any process, so one
// machine can host many kubelets for scale tests of the control plane.
//
// Behaviour: a started container runs forever; stop makes it exit 0 (Completed) right away;
// exec and probes succeed with empty output; logs are empty; every image is present; pod IPs
// come from `podIPs` (10.88.x.y by default, distinct per sandbox).

import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
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

export interface FakeRuntimeOptions {
  now?: () => number;
  /** The IP for the n-th sandbox (default 10.88.<n/250>.<n%250+2>). */
  podIP?: (n: number) => string;
}

export class FakeRuntime implements RuntimeService {
  readonly type = 'fake';
  private readonly now: () => number;
  private readonly podIP: (n: number) => string;
  private readonly sandboxes = new Map<string, PodSandboxStatus>();
  private readonly containers = new Map<string, ContainerStatus>();
  private readonly listeners: ((e: RuntimeEvent) => void)[] = [];
  private sandboxCount = 0;

  constructor(opts: FakeRuntimeOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.podIP = opts.podIP ?? ((n) => `10.88.${Math.floor(n / 250) % 256}.${(n % 250) + 2}`);
  }

  async version(): Promise<VersionInfo> {
    return { runtimeName: 'fake', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = randomBytes(16).toString('hex');
    this.sandboxes.set(id, {
      id,
      metadata: { ...config.metadata },
      state: 'SANDBOX_READY',
      createdAt: this.now(),
      network: { ip: this.podIP(this.sandboxCount++) },
      hostNetwork: config.hostNetwork,
      labels: { ...config.labels },
      annotations: { ...config.annotations },
    });
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sb = this.sandboxes.get(id);
    if (!sb) return;
    for (const c of this.containers.values()) if (c.podSandboxId === id) await this.stopContainer(c.id);
    sb.state = 'SANDBOX_NOTREADY';
  }

  async removePodSandbox(id: string): Promise<void> {
    for (const c of [...this.containers.values()]) if (c.podSandboxId === id) this.containers.delete(c.id);
    this.sandboxes.delete(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const sb = this.sandboxes.get(id);
    if (!sb) throw new RuntimeError('NotFound', `pod sandbox ${id} not found`);
    return structuredClone(sb);
  }

  async listPodSandbox(filter: { podUid?: string } = {}): Promise<PodSandboxStatus[]> {
    return [...this.sandboxes.values()].filter((s) => filter.podUid === undefined || s.metadata.uid === filter.podUid).map((s) => structuredClone(s));
  }

  async createContainer(podSandboxId: string, config: ContainerConfig): Promise<string> {
    if (this.sandboxes.get(podSandboxId)?.state !== 'SANDBOX_READY') throw new RuntimeError('NotFound', `pod sandbox ${podSandboxId} is not ready`);
    const id = randomBytes(16).toString('hex');
    this.containers.set(id, createdContainerStatus(id, podSandboxId, config, this.now(), ''));
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.mustGet(id);
    c.state = 'CONTAINER_RUNNING';
    c.startedAt = this.now();
  }

  async stopContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c || c.state === 'CONTAINER_EXITED') return;
    c.state = 'CONTAINER_EXITED';
    c.finishedAt = this.now();
    c.exitCode = 0;
    c.reason = 'Completed';
    const uid = c.labels['io.kubernetes.pod.uid'] ?? '';
    for (const l of this.listeners) l({ podUid: uid, containerId: id, type: 'CONTAINER_STOPPED' });
  }

  async removeContainer(id: string): Promise<void> {
    this.containers.delete(id);
  }

  async listContainers(filter: { podUid?: string; podSandboxId?: string } = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const c of this.containers.values()) {
      if (filter.podSandboxId !== undefined && c.podSandboxId !== filter.podSandboxId) continue;
      if (filter.podUid !== undefined && c.labels['io.kubernetes.pod.uid'] !== filter.podUid) continue;
      out.push(structuredClone(c));
    }
    return out;
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return structuredClone(this.mustGet(id));
  }

  async execSync(id: string): Promise<ExecResult> {
    if (this.mustGet(id).state !== 'CONTAINER_RUNNING') throw new RuntimeError('NotFound', `container ${id} is not running`);
    return { exitCode: 0, stdout: '', stderr: '', timedOut: false };
  }

  async exec(id: string, _cmd: string[], _streams: ExecStreams): Promise<number> {
    if (this.mustGet(id).state !== 'CONTAINER_RUNNING') throw new RuntimeError('NotFound', `container ${id} is not running`);
    return 0;
  }

  async readLogs(id: string, _opts: ContainerLogOptions, _out: Writable): Promise<void> {
    this.mustGet(id);
  }

  async pullImage(image: string): Promise<string> {
    return image;
  }

  async imageStatus(image: string): Promise<ImageInfo | undefined> {
    return { id: image, repoTags: [image], size: 0 };
  }

  onEvent(listener: (e: RuntimeEvent) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.containers.clear();
    this.sandboxes.clear();
  }

  private mustGet(id: string): ContainerStatus {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `container ${id} not found`);
    return c;
  }
}
