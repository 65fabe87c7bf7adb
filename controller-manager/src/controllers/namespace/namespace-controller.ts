// The namespace controller (upstream pkg/controller/namespace): a namespace being deleted is
// Terminating; this controller deletes everything in it, then removes the "kubernetes"
// finalizer so the apiserver can delete the namespace itself.
//
// Keys are namespace names. Content that takes time to go (pods waiting for their kubelet,
// objects waiting for finalizers) makes reconcile come back after a short wait; nothing
// watches every resource for that, as upstream.

import type { SharedIndexInformer } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import { NamespacedResourcesDeleter, ResourcesRemainingError } from './namespaced-resources-deleter.ts';

export const NAMESPACE_CONTROLLER = 'namespace-controller';
/** How soon to look again while content remains: upstream waits estimate/2 + 1 s; we cap it. */
const MAX_REMAINING_WAIT_MS = 5_000;
const MIN_REMAINING_WAIT_MS = 500;

export class NamespaceController extends Controller {
  private readonly nsInformer: SharedIndexInformer;
  private readonly deleter: NamespacedResourcesDeleter;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: NAMESPACE_CONTROLLER, workers: ctx.options.concurrentNamespaceSyncs });
    this.deleter = new NamespacedResourcesDeleter(ctx.client, this.logger, () => this.clock.now());
    this.nsInformer = ctx.informerFactory.informerFor('namespaces');
    const enqueueIfDeleting = (ns: { metadata: { name?: string; deletionTimestamp?: string } }) => {
      if (ns.metadata.deletionTimestamp) this.enqueue(ns.metadata.name!);
    };
    this.nsInformer.addEventHandler(
      {
        onAdd: enqueueIfDeleting,
        onUpdate: (_old, cur) => enqueueIfDeleting(cur),
      },
      ctx.options.namespaceSyncPeriod,
    );
    this.uses(this.nsInformer);
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const ns = this.nsInformer.get('', name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    try {
      await this.deleter.delete(name);
    } catch (err) {
      if (err instanceof ResourcesRemainingError) {
        const wait = Math.min(MAX_REMAINING_WAIT_MS, Math.max(MIN_REMAINING_WAIT_MS, (err.estimateSeconds / 2 + 1) * 1000));
        this.logger.debug({ namespace: name, waitMs: wait, why: err.message }, 'content remaining');
        return { requeueAfterMs: wait };
      }
      throw err;
    }
  }
}
