// The service accounts controller (upstream pkg/controller/serviceaccount): every active
// namespace has a "default" ServiceAccount ("为新的namespace创建默认的账号"); deleting it brings
// it back. Keys are namespace names.

import type { KubeObject, SharedIndexInformer } from '@minik8s/shared';
import { isAlreadyExists, isStatusError } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';

export const SERVICEACCOUNT_CONTROLLER = 'serviceaccount-controller';
/** The accounts every namespace gets (upstream DefaultServiceAccountsControllerOptions). */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

export class ServiceAccountsController extends Controller {
  private readonly nsInformer: SharedIndexInformer;
  private readonly saInformer: SharedIndexInformer;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: SERVICEACCOUNT_CONTROLLER, workers: ctx.options.concurrentServiceAccountSyncs });
    this.nsInformer = ctx.informerFactory.informerFor('namespaces');
    this.saInformer = ctx.informerFactory.informerFor('serviceaccounts');
    this.watch(this.nsInformer, {
      onAdd: (ns) => this.enqueue(ns.metadata.name!),
      onUpdate: (_old, cur) => this.enqueue(cur.metadata.name!),
    });
    this.watch(this.saInformer, {
      onDelete: (sa) => {
        if (DEFAULT_SERVICE_ACCOUNTS.includes(sa.metadata.name!)) this.enqueue(sa.metadata.namespace!);
      },
    });
  }

  async reconcile(namespace: string): Promise<ReconcileResult | void> {
    const ns = this.nsInformer.get('', namespace);
    // Only active namespaces: a terminating one refuses new content anyway.
    if (!ns || ns.metadata.deletionTimestamp || (ns.status?.phase && ns.status.phase !== 'Active')) return;
    for (const name of DEFAULT_SERVICE_ACCOUNTS) {
      if (this.saInformer.get(namespace, name)) continue;
      const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
      try {
        await this.ctx.client.create('serviceaccounts', sa, { namespace });
        this.logger.debug({ namespace, serviceaccount: name }, 'created service account');
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        // The namespace started terminating after our cache read it.
        if (isStatusError(err) && err.code === 403) return;
        throw err;
      }
    }
  }
}
