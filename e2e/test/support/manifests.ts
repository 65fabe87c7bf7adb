// Small manifest builders: the objects a user would write in YAML, as plain JSON.

export interface PodOptions {
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  nodeName?: string;
  image?: string;
  /** Replaces the single default container `c`. */
  containers?: Record<string, unknown>[];
}

export function pod(name: string, opts: PodOptions = {}): Record<string, any> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(opts.namespace ? { namespace: opts.namespace } : {}), ...(opts.labels ? { labels: opts.labels } : {}), ...(opts.annotations ? { annotations: opts.annotations } : {}) },
    spec: {
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      containers: opts.containers ?? [{ name: 'c', image: opts.image ?? 'busybox:1.36', command: ['sleep', '3600'] }],
    },
  };
}

export interface DeploymentOptions {
  namespace?: string;
  replicas?: number;
  /** The pod template's containers; default one `web` container running `image`. */
  containers?: Record<string, unknown>[];
  image?: string;
  /** Selector and template labels; default { app: name }. */
  labels?: Record<string, string>;
  strategy?: Record<string, unknown>;
}

export function deployment(name: string, opts: DeploymentOptions = {}): Record<string, any> {
  const labels = opts.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(opts.namespace ? { namespace: opts.namespace } : {}), labels },
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: labels },
      ...(opts.strategy ? { strategy: opts.strategy } : {}),
      template: {
        metadata: { labels },
        spec: { containers: opts.containers ?? [{ name: 'web', image: opts.image ?? 'nginx:1.27' }] },
      },
    },
  };
}

export function namespace(name: string): Record<string, any> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function configMap(name: string, data: Record<string, string>, namespace?: string): Record<string, any> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}) }, data };
}

export function node(name: string, labels: Record<string, string> = {}): Record<string, any> {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } } };
}

/** A Ready node's status as a kubelet reports it (written through PUT .../nodes/<name>/status). */
export function readyNodeStatus(internalIP: string, kubeletVersion = 'v1.32.4'): Record<string, any> {
  const now = nowTime();
  return {
    capacity: { cpu: '2', memory: '4Gi', pods: '110' },
    allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
    conditions: [
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now },
    ],
    addresses: [
      { type: 'InternalIP', address: internalIP },
      { type: 'Hostname', address: 'host' },
    ],
    nodeInfo: {
      machineID: 'm',
      systemUUID: 's',
      bootID: 'b',
      kernelVersion: '6.1.0-test',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'process://0.1.0',
      kubeletVersion,
      kubeProxyVersion: kubeletVersion,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** RFC 3339 with seconds, as Kubernetes writes metav1.Time. */
export function nowTime(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A Running pod's status as a kubelet reports it, every container ready. */
export function runningPodStatus(ip: string, containers: { name: string; image: string; restartCount?: number }[]): Record<string, any> {
  const now = nowTime();
  const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
  return {
    phase: 'Running',
    hostIP: '192.168.0.10',
    podIP: ip,
    podIPs: [{ ip }],
    startTime: now,
    conditions: [cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      containerID: `process://${c.name}`,
      ready: true,
      started: true,
      restartCount: c.restartCount ?? 0,
      state: { running: { startedAt: now } },
    })),
  };
}
