import type { ContainerConfig, ContainerStatus } from './interface.ts';

/** The status of a container just created from `config` (not started yet), as every runtime reports it. */
export function createdContainerStatus(id: string, podSandboxId: string, config: ContainerConfig, createdAt: number, logPath: string): ContainerStatus {
  return {
    id,
    podSandboxId,
    metadata: { ...config.metadata },
    state: 'CONTAINER_CREATED',
    createdAt,
    startedAt: 0,
    finishedAt: 0,
    exitCode: 0,
    image: config.image,
    imageRef: config.image,
    reason: '',
    message: '',
    labels: { ...config.labels },
    annotations: { ...config.annotations },
    logPath,
  };
}
