// Empties a Terminating namespace and then releases it (upstream namespaced_resources_deleter.go).
//
// delete(name):
//  1. Read the namespace fresh. Not being deleted, or its spec.finalizers no longer holds
//     "kubernetes": nothing to do.
//  2. For every namespaced resource the cluster serves: delete the collection in the
//     namespace (propagationPolicy Background, so the garbage collector handles dependents),
//     then list what remains. Pods on nodes remain until their kubelet confirms; objects with
//     finalizers remain until their finalizers are done.
//  3. Record the outcome in status.conditions (NamespaceContentRemaining,
//     NamespaceFinalizersRemaining, NamespaceDeletionContentFailure).
//  4. Something remains: report how long it may take (the longest pod grace period).
//     Nothing remains: PUT namespaces/<name>/finalize with "kubernetes" removed from
//     spec.finalizers; the apiserver deletes the namespace once that list is empty.

import type { KubeObject, ResourceInfo, RestClient } from '@minik8s/shared';
import { RESOURCES, isNotFound, qualifiedResource } from '@minik8s/shared';
import type { Logger } from 'pino';
import { rfc3339 } from '@minik8s/shared';

export const FINALIZER_KUBERNETES = 'kubernetes';

/** Content remains; `estimateSeconds` is how long its graceful termination may take. */
export class ResourcesRemainingError extends Error {
  readonly estimateSeconds: number;

  constructor(estimateSeconds: number, message: string) {
    super(message);
    this.name = 'ResourcesRemainingError';
    this.estimateSeconds = estimateSeconds;
  }
}

interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** Every namespaced resource the namespace controller empties (all of the catalogue's). */
export function deletableNamespacedResources(): ResourceInfo[] {
  return RESOURCES.filter((r) => r.namespaced);
}

export class NamespacedResourcesDeleter {
  private readonly client: RestClient;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly resources: ResourceInfo[];

  constructor(client: RestClient, logger: Logger, now: () => number, resources: ResourceInfo[] = deletableNamespacedResources()) {
    this.client = client;
    this.logger = logger;
    this.now = now;
    this.resources = resources;
  }

  /** Throws ResourcesRemainingError while content remains; resolves once finalized or not ours. */
  async delete(name: string): Promise<void> {
    let ns: KubeObject;
    try {
      ns = await this.client.get('namespaces', name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return;
    const finalizers: string[] = ns.spec?.finalizers ?? [];
    if (!finalizers.includes(FINALIZER_KUBERNETES)) return;

    const remaining: string[] = [];
    const finalizersLeft = new Map<string, number>();
    const failures: string[] = [];
    let estimate = 0;
    await Promise.all(
      this.resources.map(async (info) => {
        try {
          const left = await this.deleteAllOf(info, name);
          if (left.length === 0) return;
          remaining.push(`${qualifiedResource(info)} has ${left.length} resource instances`);
          for (const obj of left) {
            for (const f of obj.metadata.finalizers ?? []) finalizersLeft.set(f, (finalizersLeft.get(f) ?? 0) + 1);
          }
          if (info.group === '' && info.resource === 'pods') estimate = Math.max(estimate, estimatePodTermination(left, this.now()));
        } catch (err) {
          failures.push(`${qualifiedResource(info)}: ${(err as Error).message}`);
        }
      }),
    );
    remaining.sort();
    try {
      ns = await this.updateConditions(ns, remaining, finalizersLeft, failures);
    } catch (err) {
      if (isNotFound(err)) return;
      this.logger.debug({ namespace: name, err: (err as Error).message }, 'could not update namespace conditions');
    }
    if (failures.length) throw new Error(`failed to delete all content of namespace ${name}: ${failures.join('; ')}`);
    if (remaining.length) throw new ResourcesRemainingError(estimate, `some content remains in namespace ${name}: ${remaining.join(', ')}`);

    // Everything is gone: drop our finalizer. The read above is the precondition.
    try {
      await this.client.request({
        method: 'PUT',
        path: `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`,
        body: { ...ns, apiVersion: 'v1', kind: 'Namespace', spec: { ...(ns.spec ?? {}), finalizers: finalizers.filter((f) => f !== FINALIZER_KUBERNETES) } },
      });
      this.logger.info({ namespace: name }, 'namespace content deleted, finalized');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Deletes every object of `info` in `namespace`; resolves what is still there after. */
  private async deleteAllOf(info: ResourceInfo, namespace: string): Promise<KubeObject[]> {
    const before = await this.client.list(info, { namespace });
    if (before.items.length === 0) return [];
    const pending = before.items.filter((o) => !o.metadata.deletionTimestamp);
    if (pending.length) await this.client.deleteCollection(info, { namespace, propagationPolicy: 'Background' });
    const after = await this.client.list(info, { namespace });
    return after.items;
  }

  /** Writes the conditions when they changed; resolves the namespace as it now is. */
  private async updateConditions(ns: KubeObject, remaining: string[], finalizers: Map<string, number>, failures: string[]): Promise<KubeObject> {
    const now = rfc3339(this.now());
    const cond = (type: string, active: boolean, reasonTrue: string, reasonFalse: string, messageTrue: string, messageFalse: string): NamespaceCondition => ({
      type,
      status: active ? 'True' : 'False',
      lastTransitionTime: now,
      reason: active ? reasonTrue : reasonFalse,
      message: active ? messageTrue : messageFalse,
    });
    const finalizerText = [...finalizers].map(([f, n]) => `${f} in ${n} resource instances`).sort().join(', ');
    const wanted: NamespaceCondition[] = [
      cond('NamespaceDeletionDiscoveryFailure', false, 'DiscoveryFailed', 'ResourcesDiscovered', '', 'All resources successfully discovered'),
      cond('NamespaceDeletionGroupVersionParsingFailure', false, 'GroupVersionParsingFailed', 'ParsedGroupVersions', '', 'All legacy kube types successfully parsed'),
      cond('NamespaceDeletionContentFailure', failures.length > 0, 'ContentDeletionFailed', 'ContentDeleted', `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}`, 'All content successfully deleted, may be waiting on finalization'),
      cond('NamespaceContentRemaining', remaining.length > 0, 'SomeResourcesRemain', 'ContentRemoved', `Some resources are remaining: ${remaining.join(', ')}`, 'All content successfully removed'),
      cond('NamespaceFinalizersRemaining', finalizers.size > 0, 'SomeFinalizersRemain', 'ContentHasNoFinalizers', `Some content in the namespace has finalizers remaining: ${finalizerText}`, 'All content-preserving finalizers finished'),
    ];
    const existing: NamespaceCondition[] = ns.status?.conditions ?? [];
    let changed = false;
    const merged = wanted.map((w) => {
      const e = existing.find((x) => x.type === w.type);
      if (e && e.status === w.status && e.reason === w.reason && e.message === w.message) return e;
      changed = true;
      return e && e.status === w.status ? { ...w, lastTransitionTime: e.lastTransitionTime } : w;
    });
    if (!changed) return ns;
    return this.client.updateStatus('namespaces', { ...ns, status: { ...(ns.status ?? {}), conditions: merged } });
  }
}

/** The longest remaining graceful termination of these pods, in seconds (upstream estimate). */
function estimatePodTermination(pods: KubeObject[], now: number): number {
  let max = 0;
  for (const p of pods) {
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const deadline = p.metadata.deletionTimestamp ? Date.parse(p.metadata.deletionTimestamp) : NaN;
    const grace = Number.isNaN(deadline) ? (p.spec?.terminationGracePeriodSeconds ?? 30) : Math.max(0, Math.ceil((deadline - now) / 1000));
    max = Math.max(max, grace);
  }
  return max;
}
