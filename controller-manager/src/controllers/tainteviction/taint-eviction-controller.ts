// The taint eviction controller (upstream pkg/controller/tainteviction, formerly the node
// lifecycle controller's NoExecuteTaintManager): pods on a node with NoExecute taints are
// deleted, at once when some taint is not tolerated, otherwise once the shortest
// tolerationSeconds of the matching tolerations has passed since we first saw them tainted
// (tolerations without tolerationSeconds tolerate forever). The admission plugin
// DefaultTolerationSeconds gives every pod 300 s for not-ready and unreachable.
//
// Keys are pod keys. A scheduled eviction is remembered with the time it was first scheduled,
// and reconcile requeues the pod for its trigger time; when the taints go away or the pod
// gains a forever toleration, the eviction is cancelled.

import type { KubeObject, SharedIndexInformer } from '@minik8s/shared';
import { NODE_NAME_INDEX, isConflict, isNotFound, nodeNameIndexFunc, splitMetaNamespaceKey } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import type { EventRecorder } from '@minik8s/shared';
import { objectReference, rfc3339 } from '@minik8s/shared';
import { deepEqual } from '../../util/equality.ts';
import { getMatchingTolerations, minTolerationTimeMs, type Taint, type Toleration } from '../../util/taints.ts';

export const TAINT_EVICTION_CONTROLLER = 'taint-eviction-controller';

interface ScheduledEviction {
  createdAt: number;
  triggerAt: number;
  podUid: string;
}

function noExecuteTaints(node: KubeObject | undefined): Taint[] {
  return ((node?.spec?.taints ?? []) as Taint[]).filter((t) => t.effect === 'NoExecute');
}

export class TaintEvictionController extends Controller {
  private readonly nodes: SharedIndexInformer;
  private readonly pods: SharedIndexInformer;
  private readonly recorder: EventRecorder;
  private readonly scheduled = new Map<string, ScheduledEviction>();

  constructor(ctx: ControllerContext) {
    super(ctx, { name: TAINT_EVICTION_CONTROLLER, workers: 8 });
    this.recorder = ctx.eventRecorder(TAINT_EVICTION_CONTROLLER);
    this.nodes = ctx.informerFactory.informerFor('nodes');
    this.pods = ctx.informerFactory.informerFor('pods', { indexers: { [NODE_NAME_INDEX]: nodeNameIndexFunc } });
    this.watch(this.nodes, {
      onAdd: (n) => this.nodeChanged(undefined, n),
      onUpdate: (o, n) => this.nodeChanged(o, n),
    });
    this.watch(this.pods, {
      onAdd: (p) => this.podChanged(p),
      onUpdate: (o, p) => {
        if (o.spec?.nodeName !== p.spec?.nodeName || !deepEqual(o.spec?.tolerations, p.spec?.tolerations)) this.podChanged(p);
      },
      onDelete: (p) => this.scheduled.delete(podKeyOf(p)),
    });
  }

  private nodeChanged(old: KubeObject | undefined, cur: KubeObject): void {
    const before = noExecuteTaints(old);
    const after = noExecuteTaints(cur);
    if (old && deepEqual(before, after)) return;
    if (!old && after.length === 0) return;
    for (const p of this.pods.getIndexer().byIndex(NODE_NAME_INDEX, cur.metadata.name!)) this.enqueue(podKeyOf(p));
  }

  private podChanged(pod: KubeObject): void {
    const key = podKeyOf(pod);
    const node = pod.spec?.nodeName ? this.nodes.get('', pod.spec.nodeName) : undefined;
    if (noExecuteTaints(node).length > 0 || this.scheduled.has(key)) this.enqueue(key);
  }

  private cancel(key: string, pod: KubeObject | undefined): void {
    if (!this.scheduled.delete(key)) return;
    if (pod) this.recorder.event(objectReference('Pod', pod), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || pod.metadata.deletionTimestamp || !pod.spec?.nodeName) {
      this.scheduled.delete(key);
      return;
    }
    const taints = noExecuteTaints(this.nodes.get('', pod.spec.nodeName));
    if (taints.length === 0) {
      this.cancel(key, pod);
      return;
    }
    const now = this.clock.now();
    const matching = getMatchingTolerations(taints, (pod.spec.tolerations ?? []) as Toleration[]);
    let triggerAt: number;
    let createdAt = now;
    if (!matching) {
      triggerAt = now; // some taint is not tolerated: evict at once
    } else {
      const min = minTolerationTimeMs(matching);
      if (min < 0) {
        this.cancel(key, pod); // tolerated forever
        return;
      }
      const prev = this.scheduled.get(key);
      if (prev && prev.podUid === pod.metadata.uid) createdAt = prev.createdAt;
      triggerAt = createdAt + min;
    }
    this.scheduled.set(key, { createdAt, triggerAt, podUid: pod.metadata.uid! });
    if (triggerAt > now) return { requeueAfterMs: triggerAt - now };
    await this.evict(pod);
    this.scheduled.delete(key);
  }

  /** Marks the pod's DisruptionTarget condition, then deletes it (upstream deletePodHandler). */
  private async evict(pod: KubeObject): Promise<void> {
    const key = podKeyOf(pod);
    this.recorder.event(objectReference('Pod', pod), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    // A strategic merge patch of the one condition (merge key "type"): no resourceVersion to
    // be stale, so a concurrent status write (the node controller marking it not ready) is kept.
    const condition = {
      type: 'DisruptionTarget',
      status: 'True',
      lastTransitionTime: rfc3339(this.clock.now()),
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
    };
    try {
      await this.ctx.client.patch('pods', pod.metadata.name!, { metadata: { uid: pod.metadata.uid }, status: { conditions: [condition] } }, {
        namespace: pod.metadata.namespace,
        subresource: 'status',
        type: 'strategic',
      });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return; // gone, or replaced by a namesake
      // The condition is informative: failing to set it must not stop the eviction.
      this.logger.debug({ pod: key, err: (err as Error).message }, 'could not set DisruptionTarget');
    }
    try {
      await this.ctx.client.delete('pods', pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid! } });
      this.logger.info({ pod: key, node: pod.spec?.nodeName }, 'evicted pod from NoExecute-tainted node');
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

function podKeyOf(pod: KubeObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}
