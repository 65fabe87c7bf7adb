// Real processes for integration tests: an etcd, a kube-apiserver, and kube-schedulers started
// as `node scheduler/src/main.ts`, plus the few API calls the tests make.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { REPO_ROOT, freePort, startApiserver, startEtcd, waitFor, type ApiserverHandle, type EtcdHandle } from '@minik8s/shared/testing';

export interface Cluster {
  etcd: EtcdHandle;
  api: ApiserverHandle;
  stop(): Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const etcd = await startEtcd();
  try {
    const api = await startApiserver({ etcdServers: etcd.endpoints });
    return {
      etcd,
      api,
      stop: async () => {
        await api.stop();
        await etcd.stop();
      },
    };
  } catch (err) {
    await etcd.stop();
    throw err;
  }
}

export interface SchedulerProcess {
  readonly process: ChildProcess;
  readonly port: number;
  logs(): string;
  /** GET /metrics, parsed into "name{labels}" -> value. */
  metrics(): Promise<Map<string, number>>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** Starts a kube-scheduler process and resolves once its /healthz answers. */
export async function startScheduler(apiUrl: string, args: string[] = []): Promise<SchedulerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['scheduler/src/main.ts', `--master=${apiUrl}`, `--port=${port}`, '--bind-address=127.0.0.1', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  child.on('exit', () => running.delete(child));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`kube-scheduler exited with ${child.exitCode}:\n${out}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return res.status === 200;
    },
    { timeoutMs: 30_000, message: 'kube-scheduler never served /healthz' },
  );
  return {
    process: child,
    port,
    logs: () => out,
    async metrics() {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const m = new Map<string, number>();
      for (const line of text.split('\n')) {
        if (!line || line.startsWith('#')) continue;
        const i = line.lastIndexOf(' ');
        m.set(line.slice(0, i), Number(line.slice(i + 1)));
      }
      return m;
    },
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}

export async function api(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export function nodeManifest(name: string, opts: { cpu?: string; memory?: string; pods?: string; ready?: 'True' | 'False'; labels?: Record<string, string>; taints?: unknown[] } = {}): unknown {
  const allocatable = { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: opts.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: opts.taints ? { taints: opts.taints } : {},
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: opts.ready ?? 'True', reason: 'KubeletReady', message: 'ready' }] },
  };
}

/** Creates a node; a node's status is set by POSTing it whole (the create keeps status, as for kubelets registering). */
export async function createNode(base: string, manifest: any): Promise<any> {
  const created = await api(base, 'POST', '/api/v1/nodes', manifest);
  if (!created.status?.allocatable) {
    // An apiserver that drops status on create: write it through the status subresource.
    await api(base, 'PUT', `/api/v1/nodes/${manifest.metadata.name}/status`, { ...created, status: manifest.status });
  }
  return created;
}

export function podManifest(name: string, opts: { cpu?: string; labels?: Record<string, string>; namespace?: string } = {}): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.namespace ?? 'default', ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], ...(opts.cpu ? { resources: { requests: { cpu: opts.cpu } } } : {}) }] },
  };
}

export async function getPod(base: string, name: string, namespace = 'default'): Promise<any> {
  return api(base, 'GET', `/api/v1/namespaces/${namespace}/pods/${name}`);
}

export async function eventsFor(base: string, pod: string, reason?: string, namespace = 'default'): Promise<any[]> {
  const sel = [`involvedObject.name=${pod}`, ...(reason ? [`reason=${reason}`] : [])].join(',');
  const list = await api(base, 'GET', `/api/v1/namespaces/${namespace}/events?fieldSelector=${encodeURIComponent(sel)}`);
  return list.items;
}
