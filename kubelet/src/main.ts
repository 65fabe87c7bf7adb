// kubelet: `node kubelet/src/main.ts --master=http://127.0.0.1:8080 --node-name=node-1
//   --container-runtime=process --port=10250 --healthz-port=10248`
//
// Flags keep upstream's names and defaults where upstream has them; --container-runtime,
// --node-name, --node-capacity, --crash-loop-backoff-* and --pleg-relist-period are ours (the
// runtime choice and test timings). /healthz is served on --healthz-port by the component
// scaffold, the kubelet API (logs, exec) on --port.

import { hostname } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { commonOptions, componentCommand, parseBoolFlag, parseDurationFlag, parseIntFlag, parsePortFlag, runComponent } from '@minik8s/shared';
import { DEFAULT_CONFIG, type KubeletConfig, type RuntimeName } from './config.ts';
import { Kubelet } from './kubelet.ts';
import { defaultNodeIP } from './node/machine-info.ts';
import { parseMapFlag, parseTaints } from './node/node-status.ts';
import { createRuntime } from './runtime/create-runtime.ts';

function mapFlag(v: string): Record<string, string> {
  try {
    return parseMapFlag(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function taintsFlag(v: string): KubeletConfig['registerWithTaints'] {
  try {
    return parseTaints(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function podNetworkFlag(v: string): 'auto' | 'host' | 'bridge' {
  if (v === 'auto' || v === 'host' || v === 'bridge') return v;
  throw new InvalidArgumentError(`unknown pod network "${v}": want auto, host or bridge`);
}

function runtimeFlag(v: string): RuntimeName {
  if (v === 'process' || v === 'docker' || v === 'fake' || v === 'auto') return v;
  throw new InvalidArgumentError(`unknown container runtime "${v}": want process, docker, fake or auto`);
}

const D = DEFAULT_CONFIG;
const cmd = componentCommand('kubelet', { port: D.port, leaderElect: false })
  .option('--node-name <name>', 'The name of the Node this kubelet registers (default: --hostname-override, else the hostname).')
  .option('--hostname-override <name>', 'If non-empty, will use this string as identification instead of the actual hostname.')
  .option('--node-ip <ip>', "IP address of the node (InternalIP); the process runtime's pod IP. Default: the host's first non-loopback IPv4 address.")
  .option('--container-runtime <name>', 'process, docker, fake or auto (docker when its socket answers, else process).', runtimeFlag, D.containerRuntime)
  .option('--container-runtime-endpoint <endpoint>', 'The Docker Engine endpoint for the docker runtime.', `unix://${D.dockerEndpoint}`)
  .option('--root-dir <dir>', 'Directory path for managing kubelet files (pod directories, runtime state).', D.rootDir)
  .option('--pod-logs-dir <dir>', 'Directory for container logs.', D.podLogsDir)
  .option('--address <ip>', 'The IP address for the kubelet API (logs, exec) to serve on.', D.address)
  .option('--healthz-bind-address <ip>', 'The IP address for the healthz server to serve on.', D.healthzBindAddress)
  .option('--healthz-port <port>', 'The port of the localhost healthz endpoint (0 picks a free one and logs it).', parsePortFlag, D.healthzPort)
  .option('--pod-manifest-path <dir>', 'Directory of static pod manifests to run.')
  .option('--file-check-frequency <duration>', 'Duration between checking config files for new data.', parseDurationFlag, D.fileCheckFrequencyMs)
  .option('--sync-frequency <duration>', 'Max period between synchronizing running containers and config.', parseDurationFlag, D.syncFrequencyMs)
  .option('--node-status-update-frequency <duration>', 'How often the kubelet computes the node status.', parseDurationFlag, D.nodeStatusUpdateFrequencyMs)
  .option('--node-status-report-frequency <duration>', 'How often the node status is posted when nothing changed.', parseDurationFlag, D.nodeStatusReportFrequencyMs)
  .option('--node-lease-duration-seconds <n>', 'The duration of the node Lease; it is renewed every quarter of it.', parseIntFlag, D.nodeLeaseDurationSeconds)
  .option('--register-node [bool]', 'Register the node with the apiserver.', parseBoolFlag, D.registerNode)
  .option('--max-pods <n>', 'Number of Pods that can run on this Kubelet.', parseIntFlag, D.maxPods)
  .option('--node-labels <labels>', 'Labels to add when registering the node (key=value,...).', mapFlag, {})
  .option('--node-capacity <resources>', 'Capacity to report instead of the machine\'s (cpu=4,memory=8Gi,pods=110).', mapFlag, {})
  .option('--kube-reserved <resources>', 'Resources reserved for Kubernetes components (cpu=100m,memory=100Mi).', mapFlag, {})
  .option('--system-reserved <resources>', 'Resources reserved for the system.', mapFlag, {})
  .option('--register-with-taints <taints>', 'Register the node with these taints (key=value:Effect,...).', taintsFlag, [])
  .option('--pod-cidr <cidr>', 'The CIDR to use for pod IP addresses (set on the Node at registration).')
  .option('--crash-loop-backoff-initial <duration>', 'First restart delay of a crashing container (CrashLoopBackOff).', parseDurationFlag, D.crashLoopBackOffInitialMs)
  .option('--crash-loop-backoff-max <duration>', 'Largest restart delay of a crashing container.', parseDurationFlag, D.crashLoopBackOffMaxMs)
  .option('--pleg-relist-period <duration>', 'How often the runtime is relisted for container changes.', parseDurationFlag, D.plegRelistPeriodMs)
  .option('--docker-network <name>', "The Docker network the docker runtime's pods join (a user network such as docker compose's lets the nodes reach pod IPs).", D.dockerNetwork)
  .option('--pod-infra-container-image <image>', "The docker runtime's sandbox (pause) image.", D.podInfraContainerImage)
  .option('--pod-network <mode>', "The process runtime's pod network: bridge (root on Linux: a network namespace and IP per pod from the node's podCIDR), host (pods share the node's network namespace and IP), or auto (bridge when running as root on Linux, else host).", podNetworkFlag, D.podNetwork);

cmd.action(async () => {
  const o = cmd.opts();
  const common = commonOptions(cmd);
  const nodeName = String(o.nodeName ?? o.hostnameOverride ?? hostname()).toLowerCase();
  const rootDir = o.rootDir as string;
  const config: KubeletConfig = {
    ...D,
    nodeName,
    hostname: String(o.hostnameOverride ?? nodeName).toLowerCase(),
    nodeIP: o.nodeIp ?? defaultNodeIP(),
    containerRuntime: o.containerRuntime,
    dockerEndpoint: String(o.containerRuntimeEndpoint).replace(/^unix:\/\//, ''),
    rootDir,
    podLogsDir: o.podLogsDir,
    address: o.address,
    port: common.port,
    healthzBindAddress: o.healthzBindAddress,
    healthzPort: o.healthzPort,
    podManifestPath: o.podManifestPath,
    fileCheckFrequencyMs: o.fileCheckFrequency,
    syncFrequencyMs: o.syncFrequency,
    nodeStatusUpdateFrequencyMs: o.nodeStatusUpdateFrequency,
    nodeStatusReportFrequencyMs: o.nodeStatusReportFrequency,
    nodeLeaseDurationSeconds: o.nodeLeaseDurationSeconds,
    registerNode: o.registerNode,
    maxPods: o.maxPods,
    nodeLabels: o.nodeLabels,
    nodeCapacity: o.nodeCapacity,
    kubeReserved: o.kubeReserved,
    systemReserved: o.systemReserved,
    registerWithTaints: o.registerWithTaints,
    podCIDR: o.podCidr,
    crashLoopBackOffInitialMs: o.crashLoopBackoffInitial,
    crashLoopBackOffMaxMs: o.crashLoopBackoffMax,
    plegRelistPeriodMs: o.plegRelistPeriod,
    podInfraContainerImage: o.podInfraContainerImage,
    dockerNetwork: String(o.dockerNetwork),
    podNetwork: o.podNetwork,
  };
  await runComponent({
    name: 'kubelet',
    // The scaffold's health server is the kubelet's healthz endpoint; --port is the kubelet API.
    options: { ...common, port: config.healthzPort, bindAddress: config.healthzBindAddress, leaderElect: false },
    shutdownTimeoutMs: 60_000,
    async run(ctx) {
      let kubelet: Kubelet | undefined;
      const runtime = await createRuntime(config, ctx.logger, () => kubelet?.podCIDR());
      kubelet = new Kubelet({ config, client: ctx.client, runtime, logger: ctx.logger, registry: ctx.registry });
      await kubelet.run(ctx.signal);
    },
  });
});

await cmd.parseAsync();
