// What one sync must do to move the runtime toward the pod's spec (kuberuntime_manager.go
// computePodActions), as a pure function of the pod, what the runtime holds and the probe
// results:
//
// 1. No ready sandbox (or several, or one from before a network change): kill everything and
//    create a new sandbox, then start from the first init container (or every app container
//    that still has to run). A pod with restartPolicy Never whose sandbox died is not revived.
// 2. Init containers run one at a time, in order; the next starts once the previous exited 0.
//    A failed one is restarted (OnFailure/Always) or fails the pod (Never: kill everything).
// 3. App containers: a running one is replaced when its spec hash changed or its liveness or
//    startup probe failed; a stopped one is started again as the restart policy says.
// 4. When nothing runs and nothing is to start, the sandbox is stopped (the pod is done).

import type { Container, Pod } from '../api/pod.ts';
import type { ContainerStatus as RuntimeContainer, PodSandboxStatus } from '../runtime/interface.ts';
import type { RuntimePodState } from '../status/generate-pod-status.ts';
import { containerName, latestContainer, newestFirst, shouldContainerBeRestarted } from '../status/generate-pod-status.ts';
import { CONTAINER_HASH_ANNOTATION, containerHash } from './labels.ts';

export interface ContainerToKill {
  container: RuntimeContainer;
  name: string;
  /** The Killing event's message. */
  message: string;
  /** Kubelet-initiated kills for probe failures use the probe's grace period when set. */
  reason: 'Unhealthy' | 'SpecChanged' | 'PodTerminated' | 'InitFailed';
}

export interface PodActions {
  killPod: boolean;
  createSandbox: boolean;
  /** The sandbox to use when no new one is created. */
  sandboxId: string | undefined;
  /** Attempt number of a new sandbox. */
  attempt: number;
  /** The init container to start next (index into spec.initContainers). */
  nextInitContainer: number | undefined;
  /** App containers to start (indices into spec.containers). */
  containersToStart: number[];
  containersToKill: ContainerToKill[];
  /** The pod failed for good (an init container failed under restartPolicy Never). */
  podFailed: boolean;
}

export interface ProbeView {
  livenessFailed(containerId: string): boolean;
  startupFailed(containerId: string): boolean;
}

function readySandboxes(state: RuntimePodState): PodSandboxStatus[] {
  return state.sandboxes.filter((s) => s.state === 'SANDBOX_READY');
}

function newestSandbox(state: RuntimePodState): PodSandboxStatus | undefined {
  return [...state.sandboxes].sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt)[0];
}

/** podSandboxChanged: a new sandbox is needed, with its attempt number. */
export function sandboxChanged(pod: Pod, state: RuntimePodState): { changed: boolean; attempt: number; sandboxId: string | undefined } {
  const newest = newestSandbox(state);
  if (!newest) return { changed: true, attempt: 0, sandboxId: undefined };
  const ready = readySandboxes(state);
  const next = newest.metadata.attempt + 1;
  if (ready.length > 1) return { changed: true, attempt: next, sandboxId: newest.id };
  if (newest.state !== 'SANDBOX_READY') return { changed: true, attempt: next, sandboxId: newest.id };
  if (!!pod.spec.hostNetwork && !newest.hostNetwork) return { changed: true, attempt: next, sandboxId: newest.id };
  return { changed: false, attempt: newest.metadata.attempt, sandboxId: newest.id };
}

function succeeded(state: RuntimePodState, name: string): boolean {
  const c = latestContainer(state, name);
  return !!c && c.state === 'CONTAINER_EXITED' && c.exitCode === 0;
}

/** The next init container to run: `done` when all succeeded; `failed` the last one's failure. */
export function findNextInitContainer(pod: Pod, state: RuntimePodState): { next: number | undefined; running: boolean; failed: RuntimeContainer | undefined; done: boolean } {
  const inits = pod.spec.initContainers ?? [];
  for (let i = inits.length - 1; i >= 0; i--) {
    const c = latestContainer(state, inits[i].name);
    if (!c) continue;
    if (c.state === 'CONTAINER_RUNNING') return { next: undefined, running: true, failed: undefined, done: false };
    if (c.state === 'CONTAINER_EXITED' && c.exitCode !== 0) return { next: i, running: false, failed: c, done: false };
    if (c.state === 'CONTAINER_EXITED' && c.exitCode === 0) {
      if (i === inits.length - 1) return { next: undefined, running: false, failed: undefined, done: true };
      return { next: i + 1, running: false, failed: undefined, done: false };
    }
    // Created or unknown: start it (again).
    return { next: i, running: false, failed: undefined, done: false };
  }
  if (inits.length === 0) return { next: undefined, running: false, failed: undefined, done: true };
  return { next: 0, running: false, failed: undefined, done: false };
}

export function computePodActions(pod: Pod, state: RuntimePodState, probes: ProbeView): PodActions {
  const sb = sandboxChanged(pod, state);
  const policy = pod.spec.restartPolicy ?? 'Always';
  const actions: PodActions = {
    killPod: sb.changed,
    createSandbox: sb.changed,
    sandboxId: sb.sandboxId,
    attempt: sb.attempt,
    nextInitContainer: undefined,
    containersToStart: [],
    containersToKill: [],
    podFailed: false,
  };
  const inits = pod.spec.initContainers ?? [];

  // 1. A new sandbox: start over.
  if (sb.changed) {
    if (policy === 'Never' && sb.attempt !== 0 && state.containers.length > 0) {
      // The pod ran and will not be restarted: nothing to create.
      actions.createSandbox = false;
      return actions;
    }
    const toStart: number[] = [];
    pod.spec.containers.forEach((c, i) => {
      if (policy === 'OnFailure' && succeeded(state, c.name)) return;
      toStart.push(i);
    });
    if (toStart.length === 0 && findNextInitContainer(pod, state).done) {
      actions.createSandbox = false;
      return actions;
    }
    if (inits.length > 0) {
      actions.nextInitContainer = 0;
      return actions;
    }
    actions.containersToStart = toStart;
    return actions;
  }

  // 2. Init containers, one at a time.
  const init = findNextInitContainer(pod, state);
  if (!init.done) {
    if (init.running) return actions;
    if (init.failed) {
      if (policy === 'Never') {
        actions.killPod = true;
        actions.podFailed = true;
        return actions;
      }
    }
    actions.nextInitContainer = init.next;
    return actions;
  }

  // 3. App containers.
  let keep = 0;
  pod.spec.containers.forEach((spec: Container, i) => {
    const c = latestContainer(state, spec.name);
    if (!c || c.state !== 'CONTAINER_RUNNING') {
      if (shouldContainerBeRestarted(pod, spec.name, state)) actions.containersToStart.push(i);
      return;
    }
    let message: string | undefined;
    let reason: ContainerToKill['reason'] = 'Unhealthy';
    const hash = c.annotations[CONTAINER_HASH_ANNOTATION];
    if (hash && hash !== containerHash(spec)) {
      message = `Container ${spec.name} definition changed, will be restarted`;
      reason = 'SpecChanged';
    } else if (probes.livenessFailed(c.id)) {
      message = `Container ${spec.name} failed liveness probe, will be restarted`;
    } else if (probes.startupFailed(c.id)) {
      message = `Container ${spec.name} failed startup probe, will be restarted`;
    }
    if (message === undefined) {
      keep++;
      return;
    }
    actions.containersToKill.push({ container: c, name: spec.name, message, reason });
    if (policy !== 'Never') actions.containersToStart.push(i);
  });

  // 4. Nothing runs and nothing will: the pod is done, release the sandbox.
  if (keep === 0 && actions.containersToStart.length === 0) actions.killPod = true;
  return actions;
}

/**
 * Dead containers to remove: per container name, everything but the newest container and the
 * one before it (kept for `lastState` and `kubectl logs --previous`).
 */
export function containersToRemove(state: RuntimePodState): RuntimeContainer[] {
  const byName = new Map<string, RuntimeContainer[]>();
  for (const c of state.containers) {
    const n = containerName(c);
    if (!byName.has(n)) byName.set(n, []);
    byName.get(n)!.push(c);
  }
  const out: RuntimeContainer[] = [];
  for (const list of byName.values()) {
    for (const c of newestFirst(list).slice(2)) if (c.state !== 'CONTAINER_RUNNING') out.push(c);
  }
  return out;
}
