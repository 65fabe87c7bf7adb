// Compute resources as the scheduler counts them (upstream framework.Resource): CPU in
// millicores, everything else in whole base units (bytes, pods, devices). Quantities are
// parsed once per pod and node and kept as numbers, since filtering compares them for
// every (pod, node) pair.

import { parseQuantity, quantityToMilli } from '@minik8s/shared';
import type { Container, Pod, ResourceList } from '../types.ts';

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

/** What a pod is charged for CPU and memory when it requests none (upstream DefaultMilliCPURequest, DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  /** Extended resources, hugepages, attachable volumes: by name. */
  scalar: Map<string, number>;
}

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: new Map() };
}

export function cloneResource(r: Resource): Resource {
  return { ...r, scalar: new Map(r.scalar) };
}

/** Native resources have no domain or the kubernetes.io domain (v1helper.IsNativeResource). */
export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.startsWith('kubernetes.io/');
}

export function isHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-');
}

/** Resources counted in Resource.scalar (upstream schedutil.IsScalarResourceName). */
export function isScalarResourceName(name: string): boolean {
  if (isHugePageResourceName(name) || name.startsWith('attachable-volumes-')) return true;
  if (name.startsWith('kubernetes.io/')) return true; // prefixed native resources
  // Extended resources: a domain-qualified name outside kubernetes.io, not a quota "requests." name.
  return !isNativeResource(name) && !name.startsWith('requests.');
}

/** Quantity.Value(): whole units, rounded up. */
export function quantityValue(q: string | number): number {
  return Math.ceil(parseQuantity(q));
}

/** Adds a ResourceList (a node's allocatable, a pod's requests) to `r`. Unknown native names are ignored. */
export function addResourceList(r: Resource, list: ResourceList | undefined): void {
  if (!list) return;
  for (const [name, q] of Object.entries(list)) {
    switch (name) {
      case CPU:
        r.milliCPU += quantityToMilli(q);
        break;
      case MEMORY:
        r.memory += quantityValue(q);
        break;
      case PODS:
        r.allowedPodNumber += quantityValue(q);
        break;
      case EPHEMERAL_STORAGE:
        r.ephemeralStorage += quantityValue(q);
        break;
      default:
        if (isScalarResourceName(name)) r.scalar.set(name, (r.scalar.get(name) ?? 0) + quantityValue(q));
    }
  }
}

export function resourceFromList(list: ResourceList | undefined): Resource {
  const r = emptyResource();
  addResourceList(r, list);
  return r;
}

/** Requests as numbers by resource name: cpu in millicores, the rest in base units. */
export type Requests = Map<string, number>;

function toRequests(list: ResourceList | undefined): Requests {
  const out: Requests = new Map();
  if (!list) return out;
  for (const [name, q] of Object.entries(list)) out.set(name, name === CPU ? quantityToMilli(q) : quantityValue(q));
  return out;
}

function addTo(into: Requests, from: Requests): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

function maxInto(into: Requests, from: Requests): void {
  for (const [k, v] of from) if (v > (into.get(k) ?? 0)) into.set(k, v);
}

function containerRequests(c: Container, nonMissing: boolean): Requests {
  const reqs = toRequests(c.resources?.requests);
  if (nonMissing) {
    if (!reqs.has(CPU)) reqs.set(CPU, DEFAULT_MILLI_CPU_REQUEST);
    if (!reqs.has(MEMORY)) reqs.set(MEMORY, DEFAULT_MEMORY_REQUEST);
  }
  return reqs;
}

/**
 * The pod's effective requests (upstream resourcehelper.PodRequests): the sum over app
 * containers, raised to what any init container needs while it runs (init containers run one
 * at a time, next to the sidecars started before them), plus the sidecars themselves, plus
 * spec.overhead. With `nonMissing`, a container that requests no cpu/memory counts as
 * 100m/200Mi (used for spreading scores so empty pods do not all pile onto one node).
 */
export function podRequests(pod: Pod, opts: { nonMissing?: boolean } = {}): Requests {
  const nonMissing = opts.nonMissing ?? false;
  const reqs: Requests = new Map();
  for (const c of pod.spec?.containers ?? []) addTo(reqs, containerRequests(c, nonMissing));
  const restartable: Requests = new Map();
  const initMax: Requests = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    let cr = containerRequests(c, nonMissing);
    if (c.restartPolicy === 'Always') {
      addTo(reqs, cr);
      addTo(restartable, cr);
      cr = restartable;
    } else {
      const tmp: Requests = new Map();
      addTo(tmp, cr);
      addTo(tmp, restartable);
      cr = tmp;
    }
    maxInto(initMax, cr);
  }
  maxInto(reqs, initMax);
  if (pod.spec?.overhead) addTo(reqs, toRequests(pod.spec.overhead));
  return reqs;
}

/** Requests folded into a Resource (pods count 0: the pod itself is counted by the caller). */
export function requestsToResource(reqs: Requests): Resource {
  const r = emptyResource();
  for (const [name, v] of reqs) {
    switch (name) {
      case CPU:
        r.milliCPU += v;
        break;
      case MEMORY:
        r.memory += v;
        break;
      case EPHEMERAL_STORAGE:
        r.ephemeralStorage += v;
        break;
      case PODS:
        break;
      default:
        if (isScalarResourceName(name)) r.scalar.set(name, (r.scalar.get(name) ?? 0) + v);
    }
  }
  return r;
}
