// One etcd + one real apiserver + kubelet processes (`node kubelet/src/main.ts`), for one test
// file. Each file starts its own cluster so files never share state; tests inside a file use
// their own namespaces. stop() stops the kubelets (the process runtime stops its containers),
// then kills whatever a kubelet's pid files still name, then the apiserver and etcd.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestClient, type KubeObject } from '@minik8s/shared';
import {
  REPO_ROOT,
  kubectl,
  startApiserver,
  startEtcd,
  waitFor,
  writeKubeconfig,
  type ApiserverHandle,
  type EtcdHandle,
  type KubectlResult,
} from '@minik8s/shared/testing';
import type { Pod } from '../../src/api/pod.ts';

export interface KubeletProcess {
  readonly nodeName: string;
  readonly process: ChildProcess;
  readonly rootDir: string;
  /** The kubelet API port (logs, exec), read from the Node's daemonEndpoints. */
  readonly port: number;
  logs(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after 20 s). Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL, then waits for the exit (its containers are killed through the pid files). */
  kill(): Promise<void>;
}

export interface TestCluster {
  readonly url: string;
  readonly kubeconfig: string;
  readonly client: RestClient;
  readonly dir: string;
  readonly apiserver: ApiserverHandle;
  readonly etcd: EtcdHandle;
  /**
   * Starts a kubelet for `nodeName` and waits until its Node is Ready (with `waitReady: false`
   * only until its API listens: for a kubelet whose apiserver is down).
   */
  startKubelet(nodeName: string, args?: string[], opts?: { waitReady?: boolean }): Promise<KubeletProcess>;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  createNamespace(name: string): Promise<void>;
  createPod(namespace: string, pod: Partial<Pod> & { metadata: { name: string } }): Promise<Pod>;
  getPod(namespace: string, name: string): Promise<Pod | undefined>;
  /** Events about an object, oldest first. */
  events(namespace: string, name: string): Promise<KubeObject[]>;
  stop(): Promise<void>;
}

const OUTPUT_LIMIT = 2 << 20;

/** Kills the process groups a kubelet's process runtime recorded (a kubelet that died hard). */
async function killRecorded(rootDir: string): Promise<void> {
  const dir = join(rootDir, 'process-runtime', 'pids');
  let files: string[] = [];
  try {
    files = await readdir(dir);
  } catch {
    return;
  }
  for (const f of files) {
    try {
      const pid = Number((await readFile(join(dir, f), 'utf8')).split(' ')[0]);
      if (pid > 0) process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

export async function startCluster(): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'minik8s-kubelet-'));
  const etcd = await startEtcd();
  let apiserver: ApiserverHandle;
  try {
    apiserver = await startApiserver({ etcdServers: etcd.endpoints });
  } catch (err) {
    await etcd.stop();
    throw err;
  }
  const kubeconfig = await writeKubeconfig(apiserver.url, dir);
  const client = new RestClient({ config: { server: apiserver.url }, component: 'kubelet-test', qps: 0 });
  const kubelets: KubeletProcess[] = [];

  const startKubelet = async (nodeName: string, args: string[] = [], opts: { waitReady?: boolean } = {}): Promise<KubeletProcess> => {
    const rootDir = join(dir, nodeName);
    const argv = [
      'kubelet/src/main.ts',
      `--master=${apiserver.url}`,
      `--node-name=${nodeName}`,
      '--node-ip=127.0.0.1',
      '--port=0',
      '--healthz-port=0',
      `--root-dir=${rootDir}`,
      `--pod-logs-dir=${join(rootDir, 'logs')}`,
      '--container-runtime=process',
      '--node-status-update-frequency=1s',
      '--pleg-relist-period=200ms',
      // Host networking unless a test asks for bridge (the default, auto, is bridge as root).
      '--pod-network=host',
      ...args,
    ];
    const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const append = (d: Buffer) => {
      output += d.toString();
      if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    const wait = async (signal: NodeJS.Signals, graceMs: number) => {
      if (exited()) return;
      const done = once(child, 'exit');
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await done;
      clearTimeout(t);
    };
    let stopped = false;
    const handle: KubeletProcess = {
      nodeName,
      process: child,
      rootDir,
      port: 0,
      logs: () => output,
      async stop() {
        if (stopped) return;
        stopped = true;
        await wait('SIGTERM', 20_000);
        await killRecorded(rootDir);
      },
      async kill() {
        await wait('SIGKILL', 0);
        await killRecorded(rootDir);
      },
    };
    kubelets.push(handle);
    let port = 0;
    try {
      // Ready, and registered by this very process: its Node names the port this kubelet logged.
      port = await waitFor(
        async () => {
          if (exited()) throw new Error(`kubelet exited: ${output}`);
          const m = /"port":(\d+),"msg":"kubelet server listening/.exec(output);
          if (!m) return 0;
          if (opts.waitReady === false) return Number(m[1]);
          const node = await client.get('nodes', nodeName).catch(() => undefined);
          const ready = node?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status === 'True';
          return ready && node!.status.daemonEndpoints.kubeletEndpoint.Port === Number(m[1]) ? Number(m[1]) : 0;
        },
        { timeoutMs: 30_000, intervalMs: 100, message: opts.waitReady === false ? `kubelet ${nodeName} never listened` : `node ${nodeName} never became Ready` },
      );
    } catch (err) {
      await handle.kill();
      throw new Error(`${(err as Error).message}\nkubelet output:\n${output}`);
    }
    Object.defineProperty(handle, 'port', { value: port });
    return handle;
  };

  return {
    url: apiserver.url,
    kubeconfig,
    client,
    dir,
    apiserver,
    etcd,
    startKubelet,
    kubectl: (args, o = {}) => kubectl(args, { kubeconfig, ...o }),
    async createNamespace(name) {
      await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KubeObject);
    },
    async createPod(namespace, pod) {
      return client.create<KubeObject, Pod>('pods', { apiVersion: 'v1', kind: 'Pod', spec: { containers: [] }, ...pod } as KubeObject, { namespace });
    },
    async getPod(namespace, name) {
      try {
        return await client.get<Pod>('pods', name, { namespace });
      } catch {
        return undefined;
      }
    },
    async events(namespace, name) {
      const list = await client.list('events', { namespace, fieldSelector: `involvedObject.name=${name}` });
      return list.items.sort((a, b) => String(a.firstTimestamp).localeCompare(String(b.firstTimestamp)));
    },
    async stop() {
      await Promise.all(kubelets.map((k) => k.stop()));
      await client.close();
      await apiserver.stop();
      await etcd.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** GET on a kubelet's own API (logs), as text. */
export async function kubeletGet(port: number, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text() };
}

/** A pod's container status by name. */
export function containerStatus(pod: Pod | undefined, name: string) {
  return pod?.status?.containerStatuses?.find((s) => s.name === name);
}

export function condition(pod: Pod | undefined, type: string) {
  return pod?.status?.conditions?.find((c) => c.type === type);
}
