// What a pod worker does for one pod (kubelet.go SyncPod/SyncTerminatingPod/SyncTerminatedPod
// with kuberuntime_manager.go SyncPod): read the runtime's view of the pod, compute the actions
// (compute-pod-actions.ts), carry them out with upstream's events, then compute the status and
// hand it to the status manager.
//
// Starting a container (kuberuntime_container.go startContainer): crash-loop back-off check,
// image (pull policy, Pulling/Pulled, ErrImagePull/ImagePullBackOff), environment and mounts
// (CreateContainerConfigError), create (Created), start (Started), postStart hook. A failure is
// remembered per container (the reason cache) and shows as the container's waiting reason.
//
// Stopping a container: Killing event, preStop hook within the grace period, then SIGTERM and
// SIGKILL once the rest of the grace period is over (never less than 2 s, as upstream).

import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { formatDuration, quantityToMilli } from '@minik8s/shared';
import type { Container, LifecycleHandler, Pod, PodStatus } from '../api/pod.ts';
import { podDesc } from '../api/pod.ts';
import type { EventRecorder } from '@minik8s/shared';
import { podRef } from '../events/object-refs.ts';
import type { ProbeManager } from '../probes/probe-manager.ts';
import { runProbe } from '../probes/prober.ts';
import {
  isRuntimeError,
  type ContainerConfig,
  type ContainerStatus as RuntimeContainer,
  type PodSandboxConfig,
  type RuntimeService,
} from '../runtime/interface.ts';
import type { RuntimePodState, SyncReason } from '../status/generate-pod-status.ts';
import { containerName, generatePodStatus, latestContainer, restartCountOf } from '../status/generate-pod-status.ts';
import type { StatusManager } from '../status/status-manager.ts';
import { containerMounts, preparePodVolumes, removePodVolumes, VolumeError, type PreparedVolumes } from '../volumes/pod-volumes.ts';
import { Backoff } from './backoff.ts';
import { computePodActions, containersToRemove } from './compute-pod-actions.ts';
import { ContainerConfigError, expandCommand, makeEnvironment, type ConfigSource } from './container-env.ts';
import {
  CONTAINER_HASH_ANNOTATION,
  CONTAINER_NAME_LABEL,
  CONTAINER_RESTART_COUNT_ANNOTATION,
  POD_TERMINATION_GRACE_ANNOTATION,
  containerHash,
  containerLabels,
  sandboxLabels,
} from './labels.ts';
import type { PodSyncer, SyncResult } from './pod-workers.ts';
import { podGracePeriodSeconds } from './pod-workers.ts';

/** Creates, and deletes when asked, the mirror pods of static pods. */
export interface MirrorPods {
  /** Makes sure the static pod has a current mirror pod in the API. */
  ensure(pod: Pod): Promise<void>;
  /** Deletes the static pod's mirror pod. */
  remove(pod: Pod): Promise<void>;
}

export interface KubeletPodSyncerOptions {
  nodeName: string;
  runtime: RuntimeService;
  recorder: EventRecorder;
  statusManager: StatusManager;
  probeManager: ProbeManager;
  configSource: ConfigSource;
  /** `<root-dir>/pods/<uid>`. */
  podDir(uid: string): string;
  /** `<pod-logs-dir>/<namespace>_<name>_<uid>`. */
  podLogDir(pod: Pod): string;
  hostIP(): string;
  nodeAllocatable(): Record<string, string>;
  isStaticPod(pod: Pod): boolean;
  mirrorPods?: MirrorPods;
  /** Crash-loop back-off: initial and maximum delay (10 s and 5 min upstream). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  logger?: Logger;
  now?: () => number;
}

/** The smallest grace period a container gets (upstream's minimumGracePeriodInSeconds). */
const MIN_GRACE_SECONDS = 2;

interface StartOutcome {
  requeueAfterMs?: number;
}

export class KubeletPodSyncer implements PodSyncer {
  readonly crashBackoff: Backoff;
  readonly imageBackoff: Backoff;
  private readonly opts: KubeletPodSyncerOptions;
  private readonly now: () => number;
  private readonly reasons = new Map<string, Map<string, SyncReason>>();
  private readonly firstSeen = new Map<string, number>();
  /** Pods the kubelet itself failed (activeDeadlineSeconds), with the status reason and message. */
  private readonly failed = new Map<string, { reason: string; message: string }>();
  private readonly states = new Map<string, RuntimePodState>();
  /** Containers being stopped, by pod uid: a shorter grace period re-stops them. */
  private readonly stopping = new Map<string, Set<string>>();

  constructor(opts: KubeletPodSyncerOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.crashBackoff = new Backoff(opts.backoffInitialMs ?? 10_000, opts.backoffMaxMs ?? 300_000);
    this.imageBackoff = new Backoff(opts.backoffInitialMs ?? 10_000, opts.backoffMaxMs ?? 300_000);
  }

  /** The runtime's view of the pod as of its last sync. */
  runtimeState(uid: string): RuntimePodState | undefined {
    return this.states.get(uid);
  }

  /** Reads the pod's sandboxes and containers from the runtime (and caches them for probes). */
  async refreshState(uid: string): Promise<RuntimePodState> {
    const [sandboxes, containers] = await Promise.all([
      this.opts.runtime.listPodSandbox({ podUid: uid }),
      this.opts.runtime.listContainers({ podUid: uid }),
    ]);
    const state = { sandboxes, containers };
    this.states.set(uid, state);
    return state;
  }

  // ---- syncing ------------------------------------------------------------------------------

  async syncPod(pod: Pod): Promise<SyncResult> {
    const t0 = performance.now();
    const uid = pod.metadata.uid!;
    if (!this.firstSeen.has(uid)) this.firstSeen.set(uid, this.now());
    const { runtime, recorder, probeManager } = this.opts;

    // activeDeadlineSeconds (active_deadline.go): past it, the pod fails and everything stops.
    let requeue: number | undefined;
    const ads = pod.spec.activeDeadlineSeconds;
    if (ads !== undefined && !this.failed.has(uid)) {
      const startTime = this.opts.statusManager.getPodStatus(uid)?.startTime ?? pod.status?.startTime;
      const started = startTime ? Date.parse(startTime) : this.firstSeen.get(uid)!;
      const left = started + ads * 1000 - this.now();
      if (left <= 0) {
        const message = 'Pod was active on the node longer than the specified deadline';
        this.failed.set(uid, { reason: 'DeadlineExceeded', message });
        recorder.event(podRef(pod), 'Normal', 'DeadlineExceeded', message);
      } else requeue = left;
    }
    if (this.failed.has(uid)) {
      this.publishStatus(pod, await this.refreshState(uid), false);
      return { terminal: true };
    }
    if (this.opts.isStaticPod(pod) && this.opts.mirrorPods) {
      await this.opts.mirrorPods.ensure(pod).catch((err) => this.opts.logger?.warn({ err: (err as Error).message, pod: podDesc(pod) }, 'could not create the mirror pod'));
    }
    let state = await this.refreshState(uid);

    // Volumes first: no container starts without its volumes.
    await mkdir(this.opts.podDir(uid), { recursive: true });
    let volumes: PreparedVolumes;
    try {
      volumes = await preparePodVolumes(pod, this.opts.podDir(uid), this.opts.configSource);
    } catch (err) {
      if (!(err instanceof VolumeError)) throw err;
      recorder.event(podRef(pod), 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${err.volume}" : ${err.message}`);
      this.publishStatus(pod, state, false);
      return { terminal: false, requeueAfterMs: 2_000 };
    }
    probeManager.addPod(pod);

    const actions = computePodActions(pod, state, {
      livenessFailed: (id) => probeManager.result('liveness', id) === 'Failure',
      startupFailed: (id) => probeManager.result('startup', id) === 'Failure',
    });

    // 1. Kill what must go.
    if (actions.killPod) {
      await this.killPodContainers(pod, state, undefined);
      for (const sb of state.sandboxes) if (sb.state === 'SANDBOX_READY') await runtime.stopPodSandbox(sb.id);
    } else {
      await Promise.all(actions.containersToKill.map((k) => this.killContainer(pod, k.container, k.message, this.probeGrace(pod, k.name, k.reason))));
    }
    if (actions.killPod || actions.containersToKill.length) state = await this.refreshState(uid);

    // 2. Forget containers and sandboxes that nothing needs any more.
    for (const c of containersToRemove(state)) {
      await runtime.removeContainer(c.id);
      probeManager.forgetContainer(c.id);
    }

    // 3. A new sandbox when needed.
    let sandboxId = actions.sandboxId;
    if (actions.createSandbox) {
      if (actions.attempt > 0) recorder.event(podRef(pod), 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      await mkdir(this.opts.podLogDir(pod), { recursive: true });
      try {
        sandboxId = await runtime.runPodSandbox(this.sandboxConfig(pod, actions.attempt));
      } catch (err) {
        recorder.event(podRef(pod), 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
        this.publishStatus(pod, await this.refreshState(uid), false);
        if (!isRuntimeError(err)) throw err;
        return { terminal: false, requeueAfterMs: 10_000 };
      }
      // Old sandboxes of the pod hold nothing any more.
      for (const sb of state.sandboxes) {
        if (sb.id !== sandboxId && !state.containers.some((c) => c.podSandboxId === sb.id && c.state === 'CONTAINER_RUNNING')) await runtime.removePodSandbox(sb.id);
      }
      state = await this.refreshState(uid);
    }

    // 4. Start containers: the next init container, or the app containers.
    const note = (o: StartOutcome) => {
      if (o.requeueAfterMs !== undefined) requeue = Math.min(requeue ?? Infinity, o.requeueAfterMs);
    };
    if (sandboxId && (actions.createSandbox || !actions.killPod)) {
      if (actions.nextInitContainer !== undefined) {
        note(await this.startContainer(pod, pod.spec.initContainers![actions.nextInitContainer], true, sandboxId, actions.attempt, state, volumes));
      }
      for (const i of actions.containersToStart) {
        note(await this.startContainer(pod, pod.spec.containers[i], false, sandboxId, actions.attempt, state, volumes));
      }
    }

    state = await this.refreshState(uid);
    const status = this.publishStatus(pod, state, false);
    this.opts.logger?.debug({ pod: podDesc(pod), phase: status.phase, ms: Math.round(performance.now() - t0) }, 'synced pod');
    const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
    return { terminal, requeueAfterMs: requeue };
  }

  async syncTerminatingPod(pod: Pod, gracePeriodSeconds: number): Promise<void> {
    const uid = pod.metadata.uid!;
    this.opts.probeManager.removePod(uid);
    let state = await this.refreshState(uid);
    await this.killPodContainers(pod, state, gracePeriodSeconds);
    for (const sb of state.sandboxes) if (sb.state === 'SANDBOX_READY') await this.opts.runtime.stopPodSandbox(sb.id);
    state = await this.refreshState(uid);
    this.publishStatus(pod, state, true);
  }

  async syncTerminatedPod(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid!;
    const state = await this.refreshState(uid);
    const status = this.statusOf(pod, state, true);
    const failed = this.failed.get(uid);
    if (failed) Object.assign(status, { phase: 'Failed', reason: failed.reason, message: failed.message });
    this.opts.statusManager.setTerminated(pod, status);
  }

  async cleanupPod(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid!;
    const { runtime, probeManager } = this.opts;
    probeManager.removePod(uid);
    for (const sb of await runtime.listPodSandbox({ podUid: uid })) await runtime.removePodSandbox(sb.id);
    for (const c of await runtime.listContainers({ podUid: uid })) {
      await runtime.removeContainer(c.id);
      probeManager.forgetContainer(c.id);
    }
    if (this.opts.isStaticPod(pod) && this.opts.mirrorPods) {
      await this.opts.mirrorPods.remove(pod).catch((err) => this.opts.logger?.warn({ err: (err as Error).message, pod: podDesc(pod) }, 'could not delete the mirror pod'));
    }
    await removePodVolumes(this.opts.podDir(uid));
    await rm(this.opts.podDir(uid), { recursive: true, force: true });
    await rm(this.opts.podLogDir(pod), { recursive: true, force: true });
    this.crashBackoff.deletePrefix(`${uid}/`);
    this.imageBackoff.deletePrefix(`${uid}/`);
    this.reasons.delete(uid);
    this.firstSeen.delete(uid);
    this.failed.delete(uid);
    this.states.delete(uid);
    this.opts.statusManager.removePod(uid);
  }

  shortenGracePeriod(pod: Pod, gracePeriodSeconds: number): void {
    const ids = this.stopping.get(pod.metadata.uid!);
    if (!ids) return;
    const g = Math.max(gracePeriodSeconds, MIN_GRACE_SECONDS);
    for (const id of ids) void this.opts.runtime.stopContainer(id, g).catch(() => {});
  }

  // ---- status -------------------------------------------------------------------------------

  statusOf(pod: Pod, state: RuntimePodState, podIsTerminal: boolean): PodStatus {
    const uid = pod.metadata.uid!;
    const { probeManager } = this.opts;
    const specs = new Map([...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => [c.name, c]));
    const base = { ...pod, status: this.opts.statusManager.getPodStatus(uid) ?? pod.status };
    return generatePodStatus(
      {
        pod: base,
        runtime: state,
        runtimeType: this.opts.runtime.type,
        reason: (name) => this.reasons.get(uid)?.get(name),
        readiness: (id) => probeManager.isReady(id),
        started: (id) => {
          const c = state.containers.find((x) => x.id === id);
          const spec = c ? specs.get(containerName(c)) : undefined;
          return spec ? probeManager.isStarted(spec, id) : true;
        },
        hostIP: this.opts.hostIP(),
        podIsTerminal,
        isStaticPod: this.opts.isStaticPod(pod),
        firstSeen: this.firstSeen.get(uid) ?? this.now(),
      },
      this.now(),
    );
  }

  private publishStatus(pod: Pod, state: RuntimePodState, podIsTerminal: boolean): PodStatus {
    const status = this.statusOf(pod, state, podIsTerminal);
    const failed = this.failed.get(pod.metadata.uid!);
    if (failed) Object.assign(status, { phase: 'Failed', reason: failed.reason, message: failed.message });
    this.opts.statusManager.setPodStatus(pod, status);
    return status;
  }

  private setReason(uid: string, name: string, reason: string, message: string): void {
    if (!this.reasons.has(uid)) this.reasons.set(uid, new Map());
    this.reasons.get(uid)!.set(name, { reason, message });
  }

  private clearReason(uid: string, name: string): void {
    this.reasons.get(uid)?.delete(name);
  }

  // ---- containers ---------------------------------------------------------------------------

  sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    const ports = [];
    for (const c of pod.spec.containers) {
      for (const p of c.ports ?? []) {
        if (p.hostPort) ports.push({ protocol: p.protocol ?? 'TCP', containerPort: p.containerPort, hostPort: p.hostPort, hostIp: p.hostIP });
      }
    }
    return {
      metadata: { name: pod.metadata.name!, namespace: pod.metadata.namespace!, uid: pod.metadata.uid!, attempt },
      hostname: (pod.spec.hostname ?? pod.metadata.name!).slice(0, 63),
      logDirectory: this.opts.podLogDir(pod),
      labels: sandboxLabels(pod, this.opts.nodeName),
      annotations: { ...(pod.metadata.annotations ?? {}) },
      hostNetwork: !!pod.spec.hostNetwork,
      portMappings: ports,
    };
  }

  private fieldPath(pod: Pod, name: string): string {
    const init = (pod.spec.initContainers ?? []).some((c) => c.name === name);
    return init ? `spec.initContainers{${name}}` : `spec.containers{${name}}`;
  }

  /** The restart count of a new container when the runtime lost the old ones: from the log files left. */
  private async restartCountFromLogs(pod: Pod, name: string): Promise<number> {
    try {
      const files = await readdir(join(this.opts.podLogDir(pod), name));
      let max = -1;
      for (const f of files) {
        const m = /^(\d+)\.log$/.exec(f);
        if (m) max = Math.max(max, Number(m[1]));
      }
      return max + 1;
    } catch {
      return 0;
    }
  }

  private async startContainer(
    pod: Pod,
    spec: Container,
    isInit: boolean,
    sandboxId: string,
    attempt: number,
    state: RuntimePodState,
    volumes: PreparedVolumes,
  ): Promise<StartOutcome> {
    const { runtime, recorder } = this.opts;
    const uid = pod.metadata.uid!;
    const name = spec.name;
    const ref = podRef(pod, this.fieldPath(pod, name));
    const latest = latestContainer(state, name);

    // 1. Crash-loop back-off: a container that exited restarts at once the first time, then
    //    only once its back-off (10 s, doubling up to 5 min) has passed since it exited.
    const key = `${uid}/${name}`;
    if (latest && latest.state === 'CONTAINER_EXITED') {
      const exitedAt = latest.finishedAt || this.now();
      if (this.crashBackoff.isInBackOffSince(key, exitedAt)) {
        const delay = this.crashBackoff.get(key);
        this.setReason(uid, name, 'CrashLoopBackOff', `back-off ${formatDuration(delay)} restarting failed container=${name} pod=${podDesc(pod)}`);
        recorder.event(ref, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${podDesc(pod)}`);
        return { requeueAfterMs: Math.max(0, exitedAt + delay - this.now()) + 50 };
      }
      this.crashBackoff.next(key, exitedAt);
    }

    // 2. The image.
    const image = await this.ensureImage(pod, spec, ref);
    if (!image.ok) return { requeueAfterMs: image.requeueAfterMs };

    // 3. The container's configuration.
    const restartCount = latest ? restartCountOf(latest) + 1 : await this.restartCountFromLogs(pod, name);
    let config: ContainerConfig;
    try {
      const status = this.opts.statusManager.getPodStatus(uid);
      const envs = await makeEnvironment({
        pod,
        container: spec,
        hostIP: this.opts.hostIP(),
        podIPs: state.sandboxes.find((s) => s.id === sandboxId)?.network.ip ? [state.sandboxes.find((s) => s.id === sandboxId)!.network.ip!] : status?.podIP ? [status.podIP] : [],
        nodeAllocatable: this.opts.nodeAllocatable(),
        source: this.opts.configSource,
      });
      const { command, args } = expandCommand(spec, envs);
      config = {
        metadata: { name, attempt: restartCount },
        image: spec.image ?? '',
        command,
        args,
        workingDir: spec.workingDir,
        envs,
        mounts: containerMounts(spec, volumes),
        labels: containerLabels(pod, spec, this.opts.nodeName),
        annotations: {
          [CONTAINER_HASH_ANNOTATION]: containerHash(spec),
          [CONTAINER_RESTART_COUNT_ANNOTATION]: String(restartCount),
          [POD_TERMINATION_GRACE_ANNOTATION]: String(pod.spec.terminationGracePeriodSeconds ?? 30),
          'minik8s.io/container-kind': isInit ? 'init' : 'app',
        },
        logPath: `${name}/${restartCount}.log`,
        stdin: spec.stdin,
        stdinOnce: spec.stdinOnce,
        tty: spec.tty,
        resources: resourcesOf(spec),
      };
    } catch (err) {
      if (!(err instanceof ContainerConfigError) && !(err instanceof VolumeError)) throw err;
      this.setReason(uid, name, 'CreateContainerConfigError', err.message);
      recorder.event(ref, 'Warning', 'Failed', `Error: ${err.message}`);
      return { requeueAfterMs: 10_000 };
    }

    // 4. Create and start.
    let id: string;
    try {
      id = await runtime.createContainer(sandboxId, config, this.sandboxConfig(pod, attempt));
    } catch (err) {
      if (!isRuntimeError(err)) throw err;
      const reason = err.reason === 'CreateContainerConfigError' ? err.reason : 'CreateContainerError';
      this.setReason(uid, name, reason, err.message);
      recorder.event(ref, 'Warning', 'Failed', `Error: ${err.message}`);
      return { requeueAfterMs: 10_000 };
    }
    recorder.event(ref, 'Normal', 'Created', `Created container ${name}`);
    try {
      await runtime.startContainer(id);
    } catch (err) {
      if (!isRuntimeError(err)) throw err;
      this.setReason(uid, name, 'RunContainerError', err.message);
      recorder.event(ref, 'Warning', 'Failed', `Error: ${err.message}`);
      return {};
    }
    recorder.event(ref, 'Normal', 'Started', `Started container ${name}`);
    this.clearReason(uid, name);

    // 5. postStart: the container counts as started only once its hook succeeded.
    if (spec.lifecycle?.postStart) {
      const podIP = state.sandboxes.find((s) => s.id === sandboxId)?.network.ip ?? this.opts.hostIP();
      const failure = await this.runHook(spec.lifecycle.postStart, spec, id, podIP, (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
      if (failure !== undefined) {
        recorder.event(ref, 'Warning', 'FailedPostStartHook', failure);
        const c = await runtime.containerStatus(id).catch(() => undefined);
        if (c) await this.killContainer(pod, c, `FailedPostStartHook`, undefined);
        this.setReason(uid, name, 'PostStartHookError', failure);
      }
    }
    return {};
  }

  private async ensureImage(pod: Pod, spec: Container, ref: ReturnType<typeof podRef>): Promise<{ ok: boolean; requeueAfterMs?: number }> {
    const { runtime, recorder } = this.opts;
    const uid = pod.metadata.uid!;
    const image = spec.image ?? '';
    const policy = spec.imagePullPolicy ?? defaultPullPolicy(image);
    const present = await runtime.imageStatus(image);
    if (policy === 'Never' && !present) {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      this.setReason(uid, spec.name, 'ErrImageNeverPull', msg);
      recorder.event(ref, 'Warning', 'ErrImageNeverPull', msg);
      return { ok: false, requeueAfterMs: 10_000 };
    }
    if (present && policy !== 'Always') {
      recorder.event(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return { ok: true };
    }
    const key = `${uid}/image/${image}`;
    if (this.imageBackoff.isInBackOffSinceUpdate(key)) {
      const msg = `Back-off pulling image "${image}"`;
      this.setReason(uid, spec.name, 'ImagePullBackOff', msg);
      recorder.event(ref, 'Normal', 'BackOff', msg);
      return { ok: false, requeueAfterMs: Math.max(0, this.imageBackoff.backOffEndSinceUpdate(key) - this.now()) + 50 };
    }
    recorder.event(ref, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const start = this.now();
    try {
      await runtime.pullImage(image);
    } catch (err) {
      const msg = (err as Error).message;
      if (present) {
        // Offline machines (no registry) still run what they have: a failed pull of an image
        // that is on the node uses it, saying so (upstream would fail with ErrImagePull).
        recorder.event(ref, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}; using the image present on the node`);
        recorder.event(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
        return { ok: true };
      }
      this.imageBackoff.next(key, this.now());
      this.setReason(uid, spec.name, 'ErrImagePull', msg);
      recorder.event(ref, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}`);
      recorder.event(ref, 'Warning', 'Failed', 'Error: ErrImagePull');
      // Look again halfway through the back-off (the status then says ImagePullBackOff, as
      // upstream's worker retry shows it), and pull again once it is over.
      return { ok: false, requeueAfterMs: Math.max(0, this.imageBackoff.backOffEndSinceUpdate(key) - this.now()) / 2 };
    }
    this.imageBackoff.reset(key);
    const took = formatDuration(this.now() - start);
    const size = (await runtime.imageStatus(image))?.size ?? 0;
    recorder.event(ref, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${size} bytes.`);
    return { ok: true };
  }

  /** Runs a lifecycle hook; resolves undefined on success, else the failure message. */
  private async runHook(hook: LifecycleHandler, spec: Container, containerId: string, podIP: string, timeoutMs: number): Promise<string | undefined> {
    if (hook.sleep) {
      await new Promise((r) => setTimeout(r, Math.min(timeoutMs, hook.sleep!.seconds * 1000)));
      return undefined;
    }
    const outcome = await runProbe(hook, { runtime: this.opts.runtime, containerId, container: spec, podIP, timeoutMs });
    if (outcome.result === 'Success') return undefined;
    if (hook.exec) return `Exec lifecycle hook (${JSON.stringify(hook.exec.command ?? [])}) for Container "${spec.name}" failed - error: command exited with a failure, message: ${JSON.stringify(outcome.output)}`;
    return `HTTP lifecycle hook for Container "${spec.name}" failed - error: ${outcome.output}`;
  }

  /** The grace period of a kubelet-initiated kill: a failing probe's own terminationGracePeriodSeconds when set. */
  private probeGrace(pod: Pod, name: string, reason: string): number | undefined {
    if (reason !== 'Unhealthy') return undefined;
    const spec = pod.spec.containers.find((c) => c.name === name);
    return spec?.livenessProbe?.terminationGracePeriodSeconds ?? spec?.startupProbe?.terminationGracePeriodSeconds;
  }

  /** Stops every running (or created) container of the pod, in parallel. */
  private async killPodContainers(pod: Pod, state: RuntimePodState, gracePeriodSeconds: number | undefined): Promise<void> {
    const live = state.containers.filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED');
    await Promise.all(live.map((c) => this.killContainer(pod, c, undefined, gracePeriodSeconds)));
  }

  /** Killing event, preStop hook, then stop with what is left of the grace period. */
  async killContainer(pod: Pod, c: RuntimeContainer, message: string | undefined, gracePeriodSeconds: number | undefined): Promise<void> {
    const uid = pod.metadata.uid!;
    const name = c.labels[CONTAINER_NAME_LABEL] ?? c.metadata.name;
    const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((x) => x.name === name);
    let grace = gracePeriodSeconds ?? podGracePeriodSeconds(pod);
    if (c.state === 'CONTAINER_RUNNING') {
      this.opts.recorder.event(podRef(pod, this.fieldPath(pod, name)), 'Normal', 'Killing', message ?? `Stopping container ${name}`);
    }
    if (!this.stopping.has(uid)) this.stopping.set(uid, new Set());
    const stopping = this.stopping.get(uid)!;
    stopping.add(c.id);
    try {
      if (c.state === 'CONTAINER_RUNNING' && spec?.lifecycle?.preStop && grace > 0) {
        const start = this.now();
        const podIP = this.states.get(uid)?.sandboxes.find((s) => s.id === c.podSandboxId)?.network.ip ?? this.opts.hostIP();
        const failure = await this.runHook(spec.lifecycle.preStop, spec, c.id, podIP, grace * 1000);
        if (failure !== undefined) this.opts.recorder.event(podRef(pod, this.fieldPath(pod, name)), 'Warning', 'FailedPreStopHook', failure);
        grace -= Math.floor((this.now() - start) / 1000);
      }
      await this.opts.runtime.stopContainer(c.id, Math.max(grace, MIN_GRACE_SECONDS));
    } finally {
      stopping.delete(c.id);
      if (stopping.size === 0) this.stopping.delete(uid);
    }
  }
}

/** The default pull policy the apiserver would set: Always for :latest or no tag, else IfNotPresent. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return 'Always';
  return image.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function resourcesOf(spec: Container): ContainerConfig['resources'] {
  const lim = spec.resources?.limits ?? {};
  const req = spec.resources?.requests ?? {};
  const milli = (q: string | number | undefined) => (q === undefined ? undefined : Math.ceil(quantityToMilli(q)));
  return {
    cpuLimitMillis: milli(lim.cpu),
    cpuRequestMillis: milli(req.cpu ?? lim.cpu),
    memoryLimitBytes: lim.memory !== undefined ? Math.ceil(quantityToMilli(lim.memory) / 1000) : undefined,
  };
}
