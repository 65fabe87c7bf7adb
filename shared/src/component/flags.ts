// The flags every minik8s daemon shares, with upstream's names, defaults and meaning, on a
// commander Command that the component extends with its own flags.
//
//   const cmd = componentCommand('kube-scheduler', { port: 10259 })
//     .option('--config <file>', 'The path to the configuration file.');
//   cmd.action(() => runComponent({ name: 'kube-scheduler', options: commonOptions(cmd), run }));
//   await cmd.parseAsync();

import { Command, InvalidArgumentError } from 'commander';
import { parseDuration } from './duration.ts';

export interface ComponentFlagDefaults {
  /** Default of --port (health and metrics), e.g. 10259 for the scheduler. */
  port: number;
  /** Default of --leader-elect-resource-name (default: the component name). */
  leaderElectResourceName?: string;
  /** Default of --leader-elect (default true). */
  leaderElect?: boolean;
  bindAddress?: string;
}

/** The parsed common flags; durations in milliseconds. */
export interface CommonOptions {
  kubeconfig?: string;
  master?: string;
  v: number;
  leaderElect: boolean;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
  leaderElectResourceName: string;
  leaderElectResourceNamespace: string;
  bindAddress: string;
  port: number;
  kubeApiQps: number;
  kubeApiBurst: number;
}

export function parseBoolFlag(v: string): boolean {
  if (['true', 't', '1', 'True', 'TRUE'].includes(v)) return true;
  if (['false', 'f', '0', 'False', 'FALSE'].includes(v)) return false;
  throw new InvalidArgumentError(`invalid boolean "${v}"`);
}

export function parseDurationFlag(v: string): number {
  try {
    return parseDuration(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

export function parseIntFlag(v: string): number {
  if (!/^-?[0-9]+$/.test(v)) throw new InvalidArgumentError(`invalid integer "${v}"`);
  return Number(v);
}

export function parsePortFlag(v: string): number {
  const n = parseIntFlag(v);
  if (n < 0 || n > 65535) throw new InvalidArgumentError(`port ${n} is out of range 0-65535`);
  return n;
}

export function parseNumberFlag(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`invalid number "${v}"`);
  return n;
}

/** A Command named after the component, carrying the common flags. */
export function componentCommand(name: string, defaults: ComponentFlagDefaults): Command {
  const cmd = new Command(name);
  cmd
    .allowExcessArguments(false)
    .option('--kubeconfig <path>', 'Path to a kubeconfig file with authorization and master location information.')
    .option('--master <url>', 'The address of the Kubernetes API server (overrides any value in kubeconfig).')
    .option('--v <level>', 'Number for the log level verbosity: 0-3 info, 4-5 debug, 6+ trace.', parseIntFlag, 0)
    .option(
      '--leader-elect [bool]',
      'Start a leader election client and gain leadership before executing the main loop. Enable this when running replicated components for high availability.',
      parseBoolFlag,
      defaults.leaderElect ?? true,
    )
    .option(
      '--leader-elect-lease-duration <duration>',
      'The duration that non-leader candidates will wait after observing a leadership renewal until attempting to acquire leadership of a led but unrenewed leader slot. This is effectively the maximum duration that a leader can be stopped before it is replaced by another candidate.',
      parseDurationFlag,
      15_000,
    )
    .option(
      '--leader-elect-renew-deadline <duration>',
      'The interval between attempts by the acting master to renew a leadership slot before it stops leading. This must be less than the lease duration.',
      parseDurationFlag,
      10_000,
    )
    .option(
      '--leader-elect-retry-period <duration>',
      'The duration the clients should wait between attempting acquisition and renewal of a leadership.',
      parseDurationFlag,
      2_000,
    )
    .option(
      '--leader-elect-resource-name <name>',
      'The name of the Lease object that is used for locking during leader election.',
      defaults.leaderElectResourceName ?? name,
    )
    .option(
      '--leader-elect-resource-namespace <namespace>',
      'The namespace of the Lease object that is used for locking during leader election.',
      'kube-system',
    )
    .option(
      '--bind-address <ip>',
      'The IP address on which to listen for the --port port (health and metrics).',
      defaults.bindAddress ?? '0.0.0.0',
    )
    .option(
      '--port <port>',
      'The port on which to serve /healthz, /livez, /readyz and /metrics. 0 picks a free port and logs it.',
      parsePortFlag,
      defaults.port,
    )
    .option('--kube-api-qps <qps>', 'QPS to use while talking with kubernetes apiserver.', parseNumberFlag, 50)
    .option('--kube-api-burst <burst>', 'Burst to use while talking with kubernetes apiserver.', parseIntFlag, 100);
  return cmd;
}

/** The common flags of a parsed command, typed and checked (leader election timings). */
export function commonOptions(cmd: Command): CommonOptions {
  const o = cmd.opts();
  const opts: CommonOptions = {
    kubeconfig: o.kubeconfig,
    master: o.master,
    v: o.v,
    leaderElect: o.leaderElect,
    leaderElectLeaseDuration: o.leaderElectLeaseDuration,
    leaderElectRenewDeadline: o.leaderElectRenewDeadline,
    leaderElectRetryPeriod: o.leaderElectRetryPeriod,
    leaderElectResourceName: o.leaderElectResourceName,
    leaderElectResourceNamespace: o.leaderElectResourceNamespace,
    bindAddress: o.bindAddress,
    port: o.port,
    kubeApiQps: o.kubeApiQps,
    kubeApiBurst: o.kubeApiBurst,
  };
  if (opts.leaderElect) {
    if (!(opts.leaderElectLeaseDuration > opts.leaderElectRenewDeadline)) {
      throw new Error('--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline');
    }
    if (!(opts.leaderElectRenewDeadline > opts.leaderElectRetryPeriod)) {
      throw new Error('--leader-elect-renew-deadline must be greater than --leader-elect-retry-period');
    }
  }
  return opts;
}
