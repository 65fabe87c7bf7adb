// The scheduler's view of the cluster (upstream internal/cache): every node with the pods
// bound to it, plus the pods this scheduler has assumed but whose binding the informers have
// not confirmed yet. Scheduling reads it; the informers and the scheduler write it.
//
// Pod states (by uid):
//   assumePod      -> Assumed (counted on its node at once, so the next pod sees the usage)
//   finishBinding  -> Assumed, binding finished (expires after ttl unless confirmed)
//   addPod         -> Added (confirmed by the scheduled-pods informer; wins over the assumption,
//                     including its node if someone else bound it elsewhere)
//   forgetPod      -> gone (the binding failed: the usage is released at once)
//   removePod      -> gone (the pod was deleted or finished)
//
// Node objects and pods arrive from separate watches in any order: a pod on a node not seen
// yet is kept on a NodeInfo without a Node (not offered to scheduling), and a deleted node's
// NodeInfo lives until its last pod is gone.
//
// Node runs one thread and scheduling cycles are synchronous, so a cycle sees one consistent
// state without taking snapshots (upstream snapshots because its informers write concurrently).

import type { NodeInfoLister } from '../framework/interfaces.ts';
import { NodeInfo, podUID } from '../framework/node-info.ts';
import type { Node, Pod } from '../types.ts';
import { podKey } from '../types.ts';

interface PodState {
  pod: Pod;
  bindingFinished: boolean;
  /** When an assumed pod whose binding finished is dropped if still unconfirmed (ms). */
  deadline: number | undefined;
}

export interface SchedulerCacheOptions {
  /** How long an assumed, bound pod may stay unconfirmed by the informers (default 15 min). */
  assumedPodTTLMs?: number;
  clock?: { now(): number };
}

export class SchedulerCache implements NodeInfoLister {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private readonly assumed = new Set<string>();
  private nodeList: NodeInfo[] | undefined;
  private readonly ttlMs: number;
  private readonly clock: { now(): number };

  constructor(opts: SchedulerCacheOptions = {}) {
    this.ttlMs = opts.assumedPodTTLMs ?? 15 * 60_000;
    this.clock = opts.clock ?? { now: () => Date.now() };
  }

  // ---- NodeInfoLister ------------------------------------------------------------------------

  /** Nodes that exist (have a Node object), in a stable order. */
  list(): readonly NodeInfo[] {
    if (!this.nodeList) this.nodeList = [...this.nodes.values()].filter((n) => n.node !== undefined);
    return this.nodeList;
  }

  get(name: string): NodeInfo | undefined {
    const n = this.nodes.get(name);
    return n?.node ? n : undefined;
  }

  nodeCount(): number {
    return this.list().length;
  }

  // ---- pods ------------------------------------------------------------------------------------

  /** Counts the pod (its spec.nodeName set) on its node before the binding is confirmed. */
  assumePod(pod: Pod): void {
    const uid = podUID(pod);
    if (this.podStates.has(uid)) throw new Error(`pod ${podKey(pod)}(${uid}) is in the cache, so can't be assumed`);
    this.addToNode(pod);
    this.podStates.set(uid, { pod, bindingFinished: false, deadline: undefined });
    this.assumed.add(uid);
  }

  /** The binding call returned: start the assumed pod's expiry clock. */
  finishBinding(pod: Pod): void {
    const uid = podUID(pod);
    const s = this.podStates.get(uid);
    if (!s || !this.assumed.has(uid)) return;
    s.bindingFinished = true;
    s.deadline = this.clock.now() + this.ttlMs;
  }

  /** Drops an assumed pod (its binding failed) and releases what it used. */
  forgetPod(pod: Pod): void {
    const uid = podUID(pod);
    const s = this.podStates.get(uid);
    if (!s) return;
    if (!this.assumed.has(uid)) throw new Error(`pod ${podKey(pod)}(${uid}) was added to cache but not assumed`);
    if (s.pod.spec.nodeName !== pod.spec.nodeName) {
      throw new Error(`pod ${podKey(pod)}(${uid}) was assumed on ${pod.spec.nodeName} but assigned to ${s.pod.spec.nodeName}`);
    }
    this.removeFromNode(s.pod);
    this.podStates.delete(uid);
    this.assumed.delete(uid);
  }

  /** A bound pod from the informer: confirms an assumed one (its real node wins) or adds it. */
  addPod(pod: Pod): void {
    const uid = podUID(pod);
    const s = this.podStates.get(uid);
    if (s) {
      // Assumed (confirmation) or already added (a relist re-delivering it): keep the latest.
      this.removeFromNode(s.pod);
      this.addToNode(pod);
      s.pod = pod;
      s.deadline = undefined;
      this.assumed.delete(uid);
      return;
    }
    this.addToNode(pod);
    this.podStates.set(uid, { pod, bindingFinished: false, deadline: undefined });
  }

  updatePod(_oldPod: Pod, newPod: Pod): void {
    this.addPod(newPod);
  }

  removePod(pod: Pod): void {
    const uid = podUID(pod);
    const s = this.podStates.get(uid);
    if (!s) return;
    this.removeFromNode(s.pod);
    this.podStates.delete(uid);
    this.assumed.delete(uid);
  }

  isAssumedPod(pod: Pod): boolean {
    const uid = pod.metadata.uid;
    return uid !== undefined && this.assumed.has(uid);
  }

  /** The cached version of a pod (assumed or added), by uid. */
  getPod(pod: Pod): Pod | undefined {
    const uid = pod.metadata.uid;
    return uid === undefined ? undefined : this.podStates.get(uid)?.pod;
  }

  podCount(): number {
    return this.podStates.size;
  }

  assumedPodCount(): number {
    return this.assumed.size;
  }

  /** Drops assumed pods whose binding finished more than ttl ago and were never confirmed. */
  cleanupExpiredAssumedPods(now: number = this.clock.now()): Pod[] {
    const expired: Pod[] = [];
    for (const uid of this.assumed) {
      const s = this.podStates.get(uid)!;
      if (!s.bindingFinished || s.deadline === undefined || now < s.deadline) continue;
      expired.push(s.pod);
    }
    for (const pod of expired) this.removePod(pod);
    return expired;
  }

  // ---- nodes -----------------------------------------------------------------------------------

  addNode(node: Node): NodeInfo {
    const name = node.metadata.name!;
    let ni = this.nodes.get(name);
    if (!ni) {
      ni = new NodeInfo(name, node);
      this.nodes.set(name, ni);
    } else ni.setNode(node);
    this.nodeList = undefined;
    return ni;
  }

  updateNode(_oldNode: Node, newNode: Node): NodeInfo {
    return this.addNode(newNode);
  }

  removeNode(node: Node): void {
    const name = node.metadata.name!;
    const ni = this.nodes.get(name);
    if (!ni) return;
    if (ni.pods.length === 0) this.nodes.delete(name);
    else ni.removeNode();
    this.nodeList = undefined;
  }

  private addToNode(pod: Pod): void {
    const name = pod.spec.nodeName;
    if (!name) throw new Error(`pod ${podKey(pod)} has no spec.nodeName`);
    let ni = this.nodes.get(name);
    if (!ni) {
      ni = new NodeInfo(name);
      this.nodes.set(name, ni);
    }
    ni.addPod(pod);
  }

  private removeFromNode(pod: Pod): void {
    const name = pod.spec.nodeName;
    if (!name) return;
    const ni = this.nodes.get(name);
    if (!ni) return;
    ni.removePod(pod);
    if (!ni.node && ni.pods.length === 0) this.nodes.delete(name);
  }
}
