// The kubelet's configuration (the flags of main.ts), with upstream's names and defaults.
// Durations are milliseconds.

export type RuntimeName = 'process' | 'docker' | 'fake' | 'auto';

export interface KubeletConfig {
  nodeName: string;
  /** kubernetes.io/hostname and the Hostname address (default: the node name). */
  hostname: string;
  /** The node's InternalIP; also every process-runtime pod's IP. */
  nodeIP: string;
  containerRuntime: RuntimeName;
  /** The Docker Engine socket (unix path). */
  dockerEndpoint: string;
  /** The Docker network pod sandboxes join (docker runtime): `bridge`, or a user network such as compose's. */
  dockerNetwork: string;
  /** Where pods' directories and the runtime's state live (<root>/pods/<uid>). */
  rootDir: string;
  /** Where containers' logs go (<dir>/<ns>_<pod>_<uid>/<container>/<n>.log). */
  podLogsDir: string;
  /** The kubelet API (logs, exec). */
  address: string;
  port: number;
  /** /healthz. */
  healthzBindAddress: string;
  healthzPort: number;
  podManifestPath?: string;
  fileCheckFrequencyMs: number;
  syncFrequencyMs: number;
  nodeStatusUpdateFrequencyMs: number;
  nodeStatusReportFrequencyMs: number;
  nodeLeaseDurationSeconds: number;
  registerNode: boolean;
  maxPods: number;
  nodeLabels: Record<string, string>;
  nodeCapacity: Record<string, string>;
  kubeReserved: Record<string, string>;
  systemReserved: Record<string, string>;
  registerWithTaints: { key: string; value?: string; effect: string }[];
  podCIDR?: string;
  /** CrashLoopBackOff: first delay and cap (10 s and 5 min upstream). */
  crashLoopBackOffInitialMs: number;
  crashLoopBackOffMaxMs: number;
  /** How often the runtime is relisted for container changes. */
  plegRelistPeriodMs: number;
  /** The docker runtime's sandbox (pause) image. */
  podInfraContainerImage: string;
  /**
   * The process runtime's pod network: `host` (every pod in the host's network namespace),
   * `bridge` (root only: a namespace per pod on a bridge, addresses from the node's podCIDR), or
   * `auto` (bridge where it can be had, root on Linux with `ip` and `nsenter`; else host).
   */
  podNetwork: 'auto' | 'host' | 'bridge';
}

export const DEFAULT_CONFIG: Omit<KubeletConfig, 'nodeName' | 'hostname' | 'nodeIP'> = {
  containerRuntime: 'auto',
  dockerEndpoint: '/var/run/docker.sock',
  dockerNetwork: 'bridge',
  rootDir: '/var/lib/kubelet',
  podLogsDir: '/var/log/pods',
  address: '0.0.0.0',
  port: 10250,
  healthzBindAddress: '127.0.0.1',
  healthzPort: 10248,
  fileCheckFrequencyMs: 20_000,
  syncFrequencyMs: 60_000,
  nodeStatusUpdateFrequencyMs: 10_000,
  nodeStatusReportFrequencyMs: 300_000,
  nodeLeaseDurationSeconds: 40,
  registerNode: true,
  maxPods: 110,
  nodeLabels: {},
  nodeCapacity: {},
  kubeReserved: {},
  systemReserved: {},
  registerWithTaints: [],
  crashLoopBackOffInitialMs: 10_000,
  crashLoopBackOffMaxMs: 300_000,
  plegRelistPeriodMs: 1_000,
  podInfraContainerImage: 'registry.k8s.io/pause:3.10',
  podNetwork: 'auto',
};
