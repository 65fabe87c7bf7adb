// Informer events -> cache and queue (upstream eventhandlers.go). Three informers feed it:
//   pending pods   (spec.nodeName= and not finished): the queue, for pods this scheduler owns;
//   scheduled pods (spec.nodeName!= and not finished): the cache, and wake-ups for waiting pods;
//   nodes: the cache, and wake-ups for waiting pods.
// A pod moves from the first informer to the second when it is bound (a DELETED on one watch,
// an ADDED on the other, in either order), and leaves the second when it finishes.

import type { ResourceEventHandler } from '@minik8s/shared';
import { AssignedPodAdd, AssignedPodDelete, NodeAdd } from './framework/cluster-event.ts';
import { nodeSchedulingPropertiesChange, podSchedulingPropertiesChange } from './queue/pod-changes.ts';
import type { Scheduler } from './scheduler.ts';
import type { Node, Pod } from './types.ts';

/** A pod with scheduling gates waits outside the queue until the last gate is removed. */
function gated(pod: Pod): boolean {
  return (pod.spec?.schedulingGates?.length ?? 0) > 0;
}

export interface InformerLike<T> {
  addEventHandler(handler: ResourceEventHandler<T>): unknown;
}

export class SchedulerEventHandlers {
  private readonly sched: Scheduler;

  constructor(sched: Scheduler) {
    this.sched = sched;
  }

  readonly pendingPods: ResourceEventHandler<Pod> = {
    onAdd: (pod) => {
      if (this.sched.responsibleForPod(pod) && !gated(pod)) this.sched.queue.add(pod);
    },
    onUpdate: (oldPod, newPod) => {
      if (oldPod.metadata.resourceVersion === newPod.metadata.resourceVersion) return; // a relist re-delivery
      // Its binding is in flight: the informer will drop it shortly.
      if (this.sched.cache.isAssumedPod(newPod)) return;
      if (!this.sched.responsibleForPod(newPod) || gated(newPod)) {
        this.sched.queue.delete(newPod);
        return;
      }
      if (gated(oldPod)) {
        this.sched.queue.add(newPod); // its last scheduling gate was just removed
        return;
      }
      this.sched.queue.update(oldPod, newPod);
    },
    onDelete: (pod) => {
      // Deleted, or bound (it left the spec.nodeName= selection): either way not pending any more.
      this.sched.queue.delete(pod);
    },
  };

  readonly scheduledPods: ResourceEventHandler<Pod> = {
    onAdd: (pod) => {
      this.sched.cache.addPod(pod);
      this.sched.queue.moveAllToActiveOrBackoffQueue(AssignedPodAdd, undefined, pod);
    },
    onUpdate: (oldPod, newPod) => {
      if (oldPod.metadata.resourceVersion === newPod.metadata.resourceVersion) return;
      this.sched.cache.updatePod(oldPod, newPod);
      for (const ev of podSchedulingPropertiesChange(oldPod, newPod, 'AssignedPod')) {
        this.sched.queue.moveAllToActiveOrBackoffQueue(ev, oldPod, newPod);
      }
    },
    onDelete: (pod) => {
      // Deleted or finished (it left the phase selection): what it used is free again.
      this.sched.cache.removePod(pod);
      this.sched.queue.moveAllToActiveOrBackoffQueue(AssignedPodDelete, pod, undefined);
    },
  };

  readonly nodes: ResourceEventHandler<Node> = {
    onAdd: (node) => {
      this.sched.cache.addNode(node);
      this.sched.queue.moveAllToActiveOrBackoffQueue(NodeAdd, undefined, node);
    },
    onUpdate: (oldNode, newNode) => {
      if (oldNode.metadata.resourceVersion === newNode.metadata.resourceVersion) return;
      this.sched.cache.updateNode(oldNode, newNode);
      for (const ev of nodeSchedulingPropertiesChange(oldNode, newNode)) this.sched.queue.moveAllToActiveOrBackoffQueue(ev, oldNode, newNode);
    },
    onDelete: (node) => {
      this.sched.cache.removeNode(node);
    },
  };
}

export function addAllEventHandlers(sched: Scheduler, informers: { pendingPods: InformerLike<Pod>; scheduledPods: InformerLike<Pod>; nodes: InformerLike<Node> }): SchedulerEventHandlers {
  const h = new SchedulerEventHandlers(sched);
  informers.nodes.addEventHandler(h.nodes);
  informers.scheduledPods.addEventHandler(h.scheduledPods);
  informers.pendingPods.addEventHandler(h.pendingPods);
  return h;
}
