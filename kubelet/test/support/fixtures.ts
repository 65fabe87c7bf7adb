// Builders for pods and for what a runtime reports, for the pure-function tests.

import type { Container, Pod } from '../../src/api/pod.ts';
import type { ContainerStatus, PodSandboxStatus } from '../../src/runtime/interface.ts';
import { CONTAINER_HASH_ANNOTATION, CONTAINER_NAME_LABEL, CONTAINER_RESTART_COUNT_ANNOTATION, POD_UID_LABEL, containerHash } from '../../src/pod-workers/labels.ts';
import type { RuntimePodState } from '../../src/status/generate-pod-status.ts';

export const T0 = Date.UTC(2026, 0, 1);

export function pod(spec: Partial<Pod['spec']> & { containers: Container[] }, meta: Partial<Pod['metadata']> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', ...meta }, spec };
}

export function c(name: string, extra: Partial<Container> = {}): Container {
  return { name, image: 'busybox', command: ['sleep', '1000'], ...extra };
}

export function sandbox(opts: Partial<PodSandboxStatus> = {}): PodSandboxStatus {
  return {
    id: 'sb-1',
    metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', attempt: 0 },
    state: 'SANDBOX_READY',
    createdAt: T0,
    network: { ip: '10.0.0.5' },
    hostNetwork: false,
    labels: {},
    annotations: {},
    ...opts,
  };
}

let seq = 0;

/** A runtime container of `spec` in the given state; attempt = restart count. */
export function rc(spec: Container, state: ContainerStatus['state'], opts: Partial<ContainerStatus> & { attempt?: number } = {}): ContainerStatus {
  const attempt = opts.attempt ?? 0;
  const id = opts.id ?? `c${++seq}`;
  return {
    id,
    podSandboxId: 'sb-1',
    metadata: { name: spec.name, attempt },
    state,
    createdAt: T0 + attempt * 1000,
    startedAt: state === 'CONTAINER_CREATED' ? 0 : T0 + attempt * 1000 + 10,
    finishedAt: state === 'CONTAINER_EXITED' ? T0 + attempt * 1000 + 500 : 0,
    exitCode: 0,
    image: spec.image ?? '',
    imageRef: spec.image ?? '',
    reason: state === 'CONTAINER_EXITED' ? ((opts.exitCode ?? 0) === 0 ? 'Completed' : 'Error') : '',
    message: '',
    labels: { [POD_UID_LABEL]: 'uid-1', [CONTAINER_NAME_LABEL]: spec.name },
    annotations: { [CONTAINER_HASH_ANNOTATION]: containerHash(spec), [CONTAINER_RESTART_COUNT_ANNOTATION]: String(attempt) },
    logPath: '',
    ...opts,
  };
}

export function state(sandboxes: PodSandboxStatus[], containers: ContainerStatus[]): RuntimePodState {
  return { sandboxes, containers };
}
