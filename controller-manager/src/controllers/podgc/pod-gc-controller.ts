// The pod garbage collector (upstream pkg/controller/podgc): every 20 s, force-deletes pods
// nobody else will ever finish:
//  1. orphaned: bound to a node that no longer exists (seen missing for a quarantine of 40 s,
//     then confirmed with a live read): no kubelet will ever confirm their deletion;
//  2. terminating on a node that is not Ready and carries node.kubernetes.io/out-of-service;
//  3. terminating and never scheduled;
//  4. terminated (Succeeded/Failed) beyond --terminated-pod-gc-threshold, oldest first.
// Orphaned and out-of-service pods get the DisruptionTarget condition first, as upstream.
// Without (1), the pods of a deleted node would count as running replicas forever.

import type { KubeObject, SharedIndexInformer } from '@minik8s/shared';
import { isConflict, isNotFound } from '@minik8s/shared';
import type { Runnable } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import { rfc3339 } from '@minik8s/shared';
import { isPodTerminal } from '../../util/pod-util.ts';
import type { Logger } from 'pino';

export const POD_GC_CONTROLLER = 'pod-garbage-collector-controller';
const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

export interface PodGCTimings {
  /** How often a pass runs (upstream gcCheckPeriod, 20 s). */
  periodMs?: number;
  /** How long a node must be missing before its pods are orphans (upstream quarantineTime, 40 s). */
  quarantineMs?: number;
}

export class PodGCController implements Runnable {
  readonly name = POD_GC_CONTROLLER;
  private readonly ctx: ControllerContext;
  private readonly pods: SharedIndexInformer;
  private readonly nodes: SharedIndexInformer;
  private readonly logger: Logger;
  private readonly periodMs: number;
  private readonly quarantineMs: number;
  private readonly threshold: number;
  /** node name -> when we first saw pods bound to it while it was missing. */
  private readonly missingSince = new Map<string, number>();

  constructor(ctx: ControllerContext, timings: PodGCTimings = {}) {
    this.ctx = ctx;
    this.logger = ctx.logger.child({ controller: POD_GC_CONTROLLER });
    this.periodMs = timings.periodMs ?? 20_000;
    this.quarantineMs = timings.quarantineMs ?? 40_000;
    this.threshold = ctx.options.terminatedPodGCThreshold;
    this.pods = ctx.informerFactory.informerFor('pods');
    this.nodes = ctx.informerFactory.informerFor('nodes');
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.pods.waitForCacheSync(signal), this.nodes.waitForCacheSync(signal)]);
    if (!synced.every(Boolean)) return;
    this.logger.info(`starting ${this.name}`);
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'pod garbage collection failed');
      }
      if (!(await this.ctx.clock.sleep(this.periodMs, signal))) break;
    }
    this.logger.info(`shutting down ${this.name}`);
  }

  /** One pass over every pod (run() calls it every period). */
  async gc(): Promise<void> {
    const pods = this.pods.list();
    if (this.threshold > 0) await this.gcTerminated(pods);
    await this.gcTerminating(pods);
    await this.gcOrphaned(pods);
    await this.gcUnscheduledTerminating(pods);
  }

  private async gcTerminated(pods: KubeObject[]): Promise<void> {
    const terminated = pods.filter((p) => isPodTerminal(p) && !p.metadata.deletionTimestamp);
    const excess = terminated.length - this.threshold;
    if (excess <= 0) return;
    const oldest = terminated.sort((a, b) => (Date.parse(a.metadata.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata.creationTimestamp ?? '') || 0)).slice(0, excess);
    this.logger.info({ count: excess, threshold: this.threshold }, 'garbage collecting terminated pods');
    await Promise.all(oldest.map((p) => this.forceDelete(p, undefined)));
  }

  private async gcTerminating(pods: KubeObject[]): Promise<void> {
    for (const p of pods) {
      if (!p.metadata.deletionTimestamp || !p.spec?.nodeName) continue;
      const node = this.nodes.get('', p.spec.nodeName);
      if (!node) continue;
      const ready = (node.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
      const outOfService = (node.spec?.taints ?? []).some((t: { key: string; effect: string }) => t.key === OUT_OF_SERVICE_TAINT && t.effect === 'NoExecute');
      if (ready?.status !== 'True' && outOfService) {
        await this.forceDelete(p, { reason: 'DeletionByPodGC', message: 'PodGC: node is out of service' });
      }
    }
  }

  private async gcOrphaned(pods: KubeObject[]): Promise<void> {
    const now = this.ctx.clock.now();
    const missing = new Set<string>();
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (node && !this.nodes.get('', node)) missing.add(node);
    }
    for (const n of this.missingSince.keys()) if (!missing.has(n)) this.missingSince.delete(n);
    for (const node of missing) {
      const since = this.missingSince.get(node);
      if (since === undefined) {
        this.missingSince.set(node, now);
        continue;
      }
      if (now - since < this.quarantineMs) continue;
      // The cache says gone for the whole quarantine: confirm with the apiserver.
      try {
        await this.ctx.client.get('nodes', node);
        continue;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      for (const p of pods) {
        if (p.spec?.nodeName !== node) continue;
        this.logger.info({ pod: `${p.metadata.namespace}/${p.metadata.name}`, node }, 'deleting orphaned pod of a node that no longer exists');
        await this.forceDelete(p, { reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
      }
      this.missingSince.delete(node);
    }
  }

  private async gcUnscheduledTerminating(pods: KubeObject[]): Promise<void> {
    for (const p of pods) {
      if (p.metadata.deletionTimestamp && !p.spec?.nodeName) await this.forceDelete(p, undefined);
    }
  }

  /** Marks DisruptionTarget (when given), then deletes with grace 0. */
  private async forceDelete(pod: KubeObject, disruption: { reason: string; message: string } | undefined): Promise<void> {
    const namespace = pod.metadata.namespace;
    const name = pod.metadata.name!;
    try {
      if (disruption && !isPodTerminal(pod)) {
        const condition = { type: 'DisruptionTarget', status: 'True', lastTransitionTime: rfc3339(this.ctx.clock.now()), ...disruption };
        await this.ctx.client.patch('pods', name, { metadata: { uid: pod.metadata.uid }, status: { conditions: [condition] } }, { namespace, subresource: 'status', type: 'strategic' });
      }
      await this.ctx.client.delete('pods', name, { namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid! } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
