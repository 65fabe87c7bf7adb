// The Node object the kubelet registers and the status it keeps posting (kubelet_node_status.go
// and nodestatus/setters.go), as pure functions of the machine, the flags and the clock.
//
// - Labels: kubernetes.io/hostname, kubernetes.io/os, kubernetes.io/arch (and the beta.* ones),
//   plus --node-labels.
// - capacity: cpu, memory, pods, ephemeral-storage from the machine (or --node-capacity);
//   allocatable = capacity - --kube-reserved - --system-reserved - the hard eviction thresholds
//   (memory.available<100Mi, nodefs.available<10%), as upstream.
// - conditions MemoryPressure/DiskPressure/PIDPressure (False) and Ready (True while the runtime
//   answers), each with lastHeartbeatTime = now and lastTransitionTime kept while unchanged.
// - nodeInfo (kubeletVersion, containerRuntimeVersion, ...), addresses (InternalIP, Hostname),
//   daemonEndpoints.kubeletEndpoint.Port.

import { KUBERNETES_VERSION, formatQuantity, parseQuantity, type KubeObject } from '@minik8s/shared';
import { rfc3339 } from '../api/pod.ts';
import type { MachineInfo } from './machine-info.ts';

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface NodeStatusConfig {
  nodeName: string;
  hostname: string;
  nodeIP: string;
  kubeletPort: number;
  maxPods: number;
  nodeLabels: Record<string, string>;
  /** Overrides of capacity (`cpu=4,memory=8Gi`); the rest comes from the machine. */
  capacityOverrides: Record<string, string>;
  kubeReserved: Record<string, string>;
  systemReserved: Record<string, string>;
  registerWithTaints: { key: string; value?: string; effect: string }[];
  podCIDR?: string;
}

export interface RuntimeHealth {
  /** e.g. process://v24.1.0, docker://20.10.24. */
  containerRuntimeVersion: string;
  /** Why the node is not ready (the runtime does not answer); undefined when ready. */
  notReadyReason?: string;
}

/** Parses `key=value,key2=value2` (the format of --node-labels, --kube-reserved, ...). */
export function parseMapFlag(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const i = part.indexOf('=');
    if (i < 0) throw new Error(`invalid key=value pair "${part}"`);
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** Parses --register-with-taints: `key=value:Effect,key2:Effect`. */
export function parseTaints(text: string): NodeStatusConfig['registerWithTaints'] {
  const out: NodeStatusConfig['registerWithTaints'] = [];
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const colon = part.lastIndexOf(':');
    if (colon < 0) throw new Error(`invalid taint spec "${part}": missing effect`);
    const kv = part.slice(0, colon);
    const effect = part.slice(colon + 1);
    const eq = kv.indexOf('=');
    out.push(eq < 0 ? { key: kv, effect } : { key: kv.slice(0, eq), value: kv.slice(eq + 1), effect });
  }
  return out;
}

export function nodeLabels(cfg: NodeStatusConfig, machine: MachineInfo): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': machine.architecture,
    'beta.kubernetes.io/os': machine.operatingSystem,
    'kubernetes.io/arch': machine.architecture,
    'kubernetes.io/hostname': cfg.hostname,
    'kubernetes.io/os': machine.operatingSystem,
    ...cfg.nodeLabels,
  };
}

/** The Node to POST at registration (status is set by the first status update). */
export function initialNode(cfg: NodeStatusConfig, machine: MachineInfo): KubeObject {
  const node: KubeObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: cfg.nodeName,
      labels: nodeLabels(cfg, machine),
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {},
  };
  if (cfg.registerWithTaints.length) node.spec.taints = cfg.registerWithTaints;
  if (cfg.podCIDR) {
    node.spec.podCIDR = cfg.podCIDR;
    node.spec.podCIDRs = [cfg.podCIDR];
  }
  return node;
}

export function capacity(cfg: NodeStatusConfig, machine: MachineInfo): Record<string, string> {
  return {
    cpu: String(machine.numCores),
    'ephemeral-storage': formatQuantity(machine.filesystemBytes, 'BinarySI'),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${Math.floor(machine.memoryBytes / 1024)}Ki`,
    pods: String(cfg.maxPods),
    ...cfg.capacityOverrides,
  };
}

/** Upstream's default hard eviction thresholds, which allocatable leaves room for. */
const EVICTION_HARD_MEMORY = 100 * 1024 * 1024;
const EVICTION_HARD_NODEFS_FRACTION = 0.1;

export function allocatable(cfg: NodeStatusConfig, cap: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...cap };
  const minus = (name: string, extra = 0) => {
    if (cap[name] === undefined) return;
    const reserved = [cfg.kubeReserved[name], cfg.systemReserved[name]].reduce((sum, q) => sum + (q === undefined ? 0 : parseQuantity(q)), 0);
    const v = Math.max(0, parseQuantity(cap[name]) - reserved - extra);
    out[name] = name === 'cpu' ? formatQuantity(v, 'DecimalSI') : name === 'memory' ? `${Math.floor(v / 1024)}Ki` : formatQuantity(Math.floor(v), 'DecimalSI');
  };
  minus('cpu');
  minus('memory', EVICTION_HARD_MEMORY);
  if (cap['ephemeral-storage'] !== undefined) minus('ephemeral-storage', parseQuantity(cap['ephemeral-storage']) * EVICTION_HARD_NODEFS_FRACTION);
  return out;
}

function condition(type: string, ok: boolean, okReason: string, okMessage: string, badReason: string, badMessage: string, trueIsOk: boolean): NodeCondition {
  const status = ok === trueIsOk ? 'True' : 'False';
  return { type, status, reason: ok ? okReason : badReason, message: ok ? okMessage : badMessage };
}

/** The node's conditions now; transition times carried over from `old` when a status did not change. */
export function nodeConditions(old: NodeCondition[] | undefined, health: RuntimeHealth, now: number): NodeCondition[] {
  const fresh = [
    condition('MemoryPressure', true, 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available', false),
    condition('DiskPressure', true, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', 'KubeletHasDiskPressure', 'kubelet has disk pressure', false),
    condition('PIDPressure', true, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available', false),
    condition('Ready', !health.notReadyReason, 'KubeletReady', 'kubelet is posting ready status', 'KubeletNotReady', health.notReadyReason ?? '', true),
  ];
  const at = rfc3339(now);
  return fresh.map((c) => {
    const o = old?.find((x) => x.type === c.type);
    return { ...c, lastHeartbeatTime: at, lastTransitionTime: o && o.status === c.status && o.lastTransitionTime ? o.lastTransitionTime : at };
  });
}

/** The whole status the kubelet owns; fields others set (e.g. images, volumesInUse) are kept from `old`. */
export function nodeStatus(cfg: NodeStatusConfig, machine: MachineInfo, health: RuntimeHealth, old: Record<string, any> | undefined, now: number): Record<string, any> {
  const cap = capacity(cfg, machine);
  return {
    ...(old ?? {}),
    capacity: cap,
    allocatable: allocatable(cfg, cap),
    conditions: nodeConditions(old?.conditions, health, now),
    addresses: [
      { type: 'InternalIP', address: cfg.nodeIP },
      { type: 'Hostname', address: cfg.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.kubeletPort } },
    nodeInfo: {
      machineID: machine.machineID,
      systemUUID: machine.systemUUID,
      bootID: machine.bootID,
      kernelVersion: machine.kernelVersion,
      osImage: machine.osImage,
      containerRuntimeVersion: health.containerRuntimeVersion,
      kubeletVersion: KUBERNETES_VERSION,
      kubeProxyVersion: '',
      operatingSystem: machine.operatingSystem,
      architecture: machine.architecture,
    },
  };
}

/** The status without heartbeat times: what decides whether a change must be posted at once. */
export function comparableNodeStatus(status: Record<string, any> | undefined): string {
  if (!status) return '';
  const s = structuredClone(status);
  s.conditions = (s.conditions ?? []).map((c: NodeCondition) => ({ ...c, lastHeartbeatTime: undefined }));
  return JSON.stringify(s);
}
