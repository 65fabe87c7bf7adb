// kube-proxy's command line, with upstream's flag names and defaults where they exist:
//
//   node kube-proxy/src/main.ts --master=http://127.0.0.1:8080 --hostname-override=node-1 \
//     --proxy-mode=userspace --healthz-port=10256 --metrics-port=10249 [--bind-address=127.0.0.1]
//   node kube-proxy/src/main.ts --cleanup     # removes the iptables mode's rules, then exits
//
// kube-proxy runs on every node and takes no leader lease. Its two HTTP servers are the
// proxier health server (--healthz-bind-address:--healthz-port, 10256) and the metrics server
// (--metrics-bind-address:--metrics-port, 10249, which also answers /healthz as upstream's).

import { Command, InvalidArgumentError, Option } from 'commander';
import { parseBoolFlag, parseDurationFlag, parseIntFlag, parseNumberFlag, parsePortFlag, type CommonOptions } from '@minik8s/shared';
import type { KubeProxyOptions } from './proxy-server.ts';
import type { ProxyMode } from './proxier/proxier.ts';

export interface ParsedKubeProxyFlags {
  common: CommonOptions;
  proxy: KubeProxyOptions;
  /** --cleanup: remove the iptables rules and exit, instead of running. */
  cleanup: boolean;
}

/** upstream's host:port flags also accept a bare IP: returns [host, port or undefined]. */
function splitHostPort(v: string): [string, number | undefined] {
  const m = /^(.*):(\d+)$/.exec(v);
  if (m && !m[1]!.includes(':')) return [m[1]!, Number(m[2])];
  return [v, undefined];
}

export function kubeProxyCommand(): Command {
  return new Command('kube-proxy')
    .description('The Kubernetes network proxy of minik8s: forwards each Service node port to the ready endpoints of its EndpointSlices.')
    .allowExcessArguments(false)
    .option('--kubeconfig <path>', 'Path to kubeconfig file with authorization information (the master location can be overridden by the master flag).')
    .option('--master <url>', 'The address of the Kubernetes API server (overrides any value in kubeconfig).')
    .option('--hostname-override <name>', 'If non-empty, will be used as the name of the Node that kube-proxy is running on.')
    .addOption(new Option('--proxy-mode <mode>', "Which proxy mode to use: 'userspace' (forwarding in this process) or 'iptables' (Linux, root).").choices(['userspace', 'iptables']).default('userspace'))
    .option('--cleanup', 'If true cleanup iptables rules and exit.', false)
    .addOption(
      new Option('--iptables-localhost-nodeports [bool]', 'If false, kube-proxy will disable the legacy behavior of allowing NodePort services to be accessed via localhost. This only applies to iptables mode and IPv4.')
        .argParser(parseBoolFlag)
        .default(true),
    )
    .option('--bind-address <ip>', 'The IP address node ports listen on in userspace mode (0.0.0.0 for all IPv4 interfaces).', '0.0.0.0')
    .option('--healthz-bind-address <ip[:port]>', 'The IP address (and port) for the health check server to serve on.', '0.0.0.0')
    .option('--healthz-port <port>', 'The port of the health check server; 0 picks a free port and logs it.', parsePortFlag, 10256)
    .option('--metrics-bind-address <ip[:port]>', 'The IP address (and port) for the metrics server to serve on.', '127.0.0.1')
    .option('--metrics-port <port>', 'The port of the metrics server (/metrics, /healthz); 0 picks a free port and logs it.', parsePortFlag, 10249)
    .option('--sync-period <duration>', 'An interval (e.g. 5s, 1m) indicating how frequently the proxier resyncs everything. Must be greater than 0.', parseDurationFlag, 30_000)
    .option('--min-sync-period <duration>', 'The minimum period between proxier resyncs (e.g. 1s). 0 means every Service or EndpointSlice change results in an immediate resync.', parseDurationFlag, 1_000)
    .option('--config-sync-period <duration>', 'How often configuration from the apiserver is refreshed. Must be greater than 0.', parseDurationFlag, 15 * 60_000)
    .option('--kube-api-qps <qps>', 'QPS to use while talking with kubernetes apiserver.', parseNumberFlag, 5)
    .option('--kube-api-burst <burst>', 'Burst to use while talking with kubernetes apiserver.', parseIntFlag, 10)
    .option('--v <level>', 'Number for the log level verbosity: 0-3 info, 4-5 debug, 6+ trace.', parseIntFlag, 0);
}

export function parseKubeProxyFlags(cmd: Command): ParsedKubeProxyFlags {
  const o = cmd.opts();
  const [healthzHost, healthzPort] = splitHostPort(o.healthzBindAddress);
  const [metricsHost, metricsPort] = splitHostPort(o.metricsBindAddress);
  if (!(o.syncPeriod > 0)) throw new InvalidArgumentError('--sync-period must be greater than 0');
  if (o.minSyncPeriod > o.syncPeriod) throw new InvalidArgumentError('--min-sync-period must not exceed --sync-period');
  const common: CommonOptions = {
    kubeconfig: o.kubeconfig,
    master: o.master,
    v: o.v,
    leaderElect: false,
    leaderElectLeaseDuration: 15_000,
    leaderElectRenewDeadline: 10_000,
    leaderElectRetryPeriod: 2_000,
    leaderElectResourceName: 'kube-proxy',
    leaderElectResourceNamespace: 'kube-system',
    bindAddress: metricsHost,
    port: metricsPort ?? o.metricsPort,
    kubeApiQps: o.kubeApiQps,
    kubeApiBurst: o.kubeApiBurst,
  };
  const proxy: KubeProxyOptions = {
    proxyMode: o.proxyMode as ProxyMode,
    bindAddress: o.bindAddress,
    healthzBindAddress: healthzHost,
    healthzPort: healthzPort ?? o.healthzPort,
    syncPeriodMs: o.syncPeriod,
    minSyncPeriodMs: o.minSyncPeriod,
    configSyncPeriodMs: o.configSyncPeriod,
    iptablesLocalhostNodePorts: o.iptablesLocalhostNodeports !== false,
    ...(o.hostnameOverride ? { hostnameOverride: o.hostnameOverride } : {}),
  };
  return { common, proxy, cleanup: o.cleanup === true };
}
