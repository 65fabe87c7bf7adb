// Pod admission (lifecycle/predicate.go): before running a pod the kubelet checks that it fits
// the node — its nodeSelector matches the node's labels, the node has room for one more pod,
// and the requests of the pods it runs plus this one fit the allocatable cpu and memory.
// A rejected pod is failed with upstream's reason (NodeAffinity, OutOfpods, OutOfcpu,
// OutOfmemory) and message; it never runs.

import { parseQuantity, quantityToMilli } from '@minik8s/shared';
import type { Container, Pod } from './api/pod.ts';

export interface AdmitResult {
  admit: boolean;
  reason?: string;
  message?: string;
}

/** A pod's effective request: the larger of the sum of its containers and its largest init container. */
export function podRequests(pod: Pod): { cpuMilli: number; memory: number } {
  const sum = (cs: Container[]) =>
    cs.reduce(
      (acc, c) => {
        const r = c.resources?.requests ?? {};
        const l = c.resources?.limits ?? {};
        const cpu = r.cpu ?? l.cpu;
        const mem = r.memory ?? l.memory;
        acc.cpuMilli += cpu === undefined ? 0 : quantityToMilli(cpu);
        acc.memory += mem === undefined ? 0 : parseQuantity(mem);
        return acc;
      },
      { cpuMilli: 0, memory: 0 },
    );
  const app = sum(pod.spec.containers);
  for (const ic of pod.spec.initContainers ?? []) {
    const one = sum([ic]);
    app.cpuMilli = Math.max(app.cpuMilli, one.cpuMilli);
    app.memory = Math.max(app.memory, one.memory);
  }
  return app;
}

export function admitPod(pod: Pod, active: Pod[], nodeLabels: Record<string, string>, allocatable: Record<string, string>): AdmitResult {
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) {
    if (nodeLabels[k] !== v) {
      return { admit: false, reason: 'NodeAffinity', message: "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector" };
    }
  }
  const maxPods = allocatable.pods !== undefined ? Number(allocatable.pods) : Infinity;
  if (active.length + 1 > maxPods) {
    return { admit: false, reason: 'OutOfpods', message: `Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: ${active.length}, capacity: ${maxPods}` };
  }
  const want = podRequests(pod);
  const used = active.map(podRequests).reduce((a, b) => ({ cpuMilli: a.cpuMilli + b.cpuMilli, memory: a.memory + b.memory }), { cpuMilli: 0, memory: 0 });
  const cpuCap = allocatable.cpu !== undefined ? quantityToMilli(allocatable.cpu) : Infinity;
  if (want.cpuMilli > 0 && used.cpuMilli + want.cpuMilli > cpuCap) {
    return { admit: false, reason: 'OutOfcpu', message: `Pod was rejected: Node didn't have enough resource: cpu, requested: ${want.cpuMilli}, used: ${used.cpuMilli}, capacity: ${cpuCap}` };
  }
  const memCap = allocatable.memory !== undefined ? parseQuantity(allocatable.memory) : Infinity;
  if (want.memory > 0 && used.memory + want.memory > memCap) {
    return { admit: false, reason: 'OutOfmemory', message: `Pod was rejected: Node didn't have enough resource: memory, requested: ${want.memory}, used: ${used.memory}, capacity: ${memCap}` };
  }
  return { admit: true };
}
