// The container runtime as the kubelet sees it: the shape of the CRI's RuntimeService and
// ImageService (k8s.io/cri-api), so every runtime — host processes, Docker, the hollow fake —
// sits behind one interface and the pod workers never know which one runs.
//
// Contract (as the CRI):
// - A pod sandbox holds what a pod's containers share (the network namespace, the pod's
//   directories). Containers are created in a sandbox, then started; a stopped container keeps
//   its status (exit code, times) and logs until it is removed.
// - Ids are opaque strings, unique per runtime. Methods reject with RuntimeError for expected
//   failures (NotFound, image pull, bad config); any other rejection is an outage.
// - Labels and annotations given at creation come back unchanged in statuses and lists: the
//   kubelet keeps all of its bookkeeping (pod uid, container name, attempt, spec hash) there.
// - stopContainer(id, timeout) sends the stop signal (SIGTERM) and kills (SIGKILL) after
//   `timeout` seconds; it resolves once the container has exited. Stopping a stopped container
//   is a no-op. stopPodSandbox stops every container of the sandbox and releases its network.

import type { Readable, Writable } from 'node:stream';

export type SandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerStateName = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface PodSandboxMetadata {
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
}

export interface PortMapping {
  protocol: string;
  containerPort: number;
  hostPort?: number;
  hostIp?: string;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname: string;
  /** Directory for the containers' log files (absolute). */
  logDirectory: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The pod shares the host's network namespace (spec.hostNetwork). */
  hostNetwork: boolean;
  portMappings: PortMapping[];
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: SandboxState;
  /** ms since the epoch. */
  createdAt: number;
  network: {
    ip?: string;
    additionalIps?: string[];
  };
  /** True when the sandbox runs in the host's network namespace (whether asked or forced). */
  hostNetwork: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
}

export interface LinuxContainerResources {
  /** CPU limit in millicores (0 = none). */
  cpuLimitMillis?: number;
  /** CPU request in millicores, for shares. */
  cpuRequestMillis?: number;
  /** Memory limit in bytes (0 = none). */
  memoryLimitBytes?: number;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: string;
  /** The entrypoint; empty means the image's own. */
  command: string[];
  args: string[];
  workingDir?: string;
  envs: KeyValue[];
  mounts: Mount[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Log file path relative to the sandbox's logDirectory. */
  logPath: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  resources?: LinuxContainerResources;
}

export interface ContainerStatus {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  state: ContainerStateName;
  /** ms since the epoch; 0 when it did not happen (yet). */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  image: string;
  imageRef: string;
  /** Why it exited: Completed, Error, OOMKilled, ContainerCannotRun. */
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Absolute path of the log file, when the runtime keeps one. */
  logPath: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The command did not finish within the timeout (it was killed). */
  timedOut: boolean;
}

export interface ExecStreams {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  tty: boolean;
  signal?: AbortSignal;
}

export interface ContainerLogOptions {
  follow: boolean;
  tailLines?: number;
  timestamps: boolean;
  /** Only lines at or after this instant (ms since the epoch). */
  sinceTime?: number;
  limitBytes?: number;
}

export interface ImageInfo {
  id: string;
  repoTags: string[];
  size: number;
}

export interface VersionInfo {
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

/** Something in the runtime changed (a container exited): a hint to resync that pod soon. */
export interface RuntimeEvent {
  podUid: string;
  containerId: string;
  type: 'CONTAINER_STARTED' | 'CONTAINER_STOPPED';
}

export type RuntimeErrorReason =
  | 'NotFound'
  | 'ErrImagePull'
  | 'ImageNotPresent'
  | 'CreateContainerError'
  | 'CreateContainerConfigError'
  | 'RunContainerError'
  | 'CreatePodSandboxError'
  | 'Unsupported';

/** An expected runtime failure; `reason` becomes the container's waiting reason. */
export class RuntimeError extends Error {
  readonly reason: RuntimeErrorReason;

  constructor(reason: RuntimeErrorReason, message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'RuntimeError';
    this.reason = reason;
  }
}

export function isRuntimeError(err: unknown, reason?: RuntimeErrorReason): err is RuntimeError {
  return err instanceof RuntimeError && (reason === undefined || err.reason === reason);
}

export interface RuntimeService {
  /** `process`, `docker` or `fake`: the scheme of container ids in pod status (`docker://<id>`). */
  readonly type: string;
  version(): Promise<VersionInfo>;

  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  /** Every sandbox this kubelet created, of one pod when `podUid` is given. */
  listPodSandbox(filter?: { podUid?: string }): Promise<PodSandboxStatus[]>;

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** Every container this kubelet created, of one pod when `podUid` is given. */
  listContainers(filter?: { podUid?: string; podSandboxId?: string }): Promise<ContainerStatus[]>;
  containerStatus(id: string): Promise<ContainerStatus>;

  /** Runs `cmd` in the container and collects its output (probes, hooks). */
  execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecResult>;
  /** Runs `cmd` in the container with streams attached (kubectl exec); resolves the exit code. */
  exec(id: string, cmd: string[], streams: ExecStreams): Promise<number>;
  /** Writes the container's log to `out` as the options say; follow ends when the container stops or `signal` aborts. */
  readLogs(id: string, opts: ContainerLogOptions, out: Writable, signal?: AbortSignal): Promise<void>;

  pullImage(image: string): Promise<string>;
  /** The image when it is present, undefined when not. */
  imageStatus(image: string): Promise<ImageInfo | undefined>;

  /** Registers a listener for container state changes (may never be called: the kubelet also relists). */
  onEvent(listener: (e: RuntimeEvent) => void): void;
  /** Releases what the runtime holds (connections, timers). */
  close(): Promise<void>;
}
