// kube-controller-manager's own flags (upstream names, defaults and meaning), on top of the
// flags every component shares (shared/component/flags.ts). Durations are milliseconds.

import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import {
  componentCommand,
  parseBoolFlag,
  parseDurationFlag,
  parseIntFlag,
  parseNumberFlag,
} from '@minik8s/shared';
import { parseCidr } from './util/cidr.ts';

export const COMPONENT_NAME = 'kube-controller-manager';
export const DEFAULT_PORT = 10257;

export interface ControllerManagerOptions {
  /** The --controllers list as given: `*`, `name`, `-name`. */
  controllers: string[];
  concurrentReplicaSetSyncs: number;
  concurrentDeploymentSyncs: number;
  concurrentNamespaceSyncs: number;
  concurrentGCSyncs: number;
  concurrentEndpointSyncs: number;
  concurrentServiceEndpointSyncs: number;
  concurrentServiceAccountSyncs: number;
  concurrentDaemonSetSyncs: number;
  concurrentStatefulSetSyncs: number;
  concurrentJobSyncs: number;
  concurrentCronJobSyncs: number;
  concurrentTTLSyncs: number;
  /** Terminated pods kept before the pod GC deletes the oldest (0 = never). */
  terminatedPodGCThreshold: number;
  /** How often the namespace controller re-checks every namespace. */
  namespaceSyncPeriod: number;
  nodeMonitorPeriod: number;
  nodeMonitorGracePeriod: number;
  nodeStartupGracePeriod: number;
  nodeEvictionRate: number;
  secondaryNodeEvictionRate: number;
  largeClusterSizeThreshold: number;
  unhealthyZoneThreshold: number;
  allocateNodeCidrs: boolean;
  clusterCidr: string;
  nodeCidrMaskSize: number;
  /** --enable-garbage-collector=false turns the garbage collector off whatever --controllers says. */
  enableGarbageCollector: boolean;
}

function parseCidrFlag(v: string): string {
  try {
    parseCidr(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return v;
}

function parseControllersFlag(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function positiveInt(v: string): number {
  const n = parseIntFlag(v);
  if (n < 1) throw new InvalidArgumentError(`must be at least 1, got ${n}`);
  return n;
}

/** The command with every flag: the common ones, then the controller manager's. */
export function controllerManagerCommand(): Command {
  return componentCommand(COMPONENT_NAME, { port: DEFAULT_PORT })
    .description(
      'The Kubernetes controller manager of minik8s: the core control loops (replicaset, deployment, namespace, garbage collector, serviceaccount, endpoints, endpointslice, node lifecycle, taint eviction, node ipam, pod gc) in one process.',
    )
    .option(
      '--controllers <names>',
      "A list of controllers to enable. '*' enables all on-by-default controllers, 'foo' enables the controller named 'foo', '-foo' disables the controller named 'foo'.",
      parseControllersFlag,
      ['*'],
    )
    .option('--concurrent-replicaset-syncs <n>', 'The number of replica sets that are allowed to sync concurrently.', positiveInt, 5)
    .option('--concurrent-deployment-syncs <n>', 'The number of deployment objects that are allowed to sync concurrently.', positiveInt, 5)
    .option('--concurrent-namespace-syncs <n>', 'The number of namespace objects that are allowed to sync concurrently.', positiveInt, 10)
    .option('--concurrent-gc-syncs <n>', 'The number of garbage collector workers that are allowed to sync concurrently.', positiveInt, 20)
    .option('--concurrent-endpoint-syncs <n>', 'The number of endpoint syncing operations that will be done concurrently.', positiveInt, 5)
    .option('--concurrent-service-endpoint-syncs <n>', 'The number of service endpoint syncing operations that will be done concurrently (EndpointSlices).', positiveInt, 5)
    .option('--concurrent-serviceaccount-syncs <n>', 'The number of service account objects that are allowed to sync concurrently.', positiveInt, 1)
    .option('--concurrent-daemonset-syncs <n>', 'The number of daemonset objects that are allowed to sync concurrently.', positiveInt, 2)
    .option('--concurrent-statefulset-syncs <n>', 'The number of statefulset objects that are allowed to sync concurrently.', positiveInt, 5)
    .option('--concurrent-job-syncs <n>', 'The number of job objects that are allowed to sync concurrently.', positiveInt, 5)
    .option('--concurrent-cron-job-syncs <n>', 'The number of cronjob objects that are allowed to sync concurrently.', positiveInt, 5)
    .option('--concurrent-ttl-after-finished-syncs <n>', 'The number of TTL-after-finished controller workers that are allowed to sync concurrently.', positiveInt, 5)
    .option('--terminated-pod-gc-threshold <n>', 'Number of terminated pods that can exist before the terminated pod garbage collector starts deleting terminated pods. If <= 0, the terminated pod garbage collector is disabled.', parseIntFlag, 12500)
    .option('--namespace-sync-period <duration>', 'The period for syncing namespace life-cycle updates.', parseDurationFlag, 300_000)
    .option('--node-monitor-period <duration>', 'The period for syncing NodeStatus in the node lifecycle controller.', parseDurationFlag, 5_000)
    .option(
      '--node-monitor-grace-period <duration>',
      'Amount of time which we allow running Node to be unresponsive before marking it unhealthy. Must be N times more than kubelet\'s nodeStatusUpdateFrequency, where N means number of retries allowed for kubelet to post node status.',
      parseDurationFlag,
      40_000,
    )
    .option('--node-startup-grace-period <duration>', 'Amount of time which we allow starting Node to be unresponsive before marking it unhealthy.', parseDurationFlag, 60_000)
    .option('--node-eviction-rate <qps>', 'Number of nodes per second on which pods are deleted in case of node failure when a zone is healthy.', parseNumberFlag, 0.1)
    .option('--secondary-node-eviction-rate <qps>', 'Number of nodes per second on which pods are deleted in case of node failure when a zone is unhealthy.', parseNumberFlag, 0.01)
    .option('--large-cluster-size-threshold <n>', 'Number of nodes from which the node lifecycle controller treats the cluster as large for the eviction logic purposes.', parseIntFlag, 50)
    .option('--unhealthy-zone-threshold <fraction>', 'Fraction of Nodes in a zone which needs to be not Ready (minimum 3) for zone to be treated as unhealthy.', parseNumberFlag, 0.55)
    .option(
      '--allocate-node-cidrs [bool]',
      'Should CIDRs for Pods be allocated from --cluster-cidr to nodes (default true in minik8s, false upstream).',
      parseBoolFlag,
      true,
    )
    .option('--cluster-cidr <cidr>', 'CIDR Range for Pods in cluster.', parseCidrFlag, '10.244.0.0/16')
    .option('--node-cidr-mask-size <bits>', 'Mask size for node cidr in cluster.', parseIntFlag, 24)
    .option('--enable-garbage-collector [bool]', 'Enables the generic garbage collector.', parseBoolFlag, true);
}

/** The controller manager's flags of a parsed command, checked. */
export function controllerManagerOptions(cmd: Command): ControllerManagerOptions {
  const o = cmd.opts();
  const opts: ControllerManagerOptions = {
    controllers: o.controllers,
    concurrentReplicaSetSyncs: o.concurrentReplicasetSyncs,
    concurrentDeploymentSyncs: o.concurrentDeploymentSyncs,
    concurrentNamespaceSyncs: o.concurrentNamespaceSyncs,
    concurrentGCSyncs: o.concurrentGcSyncs,
    concurrentEndpointSyncs: o.concurrentEndpointSyncs,
    concurrentServiceEndpointSyncs: o.concurrentServiceEndpointSyncs,
    concurrentServiceAccountSyncs: o.concurrentServiceaccountSyncs,
    concurrentDaemonSetSyncs: o.concurrentDaemonsetSyncs,
    concurrentStatefulSetSyncs: o.concurrentStatefulsetSyncs,
    concurrentJobSyncs: o.concurrentJobSyncs,
    concurrentCronJobSyncs: o.concurrentCronJobSyncs,
    concurrentTTLSyncs: o.concurrentTtlAfterFinishedSyncs,
    terminatedPodGCThreshold: o.terminatedPodGcThreshold,
    namespaceSyncPeriod: o.namespaceSyncPeriod,
    nodeMonitorPeriod: o.nodeMonitorPeriod,
    nodeMonitorGracePeriod: o.nodeMonitorGracePeriod,
    nodeStartupGracePeriod: o.nodeStartupGracePeriod,
    nodeEvictionRate: o.nodeEvictionRate,
    secondaryNodeEvictionRate: o.secondaryNodeEvictionRate,
    largeClusterSizeThreshold: o.largeClusterSizeThreshold,
    unhealthyZoneThreshold: o.unhealthyZoneThreshold,
    allocateNodeCidrs: o.allocateNodeCidrs,
    clusterCidr: o.clusterCidr,
    nodeCidrMaskSize: o.nodeCidrMaskSize,
    enableGarbageCollector: o.enableGarbageCollector,
  };
  if (opts.nodeMonitorPeriod <= 0) throw new Error('--node-monitor-period must be positive');
  if (opts.nodeEvictionRate < 0 || opts.secondaryNodeEvictionRate < 0) throw new Error('eviction rates must not be negative');
  const cidr = parseCidr(opts.clusterCidr);
  if (opts.allocateNodeCidrs && (opts.nodeCidrMaskSize < cidr.prefix || opts.nodeCidrMaskSize > 32)) {
    throw new Error(`--node-cidr-mask-size ${opts.nodeCidrMaskSize} must be between the cluster CIDR's prefix (${cidr.prefix}) and 32`);
  }
  return opts;
}

/** Defaults, for controllers built in tests without parsing flags. */
export function defaultControllerManagerOptions(): ControllerManagerOptions {
  return controllerManagerOptions(controllerManagerCommand().exitOverride().parse([], { from: 'user' }));
}
