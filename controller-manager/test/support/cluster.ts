// One etcd + one real apiserver + controller-manager processes, for one test file.
//
// Each test file starts its own cluster (a few seconds) so files never share state; tests
// inside a file use their own namespaces.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
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

export interface ControllerManagerProcess {
  readonly process: ChildProcess;
  /** The health/metrics port it logged. */
  readonly port: number;
  logs(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  exited(): boolean;
}

export interface TestCluster {
  readonly url: string;
  readonly kubeconfig: string;
  readonly client: RestClient;
  readonly apiserver: ApiserverHandle;
  readonly etcd: EtcdHandle;
  /** Starts `node controller-manager/src/main.ts --master=<url> --port=0 ...args`. */
  startControllerManager(args?: string[]): Promise<ControllerManagerProcess>;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  createNamespace(name: string): Promise<void>;
  /** Stops every controller manager, the apiserver and etcd. */
  stop(): Promise<void>;
}

const OUTPUT_LIMIT = 2 << 20;

export async function startCluster(opts: { apiserverArgs?: string[] } = {}): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'minik8s-kcm-'));
  const etcd = await startEtcd();
  let apiserver: ApiserverHandle;
  try {
    apiserver = await startApiserver({ etcdServers: etcd.endpoints, args: opts.apiserverArgs });
  } catch (err) {
    await etcd.stop();
    throw err;
  }
  const kubeconfig = await writeKubeconfig(apiserver.url, dir);
  const client = new RestClient({ config: { server: apiserver.url }, component: 'kcm-test', qps: 0 });
  const managers: ControllerManagerProcess[] = [];

  return {
    url: apiserver.url,
    kubeconfig,
    client,
    apiserver,
    etcd,
    async startControllerManager(args = []) {
      const p = await spawnControllerManager(apiserver.url, args);
      managers.push(p);
      return p;
    },
    kubectl: (args, o = {}) => kubectl(args, { kubeconfig, ...o }),
    async createNamespace(name) {
      await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KubeObject);
    },
    async stop() {
      await Promise.all(managers.map((m) => m.stop()));
      await client.close();
      await apiserver.stop();
      await etcd.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function spawnControllerManager(url: string, args: string[]): Promise<ControllerManagerProcess> {
  const argv = ['controller-manager/src/main.ts', `--master=${url}`, '--bind-address=127.0.0.1', '--port=0', ...args];
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString();
    if (out.length > OUTPUT_LIMIT) out = out.slice(out.length - OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  const exitOf = async (signal: NodeJS.Signals, graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      await exited;
    } finally {
      clearTimeout(t);
      process.off('exit', kill);
    }
  };
  const port = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`controller manager exited with ${child.exitCode}:\n${out}`);
      const m = /serving healthz and metrics on [0-9.]+:([0-9]+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    },
    { timeoutMs: 20_000, message: 'the controller manager never logged its port' },
  ).catch(async (err) => {
    await exitOf('SIGKILL', 0);
    throw new Error(`${(err as Error).message}\n${out}`);
  });
  return {
    process: child,
    port,
    logs: () => out,
    stop: () => exitOf('SIGTERM', 10_000),
    kill: () => exitOf('SIGKILL', 0),
    exited: () => child.exitCode !== null || child.signalCode !== null,
  };
}

/** Short timings so the tests run in seconds: leader election, monitor period. */
export const FAST_FLAGS = ['--leader-elect=false', '--node-monitor-period=200ms'];
