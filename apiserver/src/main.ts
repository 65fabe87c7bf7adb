#!/usr/bin/env node
// kube-apiserver: the only component that talks to etcd.

import { Command, Option } from 'commander';
import pino from 'pino';
import { ApiServer } from './apiserver.ts';
import { warmUpOpenAPI } from './openapi/index.ts';

function verbosityToLevel(v: number): pino.Level {
  if (v >= 6) return 'trace';
  if (v >= 4) return 'debug';
  return 'info';
}

const program = new Command('kube-apiserver')
  .description('The Kubernetes API server of minik8s: REST and watch over etcd, the only etcd client.')
  .option('--etcd-servers <urls>', 'comma-separated list of etcd servers to connect with (scheme://ip:port)', 'http://127.0.0.1:2379')
  .option('--etcd-prefix <prefix>', 'the prefix to prepend to all resource paths in etcd', '/registry')
  .option('--insecure-bind-address <ip>', 'the IP address on which to serve plain HTTP (no authentication)', '127.0.0.1')
  .option('--insecure-port <port>', 'the port on which to serve plain HTTP; 0 picks a free port and logs it', (v) => Number(v), 8080)
  .option('--service-cluster-ip-range <cidr>', 'a CIDR range from which to assign service cluster IPs', '10.96.0.0/12')
  .option('--service-node-port-range <range>', 'a port range to reserve for services with NodePort visibility', '30000-32767')
  .option('--default-not-ready-toleration-seconds <s>', 'tolerationSeconds of the not-ready:NoExecute toleration added to every pod that has none', (v) => Number(v), 300)
  .option('--default-unreachable-toleration-seconds <s>', 'tolerationSeconds of the unreachable:NoExecute toleration added to every pod that has none', (v) => Number(v), 300)
  .option('--profiling', 'serve /debug/memory (process memory after a full GC when node runs with --expose-gc)', false)
  .option('--watch-cache-size <n>', 'how many recent events each resource keeps for watches that start in the past', (v) => Number(v), 10_000)
  .addOption(new Option('--v <level>', 'log verbosity: 0 info, 3 adds one log line per request, 4 debug, 6 trace').argParser((v) => Number(v)).default(0))
  .showHelpAfterError();

program.parse();
const opts = program.opts<{
  etcdServers: string;
  etcdPrefix: string;
  insecureBindAddress: string;
  insecurePort: number;
  serviceClusterIpRange: string;
  serviceNodePortRange: string;
  watchCacheSize: number;
  profiling: boolean;
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
  v: number;
}>();

const logger = pino({ name: 'kube-apiserver', level: verbosityToLevel(opts.v) });
const server = new ApiServer({
  etcdServers: opts.etcdServers.split(',').map((s) => s.trim()).filter(Boolean),
  etcdPrefix: opts.etcdPrefix,
  logger,
  logRequests: opts.v >= 3,
  watchCacheSize: opts.watchCacheSize,
  profiling: opts.profiling,
  defaultNotReadyTolerationSeconds: opts.defaultNotReadyTolerationSeconds,
  defaultUnreachableTolerationSeconds: opts.defaultUnreachableTolerationSeconds,
  serviceClusterIPRange: opts.serviceClusterIpRange,
  serviceNodePortRange: opts.serviceNodePortRange,
});

server.start();
const address = await server.app.listen({ host: opts.insecureBindAddress, port: opts.insecurePort });
logger.info({ url: address, etcdServers: opts.etcdServers }, 'kube-apiserver listening');
// Build the OpenAPI documents and validators now rather than on the first kubectl apply.
warmUpOpenAPI();

let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: sig }, 'shutting down');
    // Open watches would hold close() forever: end them first.
    server.registry.stop();
    void server.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
