// The TTL-after-finished controller (upstream pkg/controller/ttlafterfinished): deletes a Job
// spec.ttlSecondsAfterFinished after it finished (the lastTransitionTime of its Complete or
// Failed condition).
//
// reconcile("ns/name"): not finished or no TTL: nothing. TTL not yet expired: come back then.
// Expired: re-read the Job from the API (the cache may hold an old TTL), check again, and
// delete it with Foreground propagation and a uid precondition, as upstream; the garbage
// collector deletes its pods first, then the Job.

import type { KubeObject, SharedIndexInformer } from '@minik8s/shared';
import { isConflict, isNotFound, splitMetaNamespaceKey } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import { finishedCondition } from './job-util.ts';

export const TTL_AFTER_FINISHED_CONTROLLER = 'ttl-after-finished-controller';

/** ms until the Job's TTL expires (<= 0: expired); undefined when it needs no clean-up. */
export function ttlRemainingMs(job: KubeObject, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (typeof ttl !== 'number' || job.metadata.deletionTimestamp) return undefined;
  const cond = finishedCondition(job);
  if (!cond) return undefined;
  const finishedAt = Date.parse(cond.lastTransitionTime ?? '');
  if (Number.isNaN(finishedAt)) return undefined;
  return finishedAt + ttl * 1000 - now;
}

export class TTLAfterFinishedController extends Controller {
  private readonly jobInformer: SharedIndexInformer;

  constructor(ctx: ControllerContext) {
    const workers = ctx.options.concurrentTTLSyncs;
    super(ctx, { name: TTL_AFTER_FINISHED_CONTROLLER, workers });
    this.jobInformer = ctx.informerFactory.informerFor('jobs.batch');
    const consider = (job: KubeObject) => {
      if (!job.metadata.deletionTimestamp && typeof job.spec?.ttlSecondsAfterFinished === 'number' && finishedCondition(job)) this.enqueue(job);
    };
    this.watch(this.jobInformer, { onAdd: consider, onUpdate: (_old, cur) => consider(cur) });
  }

  async reconcile(jobKey: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(jobKey);
    const cached = this.jobInformer.get(namespace, name);
    if (!cached) return;
    const left = ttlRemainingMs(cached, this.clock.now());
    if (left === undefined) return;
    if (left > 0) return { requeueAfterMs: left };
    // The TTL may have changed since the cache saw it: decide on a fresh read.
    let fresh: KubeObject;
    try {
      fresh = await this.ctx.client.get('jobs.batch', name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const freshLeft = ttlRemainingMs(fresh, this.clock.now());
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfterMs: freshLeft };
    this.logger.info({ job: jobKey }, 'cleaning up finished Job after its TTL');
    try {
      await this.ctx.client.delete('jobs.batch', name, { namespace, propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid! } });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}
