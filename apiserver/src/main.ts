#!/usr/bin/env node
// kube-apiserver: the only component that talks to etcd.

import { isIP } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { ApiServer } from './apiserver.ts';
import { warmUpOpenAPI } from './openapi/index.ts';
import { ServiceCIDR } from './registry/allocators/service-cidr.ts';
import { loadServingCert, ServingCertError, type ServingCert } from './http/tls/serving-cert.ts';

function verbosityToLevel(v: number): pino.Level {
  if (v >= 6) return 'trace';
  if (v >= 4) return 'debug';
  return 'info';
}

/** --secure-port: a port, 0 for a free one, or -1 for none (upstream's 0 means none; here 0 picks a free port, as for every port). */
function parseSecurePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < -1 || n > 65535) throw new InvalidArgumentError('must be -1 (off), 0 (a free port) or a port up to 65535');
  return n;
}

/** An IP address flag (upstream's pflag IPVar). */
function parseIP(v: string): string {
  if (isIP(v) === 0) throw new InvalidArgumentError(`failed to parse IP: ${JSON.stringify(v)}`);
  return v;
}

/** A configuration error: one line on stderr, exit 1 (no stack trace: nothing is broken but the flags). */
function exitWithError(message: string): never {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
}

const program = new Command('kube-apiserver')
  .description('The Kubernetes API server of minik8s: REST and watch over etcd, the only etcd client.')
  .option('--etcd-servers <urls>', 'comma-separated list of etcd servers to connect with (scheme://ip:port)', 'http://127.0.0.1:2379')
  .option('--etcd-prefix <prefix>', 'the prefix to prepend to all resource paths in etcd', '/registry')
  .option('--insecure-bind-address <ip>', 'the IP address on which to serve plain HTTP (no authentication)', '127.0.0.1')
  .option('--insecure-port <port>', 'the port on which to serve plain HTTP; 0 picks a free port and logs it', (v) => Number(v), 8080)
  .option(
    '--secure-port <port>',
    'the port on which to serve HTTPS; 0 picks a free port and logs it, -1 turns HTTPS off. There is no authentication or authorization yet: ' +
      'every request over HTTPS, anonymous included, has full access, as on the insecure port',
    parseSecurePort,
    6443,
  )
  .option('--bind-address <ip>', 'the IP address on which to serve --secure-port (0.0.0.0 for all IPv4 interfaces, :: for all interfaces)', '0.0.0.0')
  .option(
    '--advertise-address <ip>',
    'The IP address on which to advertise the apiserver to members of the cluster. This address must be reachable by the rest of the cluster. ' +
      "If blank, the --bind-address will be used. If --bind-address is unspecified, the host's default interface will be used.",
    parseIP,
  )
  .option(
    '--tls-cert-file <path>',
    'file with the x509 certificate for HTTPS (PEM, the serving certificate first, then any intermediates); with --tls-private-key-file. ' +
      'Without them a self-signed CA and serving certificate are generated into --cert-dir',
  )
  .option('--tls-private-key-file <path>', 'file with the PEM private key matching --tls-cert-file')
  .option(
    '--cert-dir <dir>',
    'the directory of the generated self-signed pair: apiserver.crt (the serving certificate, then its CA: what clients trust) and apiserver.key, ' +
      'reused while valid; ignored with --tls-cert-file. "" keeps the pair in memory only, as does an unwritable default (with a warning)',
    '/var/run/kubernetes',
  )
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
  securePort: number;
  bindAddress: string;
  advertiseAddress?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  certDir: string;
  serviceClusterIpRange: string;
  serviceNodePortRange: string;
  watchCacheSize: number;
  profiling: boolean;
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
  v: number;
}>();

const logger = pino({ name: 'kube-apiserver', level: verbosityToLevel(opts.v) });

// The serving certificate comes first: a bad --tls-* file ends the process before etcd is touched.
let servingCert: ServingCert | undefined;
if (opts.securePort >= 0) {
  let serviceIP: string;
  try {
    serviceIP = ServiceCIDR.parse(opts.serviceClusterIpRange).ipAt(0);
  } catch (err) {
    exitWithError((err as Error).message);
  }
  try {
    servingCert = await loadServingCert({
      certFile: opts.tlsCertFile,
      keyFile: opts.tlsPrivateKeyFile,
      certDir: opts.certDir,
      certDirIsDefault: program.getOptionValueSource('certDir') === 'default',
      bindAddress: opts.bindAddress,
      serviceIP,
      warn: (message) => logger.warn(message),
    });
  } catch (err) {
    if (err instanceof ServingCertError) exitWithError(err.message);
    throw err;
  }
  const { source, certFile, keyFile } = servingCert;
  logger.info({ source, certFile, keyFile }, source === 'cert-dir-generated' ? 'generated a self-signed serving certificate' : 'serving certificate loaded');
}

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
  ...(opts.advertiseAddress !== undefined ? { advertiseAddress: opts.advertiseAddress } : {}),
});

// The secure port is bound before the insecure one: a client that sees the insecure /readyz
// answer can use HTTPS at once. And before start(): the `kubernetes` Service's first pass then
// knows the port bound (--secure-port=0 picks one) and the address to advertise.
if (servingCert) {
  const { cert, key } = servingCert;
  try {
    const url = await server.listenSecure({ host: opts.bindAddress, port: opts.securePort, cert, key });
    logger.info({ url, bindAddress: opts.bindAddress, advertiseAddress: server.advertiseAddress }, 'kube-apiserver listening securely');
  } catch (err) {
    exitWithError(`cannot serve HTTPS on --bind-address=${opts.bindAddress} --secure-port=${opts.securePort}: ${(err as Error).message}`);
  }
}
server.start();
let address: string;
try {
  address = await server.app.listen({ host: opts.insecureBindAddress, port: opts.insecurePort });
} catch (err) {
  exitWithError(`cannot serve HTTP on --insecure-bind-address=${opts.insecureBindAddress} --insecure-port=${opts.insecurePort}: ${(err as Error).message}`);
}
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
