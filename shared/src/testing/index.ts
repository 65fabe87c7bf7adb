// @minik8s/shared/testing: what tests and benchmarks need to run real components.
// Not part of the runtime API: only tests, e2e and benchmarks import it.

export { waitFor, type WaitForOptions } from './wait-for.ts';
export { freePort } from './free-port.ts';
export { startEtcd, findEtcdBinary, type EtcdHandle } from './etcd.ts';
export { startEtcdContainer, DockerUnavailableError, DEFAULT_ETCD_IMAGE } from './etcd-container.ts';
export { startEtcdProcess } from './etcd-process.ts';
export { etcdIsHealthy } from './etcd-health.ts';
export { startApiserver, REPO_ROOT, type ApiserverHandle, type ApiserverOptions } from './apiserver.ts';
export { writeKubeconfig, kubectl, type KubectlResult } from './kubectl.ts';
export { getOnce, tally } from './get-once.ts';
