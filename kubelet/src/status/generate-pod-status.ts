// The pod's API status computed from what the runtime reports (kubelet_pods.go
// generateAPIPodStatus + convertToAPIContainerStatuses): a pure function of the pod, the
// runtime's sandboxes and containers, the last sync errors per container (the reason cache)
// and the probe results.
//
// Per container: the newest runtime container gives `state`, the one before it `lastState`;
// a container that will be started again but is held back (CrashLoopBackOff, ErrImagePull,
// CreateContainerConfigError...) shows as waiting with that reason, its last run in lastState.
// A container the runtime lost (a restarted process runtime) that was running before keeps its
// restart count and gets a ContainerStatusUnknown termination, so the pod does not fall back
// to Pending.

import type { ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from '../api/pod.ts';
import { rfc3339 } from '../api/pod.ts';
import type { ContainerStatus as RuntimeContainer, PodSandboxStatus } from '../runtime/interface.ts';
import { CONTAINER_NAME_LABEL, CONTAINER_RESTART_COUNT_ANNOTATION } from '../pod-workers/labels.ts';
import {
  containersReadyCondition,
  getPhase,
  initializedCondition,
  KUBELET_CONDITIONS,
  podReadyCondition,
  type PodPhase,
} from './pod-phase.ts';

export interface RuntimePodState {
  sandboxes: PodSandboxStatus[];
  containers: RuntimeContainer[];
}

export interface SyncReason {
  reason: string;
  message: string;
}

export interface PodStatusInputs {
  pod: Pod;
  runtime: RuntimePodState;
  /** `process`, `docker`, `fake`: the scheme of containerID. */
  runtimeType: string;
  /** The last sync error of a container (the reason cache), by container name. */
  reason(containerName: string): SyncReason | undefined;
  /** The readiness probe's cached result (undefined: none yet, i.e. not ready). */
  readiness(containerId: string): boolean | undefined;
  /** Whether the startup probe has succeeded (true for containers without one). */
  started(containerId: string): boolean;
  hostIP: string;
  /** The pod will run nothing any more (being deleted or finished, every container stopped). */
  podIsTerminal: boolean;
  isStaticPod: boolean;
  /** When the kubelet first saw the pod, for startTime. */
  firstSeen: number;
}

export const CONTAINER_STATUS_UNKNOWN = 'ContainerStatusUnknown';

export function containerName(c: RuntimeContainer): string {
  return c.labels[CONTAINER_NAME_LABEL] ?? c.metadata.name;
}

export function restartCountOf(c: RuntimeContainer): number {
  const n = Number(c.annotations[CONTAINER_RESTART_COUNT_ANNOTATION] ?? c.metadata.attempt);
  return Number.isFinite(n) ? n : 0;
}

/** Newest first: by attempt, then creation time. */
export function newestFirst(containers: RuntimeContainer[]): RuntimeContainer[] {
  return [...containers].sort((a, b) => restartCountOf(b) - restartCountOf(a) || b.createdAt - a.createdAt);
}

/** The newest runtime container of that name. */
export function latestContainer(state: RuntimePodState, name: string): RuntimeContainer | undefined {
  return newestFirst(state.containers.filter((c) => containerName(c) === name))[0];
}

/** ShouldContainerBeRestarted: whether the next sync would (re)start this container. */
export function shouldContainerBeRestarted(pod: Pod, name: string, state: RuntimePodState): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const s = latestContainer(state, name);
  if (!s) return true;
  if (s.state === 'CONTAINER_RUNNING') return false;
  if (s.state === 'CONTAINER_UNKNOWN' || s.state === 'CONTAINER_CREATED') return true;
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && s.exitCode === 0) return false;
  return true;
}

function time(ms: number): string | null {
  return ms > 0 ? rfc3339(ms) : null;
}

function convertState(c: RuntimeContainer, runtimeType: string): ContainerState {
  switch (c.state) {
    case 'CONTAINER_RUNNING':
      return { running: { startedAt: rfc3339(c.startedAt) } };
    case 'CONTAINER_EXITED': {
      const t: NonNullable<ContainerState['terminated']> = {
        exitCode: c.exitCode,
        reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
        startedAt: time(c.startedAt),
        finishedAt: time(c.finishedAt),
        containerID: `${runtimeType}://${c.id}`,
      };
      if (c.message) t.message = c.message;
      return { terminated: t };
    }
    case 'CONTAINER_CREATED':
      return { waiting: {} };
    default:
      return {
        terminated: {
          exitCode: 137,
          reason: CONTAINER_STATUS_UNKNOWN,
          message: 'The container could not be located when the pod was terminated',
          startedAt: time(c.startedAt),
          finishedAt: time(c.finishedAt),
          containerID: `${runtimeType}://${c.id}`,
        },
      };
  }
}

function convertContainerStatuses(inputs: PodStatusInputs, containers: Pod['spec']['containers'], old: ContainerStatus[], isInit: boolean): ContainerStatus[] {
  const { pod, runtime, runtimeType } = inputs;
  const hasInit = (pod.spec.initContainers ?? []).length > 0;
  const defaultWaiting: ContainerState = { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } };
  const oldByName = new Map(old.map((s) => [s.name, s]));
  const statuses = new Map<string, ContainerStatus>();

  // 1. Defaults: waiting, keeping what the old status knew (restarts, last termination).
  for (const c of containers) {
    const o = oldByName.get(c.name);
    let s: ContainerStatus = { name: c.name, state: structuredClone(defaultWaiting), lastState: {}, ready: false, restartCount: 0, image: c.image ?? '', imageID: '', started: false };
    if (o) {
      if (o.state.terminated) s = { ...structuredClone(o), ready: false, started: false };
      else {
        s.restartCount = o.restartCount;
        s.lastState = structuredClone(o.lastState ?? {});
      }
    }
    statuses.set(c.name, s);
  }

  // 2. A container that was running and that the runtime no longer knows has terminated for sure.
  for (const c of containers) {
    if (runtime.containers.some((r) => containerName(r) === c.name)) continue;
    const o = oldByName.get(c.name);
    if (!o || o.state.terminated || !o.state.running) continue;
    const s = statuses.get(c.name)!;
    const reason = s.state.waiting?.reason;
    if (reason !== defaultWaiting.waiting!.reason || s.lastState.terminated) continue;
    s.lastState = {
      terminated: {
        exitCode: 137,
        reason: CONTAINER_STATUS_UNKNOWN,
        message: 'The container could not be located when the pod was deleted.  The container used to be Running',
      },
    };
    if (!pod.metadata.deletionTimestamp) s.restartCount += 1;
  }

  // 3. What the runtime reports: the newest container is the state, the one before the last state.
  const seen = new Map<string, number>();
  for (const r of newestFirst(runtime.containers)) {
    const name = containerName(r);
    const s = statuses.get(name);
    if (!s) continue;
    const n = seen.get(name) ?? 0;
    if (n >= 2) continue;
    seen.set(name, n + 1);
    if (n === 0) {
      s.state = convertState(r, runtimeType);
      s.restartCount = restartCountOf(r);
      s.image = r.image || s.image;
      s.imageID = r.imageRef;
      s.containerID = `${runtimeType}://${r.id}`;
      s.lastState = {};
      const running = r.state === 'CONTAINER_RUNNING';
      s.started = running && inputs.started(r.id);
      const spec = containers.find((c) => c.name === name);
      if (!running || !s.started) s.ready = false;
      else if (isInit) s.ready = false;
      else s.ready = spec?.readinessProbe ? inputs.readiness(r.id) === true : true;
    } else {
      s.lastState = convertState(r, runtimeType);
    }
  }

  // 4. Containers held back from (re)starting show why, with their last run as lastState.
  for (const c of containers) {
    if (isInit) {
      const latest = latestContainer(runtime, c.name);
      if (latest && latest.state === 'CONTAINER_EXITED' && latest.exitCode === 0) continue;
    }
    if (!shouldContainerBeRestarted(pod, c.name, runtime)) continue;
    const why = inputs.reason(c.name);
    if (!why) continue;
    const s = statuses.get(c.name)!;
    if (s.state.terminated) s.lastState = s.state;
    s.state = { waiting: { reason: why.reason, ...(why.message ? { message: why.message } : {}) } };
    s.ready = false;
    s.started = false;
  }
  return containers.map((c) => statuses.get(c.name)!);
}

/** Carries lastTransitionTime over from the old condition when the status did not change. */
export function withTransitionTimes(conditions: PodCondition[], old: PodCondition[] | undefined, now: number): PodCondition[] {
  return conditions.map((c) => {
    const o = old?.find((x) => x.type === c.type);
    const keep = o && o.status === c.status && o.lastTransitionTime;
    return { ...c, lastProbeTime: null, lastTransitionTime: keep ? o!.lastTransitionTime! : rfc3339(now) };
  });
}

export function generatePodStatus(inputs: PodStatusInputs, now: number): PodStatus {
  const { pod, runtime } = inputs;
  const old = pod.status ?? {};
  const initStatuses = convertContainerStatuses(inputs, pod.spec.initContainers ?? [], old.initContainerStatuses ?? [], true);
  const containerStatuses = convertContainerStatuses(inputs, pod.spec.containers, old.containerStatuses ?? [], false);
  const all = [...initStatuses, ...containerStatuses];

  let phase: PodPhase = getPhase(pod.spec, all, inputs.podIsTerminal, inputs.isStaticPod);
  // A pod never leaves a terminal phase.
  if ((old.phase === 'Succeeded' || old.phase === 'Failed') && phase !== old.phase) phase = old.phase;

  const sandbox = runtime.sandboxes.find((s) => s.state === 'SANDBOX_READY');
  const conditions: PodCondition[] = (old.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  conditions.push({ type: 'PodReadyToStartContainers', status: sandbox && sandbox.network.ip ? 'True' : 'False' });
  conditions.push(initializedCondition(pod.spec, all, phase));
  conditions.push(podReadyCondition(pod.spec, conditions, all, phase));
  conditions.push(containersReadyCondition(pod.spec, all, phase));
  conditions.push({ type: 'PodScheduled', status: 'True' });

  const status: PodStatus = {
    phase,
    conditions: withTransitionTimes(conditions, old.conditions, now),
    hostIP: inputs.hostIP,
    hostIPs: [{ ip: inputs.hostIP }],
    startTime: old.startTime ?? rfc3339(inputs.firstSeen),
    containerStatuses,
  };
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  const ips = pod.spec.hostNetwork ? [inputs.hostIP] : sandbox?.network.ip ? [sandbox.network.ip, ...(sandbox.network.additionalIps ?? [])] : [];
  if (ips.length) {
    status.podIP = ips[0];
    status.podIPs = ips.map((ip) => ({ ip }));
  } else if (old.podIP) {
    status.podIP = old.podIP;
    status.podIPs = old.podIPs ?? [{ ip: old.podIP }];
  }
  if (old.qosClass) status.qosClass = old.qosClass;
  if (old.nominatedNodeName) status.nominatedNodeName = old.nominatedNodeName;
  if (old.reason && (phase === 'Failed' || phase === 'Succeeded')) status.reason = old.reason;
  if (old.message && (phase === 'Failed' || phase === 'Succeeded')) status.message = old.message;
  return status;
}
