// The controllers this process knows, by upstream's canonical names and aliases
// (cmd/kube-controller-manager/names), and the --controllers selection rules:
//   '*' enables every controller on by default, 'foo' enables foo, '-foo' disables foo;
//   an explicit name wins over '*', and an unknown name is an error.
// Issue 7's controllers (daemonset, statefulset, job, cronjob) register here the same way.

import type { ControllerContext } from './controller-context.ts';
import type { Runnable } from './controller.ts';
import { ReplicaSetController, REPLICASET_CONTROLLER } from './controllers/replicaset/replicaset-controller.ts';
import { DeploymentController, DEPLOYMENT_CONTROLLER } from './controllers/deployment/deployment-controller.ts';
import { NamespaceController, NAMESPACE_CONTROLLER } from './controllers/namespace/namespace-controller.ts';
import { GarbageCollector, GARBAGE_COLLECTOR_CONTROLLER } from './controllers/garbagecollector/garbage-collector.ts';
import { ServiceAccountsController, SERVICEACCOUNT_CONTROLLER } from './controllers/serviceaccount/serviceaccounts-controller.ts';
import { EndpointsController, ENDPOINTS_CONTROLLER } from './controllers/endpoint/endpoints-controller.ts';
import { EndpointSliceController, ENDPOINTSLICE_CONTROLLER } from './controllers/endpointslice/endpointslice-controller.ts';
import { NodeLifecycleController, NODE_LIFECYCLE_CONTROLLER } from './controllers/nodelifecycle/node-lifecycle-controller.ts';
import { TaintEvictionController, TAINT_EVICTION_CONTROLLER } from './controllers/tainteviction/taint-eviction-controller.ts';
import { NodeIpamController, NODE_IPAM_CONTROLLER } from './controllers/nodeipam/node-ipam-controller.ts';
import { PodGCController, POD_GC_CONTROLLER } from './controllers/podgc/pod-gc-controller.ts';
import { DaemonSetController, DAEMONSET_CONTROLLER } from './controllers/daemonset/daemonset-controller.ts';
import { StatefulSetController, STATEFULSET_CONTROLLER } from './controllers/statefulset/statefulset-controller.ts';
import { JobController, JOB_CONTROLLER } from './controllers/job/job-controller.ts';
import { TTLAfterFinishedController, TTL_AFTER_FINISHED_CONTROLLER } from './controllers/job/ttl-after-finished-controller.ts';
import { CronJobController, CRONJOB_CONTROLLER } from './controllers/cronjob/cronjob-controller.ts';

export interface ControllerDescriptor {
  name: string;
  aliases: string[];
  /** Not started by '*' (upstream isDisabledByDefault). */
  disabledByDefault?: boolean;
  /** Builds the controller (registering its informers); undefined when options turn it off. */
  init(ctx: ControllerContext): Runnable | undefined;
}

export const CONTROLLER_DESCRIPTORS: readonly ControllerDescriptor[] = [
  { name: REPLICASET_CONTROLLER, aliases: ['replicaset'], init: (ctx) => new ReplicaSetController(ctx) },
  { name: DEPLOYMENT_CONTROLLER, aliases: ['deployment'], init: (ctx) => new DeploymentController(ctx) },
  { name: NAMESPACE_CONTROLLER, aliases: ['namespace'], init: (ctx) => new NamespaceController(ctx) },
  {
    name: GARBAGE_COLLECTOR_CONTROLLER,
    aliases: ['garbagecollector'],
    init: (ctx) => (ctx.options.enableGarbageCollector ? new GarbageCollector(ctx) : undefined),
  },
  { name: SERVICEACCOUNT_CONTROLLER, aliases: ['serviceaccount'], init: (ctx) => new ServiceAccountsController(ctx) },
  { name: ENDPOINTS_CONTROLLER, aliases: ['endpoint'], init: (ctx) => new EndpointsController(ctx) },
  { name: ENDPOINTSLICE_CONTROLLER, aliases: ['endpointslice'], init: (ctx) => new EndpointSliceController(ctx) },
  { name: NODE_LIFECYCLE_CONTROLLER, aliases: ['nodelifecycle'], init: (ctx) => new NodeLifecycleController(ctx) },
  { name: TAINT_EVICTION_CONTROLLER, aliases: ['tainteviction'], init: (ctx) => new TaintEvictionController(ctx) },
  {
    name: NODE_IPAM_CONTROLLER,
    aliases: ['nodeipam'],
    init: (ctx) => (ctx.options.allocateNodeCidrs ? new NodeIpamController(ctx) : undefined),
  },
  { name: POD_GC_CONTROLLER, aliases: ['podgc'], init: (ctx) => new PodGCController(ctx) },
  { name: DAEMONSET_CONTROLLER, aliases: ['daemonset'], init: (ctx) => new DaemonSetController(ctx) },
  { name: STATEFULSET_CONTROLLER, aliases: ['statefulset'], init: (ctx) => new StatefulSetController(ctx) },
  { name: JOB_CONTROLLER, aliases: ['job'], init: (ctx) => new JobController(ctx) },
  { name: TTL_AFTER_FINISHED_CONTROLLER, aliases: ['ttl-after-finished'], init: (ctx) => new TTLAfterFinishedController(ctx) },
  { name: CRONJOB_CONTROLLER, aliases: ['cronjob'], init: (ctx) => new CronJobController(ctx) },
];

function lookup(descriptors: readonly ControllerDescriptor[], name: string): ControllerDescriptor | undefined {
  return descriptors.find((d) => d.name === name || d.aliases.includes(name));
}

/** Throws for a name that is neither a controller nor an alias (upstream's validation). */
export function validateControllers(list: string[], descriptors: readonly ControllerDescriptor[] = CONTROLLER_DESCRIPTORS): void {
  for (const item of list) {
    if (item === '*') continue;
    const name = item.startsWith('-') ? item.slice(1) : item;
    if (!lookup(descriptors, name)) {
      throw new Error(`"${name}" is not in the list of known controllers: ${descriptors.map((d) => d.name).join(', ')}`);
    }
  }
}

/** Is `descriptor` enabled by the --controllers list? (upstream IsControllerEnabled) */
export function isControllerEnabled(descriptor: ControllerDescriptor, list: string[]): boolean {
  const names = [descriptor.name, ...descriptor.aliases];
  let star = false;
  for (const item of list) {
    if (names.includes(item)) return true;
    if (item.startsWith('-') && names.includes(item.slice(1))) return false;
    if (item === '*') star = true;
  }
  return star && !descriptor.disabledByDefault;
}

/** The descriptors `list` enables, in registration order. */
export function enabledControllers(list: string[], descriptors: readonly ControllerDescriptor[] = CONTROLLER_DESCRIPTORS): ControllerDescriptor[] {
  validateControllers(list, descriptors);
  return descriptors.filter((d) => isControllerEnabled(d, list));
}
