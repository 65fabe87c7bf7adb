// @minik8s/kubelet: the node agent. main.ts is the daemon; these exports are for tests,
// benchmarks and hollow-node setups that run kubelets in-process.

export { Kubelet, type KubeletDeps } from './kubelet.ts';
export { DEFAULT_CONFIG, type KubeletConfig, type RuntimeName } from './config.ts';
export { createRuntime, dockerAnswers } from './runtime/create-runtime.ts';
export * from './runtime/interface.ts';
export { ProcessRuntime, type ProcessRuntimeOptions } from './runtime/process/process-runtime.ts';
export { FakeRuntime, type FakeRuntimeOptions } from './runtime/fake/fake-runtime.ts';
export { DockerRuntime, type DockerRuntimeOptions } from './runtime/docker/docker-runtime.ts';
export { DockerClient, DockerError } from './runtime/docker/docker-client.ts';
export type { Pod, PodSpec, PodStatus, Container, ContainerStatus } from './api/pod.ts';
