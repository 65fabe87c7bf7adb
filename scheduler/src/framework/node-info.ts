// What the scheduler knows about one node (upstream framework.NodeInfo): the Node object, the
// pods bound or assumed to it, and running totals of their requests and host ports, so a
// filter answers "does this pod fit" without walking the node's pods.

import type { Node, Pod } from '../types.ts';
import type { HostPort } from './host-ports.ts';
import { HostPortInfo, podHostPorts } from './host-ports.ts';
import type { Resource } from './resource.ts';
import { CPU, MEMORY, emptyResource, podRequests, requestsToResource, resourceFromList } from './resource.ts';

/** A pod with what scheduling derives from it, computed once per pod object. */
export interface PodInfo {
  readonly pod: Pod;
  /** Effective requests (no defaults for missing ones). */
  readonly requests: Resource;
  /** CPU and memory with 100m/200Mi for containers that request none (for scoring). */
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: readonly HostPort[];
}

const podInfos = new WeakMap<Pod, PodInfo>();

/** The PodInfo of a pod object; objects from informers are immutable, so it is cached per object. */
export function podInfoFor(pod: Pod): PodInfo {
  let info = podInfos.get(pod);
  if (!info) {
    const nonZero = podRequests(pod, { nonMissing: true });
    info = {
      pod,
      requests: requestsToResource(podRequests(pod)),
      nonZeroMilliCPU: nonZero.get(CPU) ?? 0,
      nonZeroMemory: nonZero.get(MEMORY) ?? 0,
      hostPorts: podHostPorts(pod),
    };
    podInfos.set(pod, info);
  }
  return info;
}

/** A pod's identity in the cache: its uid (names are reused after deletion). */
export function podUID(pod: Pod): string {
  const uid = pod.metadata.uid;
  if (!uid) throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name} has no uid`);
  return uid;
}

let generationCounter = 0;

/** Increments monotonically across all NodeInfos, so a changed node is never mistaken for an unchanged one. */
export function nextGeneration(): number {
  return ++generationCounter;
}

export class NodeInfo {
  readonly name: string;
  /** Undefined while pods are still bound to a node that was deleted. */
  node: Node | undefined;
  pods: PodInfo[] = [];
  requested: Resource = emptyResource();
  nonZeroRequested: Resource = emptyResource();
  allocatable: Resource = emptyResource();
  usedPorts = new HostPortInfo();
  generation = nextGeneration();

  constructor(name: string, node?: Node) {
    this.name = name;
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = resourceFromList(node.status?.allocatable);
    this.generation = nextGeneration();
  }

  removeNode(): void {
    this.node = undefined;
    this.generation = nextGeneration();
  }

  addPod(pod: Pod): void {
    this.addPodInfo(podInfoFor(pod));
  }

  addPodInfo(pi: PodInfo): void {
    this.pods.push(pi);
    this.update(pi, 1);
  }

  /** Removes the pod with this pod's uid; false when it was not here. */
  removePod(pod: Pod): boolean {
    const uid = podUID(pod);
    const i = this.pods.findIndex((p) => p.pod.metadata.uid === uid);
    if (i < 0) return false;
    const [pi] = this.pods.splice(i, 1);
    this.update(pi, -1);
    return true;
  }

  hasPod(uid: string): boolean {
    return this.pods.some((p) => p.pod.metadata.uid === uid);
  }

  private update(pi: PodInfo, sign: 1 | -1): void {
    const r = pi.requests;
    this.requested.milliCPU += sign * r.milliCPU;
    this.requested.memory += sign * r.memory;
    this.requested.ephemeralStorage += sign * r.ephemeralStorage;
    for (const [k, v] of r.scalar) this.requested.scalar.set(k, (this.requested.scalar.get(k) ?? 0) + sign * v);
    this.nonZeroRequested.milliCPU += sign * pi.nonZeroMilliCPU;
    this.nonZeroRequested.memory += sign * pi.nonZeroMemory;
    for (const hp of pi.hostPorts) {
      if (sign > 0) this.usedPorts.add(hp.ip, hp.protocol, hp.port);
      else this.usedPorts.remove(hp.ip, hp.protocol, hp.port);
    }
    this.generation = nextGeneration();
  }
}
