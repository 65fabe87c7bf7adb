// Writes pod statuses to the apiserver (status/status_manager.go). Pod workers hand it the
// status they computed; it writes only what changed, one pod at a time per pod, and finishes a
// graceful deletion: once a deleted pod's containers are all stopped and its final status is
// written, it deletes the pod with grace period 0 and a uid precondition (so a new pod of the
// same name is never hit).
//
// Contract:
// - The write is PUT pods/<name>/status of the object read from the informer cache with the new
//   status; conditions the kubelet does not own (readiness gates, DisruptionTarget) and the
//   server's fields (qosClass, nominatedNodeName) are kept from the current object. A conflict
//   re-reads the pod and retries.
// - A static pod's status goes to its mirror pod (same namespace/name) when there is one.
// - A status equal to what the pod already has (transition times aside) is not written.

import type { Logger } from 'pino';
import { isConflict, isNotFound, type RestClient } from '@minik8s/shared';
import type { Pod, PodCondition, PodStatus } from '../api/pod.ts';
import { podDesc } from '../api/pod.ts';
import { KUBELET_CONDITIONS } from './pod-phase.ts';

export interface StatusManagerOptions {
  client: Pick<RestClient, 'get' | 'updateStatus' | 'delete'>;
  /** The pod as the informer holds it (for a static pod: its mirror pod). */
  getApiPod(namespace: string, name: string): Pod | undefined;
  /** True for static pods: their status goes to the mirror pod, and they are never deleted through the API. */
  isStaticPod(pod: Pod): boolean;
  logger?: Logger;
  /** How many pods are written at once. */
  concurrency?: number;
}

interface Entry {
  pod: Pod;
  status: PodStatus;
  /** The pod's containers are all stopped for good (deletion may complete). */
  terminated: boolean;
  /** The last status written and to which object (uid), to skip no-op writes while the informer lags. */
  written: string | undefined;
  writtenTo: string | undefined;
  dirty: boolean;
  deleted: boolean;
}

/** JSON of the status without the transition/probe times, for comparisons. */
function comparable(status: PodStatus | undefined): string {
  if (!status) return '';
  const s = structuredClone(status);
  s.conditions = (s.conditions ?? [])
    .map((c) => ({ ...c, lastTransitionTime: undefined, lastProbeTime: undefined }))
    .sort((a, b) => a.type.localeCompare(b.type));
  return JSON.stringify(s, (_k, v) => (v === null ? undefined : v));
}

/** Our status over the current object's: keeps conditions we do not own and server-set fields. */
export function mergePodStatus(current: PodStatus | undefined, ours: PodStatus): PodStatus {
  const merged: PodStatus = { ...ours };
  const foreign: PodCondition[] = (current?.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const ownTypes = new Set((ours.conditions ?? []).map((c) => c.type));
  merged.conditions = [...foreign.filter((c) => !ownTypes.has(c.type)), ...(ours.conditions ?? []).filter((c) => KUBELET_CONDITIONS.has(c.type))];
  if (current?.qosClass) merged.qosClass = current.qosClass;
  if (current?.nominatedNodeName) merged.nominatedNodeName = current.nominatedNodeName;
  // A terminal phase is never left, even if our view says otherwise (another kubelet run wrote it).
  if ((current?.phase === 'Succeeded' || current?.phase === 'Failed') && merged.phase !== current.phase) merged.phase = current.phase;
  return merged;
}

export class StatusManager {
  private readonly opts: StatusManagerOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private readonly active = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(opts: StatusManagerOptions) {
    this.opts = opts;
  }

  /** The latest status the kubelet computed for the pod (by the pod's own uid). */
  getPodStatus(uid: string): PodStatus | undefined {
    return this.entries.get(uid)?.status;
  }

  setPodStatus(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata.uid!;
    const e = this.entries.get(uid);
    if (e) {
      e.pod = pod;
      e.status = status;
    } else this.entries.set(uid, { pod, status, terminated: false, written: undefined, writtenTo: undefined, dirty: false, deleted: false });
    this.enqueue(uid);
  }

  /** The pod's containers are stopped for good: a deleted pod may now be deleted from the API. */
  setTerminated(pod: Pod, status: PodStatus): void {
    this.setPodStatus(pod, status);
    this.entries.get(pod.metadata.uid!)!.terminated = true;
  }

  /** Retries writes for a pod whose API object changed (e.g. a mirror pod was recreated). */
  resync(uid: string): void {
    if (this.entries.has(uid)) this.enqueue(uid);
  }

  removePod(uid: string): void {
    this.entries.delete(uid);
  }

  /** Resolves once nothing is queued or being written. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.active.size > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private enqueue(uid: string): void {
    if (this.stopped) return;
    const e = this.entries.get(uid);
    if (!e) return;
    if (this.active.has(uid)) {
      e.dirty = true;
      return;
    }
    if (!this.queue.includes(uid)) this.queue.push(uid);
    this.pump();
  }

  private pump(): void {
    while (this.active.size < (this.opts.concurrency ?? 8) && this.queue.length > 0) {
      const uid = this.queue.shift()!;
      this.active.add(uid);
      void this.syncOne(uid)
        .catch((err) => this.opts.logger?.warn({ err: (err as Error).message, uid }, 'could not write pod status'))
        .finally(() => {
          this.active.delete(uid);
          const e = this.entries.get(uid);
          if (e?.dirty) {
            e.dirty = false;
            this.enqueue(uid);
          }
          this.pump();
          if (this.queue.length === 0 && this.active.size === 0) {
            const w = this.idleWaiters;
            this.idleWaiters = [];
            for (const f of w) f();
          }
        });
    }
  }

  private async syncOne(uid: string): Promise<void> {
    const e = this.entries.get(uid);
    if (!e || e.deleted) return;
    const { pod } = e;
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    const isStatic = this.opts.isStaticPod(pod);
    let current = this.opts.getApiPod(ns, name);
    // A static pod's status lives on its mirror pod; a normal pod's only on the pod of its own uid.
    const matches = (p: Pod | undefined) => !!p && (isStatic || p.metadata.uid === uid);
    if (!matches(current)) return;

    for (let attempt = 0; attempt < 5; attempt++) {
      const merged = mergePodStatus(current!.status, e.status);
      const text = comparable(merged);
      if (text === comparable(current!.status) || (text === e.written && e.writtenTo === current!.metadata.uid)) break;
      try {
        const body: Pod = { ...current!, status: merged };
        const updated = await this.opts.client.updateStatus<Pod>('pods', body, { namespace: ns });
        e.written = text;
        e.writtenTo = updated.metadata.uid;
        current = updated;
        break;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        try {
          current = await this.opts.client.get<Pod>('pods', name, { namespace: ns });
        } catch (getErr) {
          if (isNotFound(getErr)) return;
          throw getErr;
        }
        if (!matches(current)) return;
      }
    }

    if (e.terminated && !isStatic && current!.metadata.deletionTimestamp) {
      try {
        await this.opts.client.delete('pods', name, { namespace: ns, gracePeriodSeconds: 0, preconditions: { uid } });
        this.opts.logger?.info({ pod: podDesc(pod) }, 'pod fully terminated and removed from etcd');
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      e.deleted = true;
    }
  }
}
