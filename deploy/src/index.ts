// @minik8s/deploy: run a whole cluster on this machine (the local launcher), for people
// (`pnpm run up`) and for the e2e tests.

export { startLocalCluster, type LocalCluster, type LocalClusterOptions, type ComponentHandle, type MissingComponent, type StopReport, type RuntimeName } from './local-cluster.ts';
export { COMPONENT_MAINS, componentMainExists, type ComponentKind } from './component-help.ts';
export { readLeaders, describeLeader, LEADER_LEASES, type LeaderInfo } from './leases.ts';
export { readNodes, type NodeReadiness } from './nodes.ts';
export { writeKubeconfig } from './kubeconfig.ts';
export { ManagedProcess, type ExitInfo } from './managed-process.ts';
export { type ProcessInfo } from './process-tree.ts';
export { REPO_ROOT, DEFAULT_DATA_DIR } from './paths.ts';
