// The kube-scheduler's work inside the shared component scaffold: it runs while this process
// leads (Lease kube-system/kube-scheduler) and stops when the context's signal aborts.
//
//  1. Informers: pending pods, scheduled pods and nodes (plus services, ReplicaSets and
//     StatefulSets, whose selectors default topology spreading uses).
//  2. Handlers feed the cache and the queue; scheduling starts only once every informer has
//     synced, so no pod is placed against a partial view of the nodes and their pods.
//  3. On stop: no new pod is taken, bindings in flight finish, queued events are flushed
//     (for at most a few seconds).

import type { ComponentContext, KubeObject } from '@minik8s/shared';
import { addAllEventHandlers } from './event-handlers.ts';
import { SchedulerMetrics } from './metrics.ts';
import { Scheduler } from './scheduler.ts';
import type { Node, Pod } from './types.ts';
import { DEFAULT_SCHEDULER_NAME } from './types.ts';

/** Pods waiting for a node (upstream's unassigned, non-terminal pods). */
export const PENDING_PODS_FIELD_SELECTOR = 'spec.nodeName=,status.phase!=Succeeded,status.phase!=Failed';
/** Pods on nodes that still use their node's resources. */
export const SCHEDULED_PODS_FIELD_SELECTOR = 'spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed';

export interface RunSchedulerOptions {
  /** Binding cycles in flight at once (default 128). */
  maxInFlightBindings?: number;
}

export async function runScheduler(ctx: ComponentContext, opts: RunSchedulerOptions = {}): Promise<void> {
  const f = ctx.informerFactory;
  const pendingPods = f.informerFor<Pod>('pods', { fieldSelector: PENDING_PODS_FIELD_SELECTOR });
  const scheduledPods = f.informerFor<Pod>('pods', { fieldSelector: SCHEDULED_PODS_FIELD_SELECTOR });
  const nodes = f.informerFor<Node>('nodes');
  const services = f.informerFor<KubeObject>('services');
  const replicaSets = f.informerFor<KubeObject>('replicasets.apps');
  const statefulSets = f.informerFor<KubeObject>('statefulsets.apps');

  const metrics = new SchedulerMetrics(ctx.registry, DEFAULT_SCHEDULER_NAME);
  const recorder = ctx.eventRecorder(DEFAULT_SCHEDULER_NAME);
  const sched = new Scheduler({
    client: ctx.client,
    listers: {
      services: (ns) => services.list(ns),
      replicaSet: (ns, name) => replicaSets.get(ns, name),
      statefulSet: (ns, name) => statefulSets.get(ns, name),
      replicationController: () => undefined, // not served by minik8s
    },
    pendingPod: (ns, name) => pendingPods.get(ns, name),
    metrics,
    recorder,
    logger: ctx.logger,
    maxInFlightBindings: opts.maxInFlightBindings,
  });
  addAllEventHandlers(sched, { pendingPods, scheduledPods, nodes });

  f.start(ctx.signal);
  if (!(await f.waitForCacheSync(ctx.signal))) return;
  ctx.logger.info({ nodes: sched.cache.nodeCount(), pending: sched.queue.sizes().active }, 'caches synced, scheduling');
  await sched.run(ctx.signal);
}
