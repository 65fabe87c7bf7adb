// Pods and nodes for unit tests, built the way the apiserver would store them.

import { randomUUID } from 'node:crypto';
import { CycleState } from '../src/framework/cycle-state.ts';
import type { Handle, NodeInfoLister, WorkloadListers } from '../src/framework/interfaces.ts';
import { NodeInfo } from '../src/framework/node-info.ts';
import type { Container, Node, NodeCondition, Pod, PodSpec, ResourceList, Taint } from '../src/types.ts';

export interface PodOptions {
  namespace?: string;
  requests?: ResourceList;
  labels?: Record<string, string>;
  nodeName?: string;
  spec?: Partial<PodSpec>;
  containers?: Container[];
  ownerReferences?: Pod['metadata']['ownerReferences'];
}

export function makePod(name: string, o: PodOptions = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: randomUUID(),
      resourceVersion: '1',
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.ownerReferences ? { ownerReferences: o.ownerReferences } : {}),
    },
    spec: {
      containers: o.containers ?? [{ name: 'c', image: 'busybox', ...(o.requests ? { resources: { requests: o.requests } } : {}) }],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...o.spec,
    },
    status: { phase: 'Pending' },
  };
}

export interface NodeOptions {
  allocatable?: ResourceList;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ready?: 'True' | 'False' | 'Unknown' | 'none';
  conditions?: NodeCondition[];
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  const ready = o.ready ?? 'True';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: randomUUID(), resourceVersion: '1', labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: o.allocatable ?? { cpu: '4', memory: '8Gi', pods: '110' },
      capacity: o.allocatable ?? { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: o.conditions ?? (ready === 'none' ? [] : [{ type: 'Ready', status: ready }]),
    },
  };
}

export function nodeInfo(node: Node, ...pods: Pod[]): NodeInfo {
  const ni = new NodeInfo(node.metadata.name!, node);
  for (const p of pods) ni.addPod({ ...p, spec: { ...p.spec, nodeName: node.metadata.name } });
  return ni;
}

export const noListers: WorkloadListers = {
  services: () => [],
  replicaSet: () => undefined,
  statefulSet: () => undefined,
  replicationController: () => undefined,
};

export function lister(nodes: NodeInfo[]): NodeInfoLister {
  return { list: () => nodes, get: (name) => nodes.find((n) => n.name === name) };
}

export function handle(nodes: NodeInfo[] = [], listers: WorkloadListers = noListers): Handle {
  return { snapshot: lister(nodes), listers };
}

export function cycleState(): CycleState {
  return new CycleState();
}
