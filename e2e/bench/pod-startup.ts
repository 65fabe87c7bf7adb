#!/usr/bin/env node
// Benchmark: pod startup latency, as Kubernetes' SLO measures it (created -> Running observed
// through a watch; the SLO is p99 <= 5 s), for N pods on one kubelet, once per runtime.
//
// One run starts etcd, a real apiserver, and per runtime (process, then fake) one kubelet
// process registered as its own node. Pods are created with spec.nodeName (no scheduler), at
// most --concurrency creates in flight. A pod's latency is from just before its POST to the
// watch event that first shows it Running. The baseline, measured in the same run on the same
// apiserver, is create -> ADDED on the same watch (the API path alone); each runtime's p50/p99
// is printed with its ratio to it. Every phase is bounded by --time-limit; pods and kubelets
// are removed at the end of each phase.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { RestClient, type KubeObject } from '@minik8s/shared';
import { REPO_ROOT, startApiserver, startEtcd, waitFor, type ApiserverHandle, type EtcdHandle } from '@minik8s/shared/testing';

interface Options {
  pods: number;
  concurrency: number;
  runtimes: string[];
  timeLimit: number;
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
};

const program = new Command('bench-pod-startup')
  .description('Pod startup latency (created -> Running through a watch), p50/p99 per kubelet runtime, against the create -> ADDED baseline.')
  .addOption(new Option('--pods <n>', 'pods per runtime').argParser(positiveInt('--pods')).default(100))
  .addOption(new Option('--concurrency <n>', 'creates in flight').argParser(positiveInt('--concurrency')).default(10))
  .addOption(new Option('--runtimes <list>', 'comma-separated runtimes').argParser((v) => v.split(',')).default(['process', 'fake']))
  .addOption(new Option('--time-limit <seconds>', 'deadline of each phase').argParser(positiveInt('--time-limit')).default(120));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

interface KubeletChild {
  child: ChildProcess;
  output(): string;
}

async function startKubelet(url: string, nodeName: string, runtime: string, rootDir: string): Promise<KubeletChild> {
  const child = spawn(
    process.execPath,
    [
      'kubelet/src/main.ts',
      `--master=${url}`,
      `--node-name=${nodeName}`,
      `--container-runtime=${runtime}`,
      '--node-ip=127.0.0.1',
      '--port=0',
      '--healthz-port=0',
      `--root-dir=${rootDir}`,
      `--pod-logs-dir=${join(rootDir, 'logs')}`,
      `--max-pods=100000`,
      // The same network on every machine: a pod in the host's namespace (auto is bridge as root).
      '--pod-network=host',
      '--node-capacity=cpu=1000,memory=1Ti',
      // As upstream's density tests: the client rate limits are not what is measured.
      '--kube-api-qps=1000',
      '--kube-api-burst=2000',
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  return { child, output: () => out };
}

async function stopKubelet(k: KubeletChild): Promise<void> {
  if (k.child.exitCode !== null || k.child.signalCode !== null) return;
  const exited = once(k.child, 'exit');
  k.child.kill('SIGTERM');
  const t = setTimeout(() => k.child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(t);
}

interface PhaseResult {
  runtime: string;
  added: number[];
  running: number[];
  missing: number;
}

async function phase(client: RestClient, url: string, runtime: string, opts: Options, dir: string): Promise<PhaseResult> {
  const nodeName = `bench-${runtime}`;
  const ns = `startup-${runtime}`;
  await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as KubeObject);
  const kubelet = await startKubelet(url, nodeName, runtime, join(dir, nodeName));
  const deadline = Date.now() + opts.timeLimit * 1000;
  try {
    await waitFor(
      async () => (await client.get('nodes', nodeName).catch(() => undefined))?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'),
      { timeoutMs: 30_000, message: `kubelet ${nodeName} never Ready\n${kubelet.output()}` },
    );

    const createdAt = new Map<string, number>();
    const added = new Map<string, number>();
    const running = new Map<string, number>();
    const stop = new AbortController();
    const list = await client.list('pods', { namespace: ns });
    const watching = (async () => {
      for await (const ev of client.watch('pods', { namespace: ns, resourceVersion: list.metadata.resourceVersion, signal: stop.signal })) {
        const now = performance.now();
        const name = ev.object.metadata.name!;
        if (ev.type === 'ADDED' && !added.has(name)) added.set(name, now);
        if (ev.object.status?.phase === 'Running' && !running.has(name)) running.set(name, now);
        if (running.size === opts.pods) break;
      }
    })();

    const names = Array.from({ length: opts.pods }, (_, i) => `pod-${i}`);
    let next = 0;
    const worker = async () => {
      while (next < names.length && Date.now() < deadline) {
        const name = names[next++];
        createdAt.set(name, performance.now());
        await client.create(
          'pods',
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name, namespace: ns },
            spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
          } as KubeObject,
          { namespace: ns },
        );
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    await Promise.race([watching, waitFor(() => running.size === opts.pods, { timeoutMs: Math.max(1, deadline - Date.now()), intervalMs: 100 }).catch(() => undefined)]);
    stop.abort();
    await watching.catch(() => undefined);

    const lat = (m: Map<string, number>) => [...m].filter(([n]) => createdAt.has(n)).map(([n, t]) => t - createdAt.get(n)!).sort((a, b) => a - b);
    return { runtime, added: lat(added), running: lat(running), missing: opts.pods - running.size };
  } finally {
    // Delete the pods through the kubelet (graceful deletion), then stop it.
    await client.deleteCollection('pods', { namespace: ns }).catch(() => undefined);
    await waitFor(async () => (await client.list('pods', { namespace: ns })).items.length === 0, { timeoutMs: 60_000, intervalMs: 250 }).catch(() => undefined);
    await stopKubelet(kubelet);
  }
}

async function main(): Promise<void> {
  const opts = program.parse().opts<Options>();
  const dir = await mkdtemp(join(tmpdir(), 'minik8s-bench-startup-'));
  let etcd: EtcdHandle | undefined;
  let apiserver: ApiserverHandle | undefined;
  try {
    etcd = await startEtcd();
    apiserver = await startApiserver({ etcdServers: etcd.endpoints });
    const client = new RestClient({ config: { server: apiserver.url }, component: 'bench-pod-startup', qps: 0 });
    const results: PhaseResult[] = [];
    for (const runtime of opts.runtimes) results.push(await phase(client, apiserver.url, runtime, opts, dir));
    await client.close();

    const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
    console.log(`pod startup latency, ${opts.pods} pods per runtime, ${opts.concurrency} creates in flight (SLO: p99 <= 5 s)`);
    for (const r of results) {
      const baseP50 = percentile(r.added, 50);
      const baseP99 = percentile(r.added, 99);
      const p50 = percentile(r.running, 50);
      const p99 = percentile(r.running, 99);
      console.log(`  ${r.runtime.padEnd(8)} baseline create->ADDED   p50 ${fmt(baseP50)}  p99 ${fmt(baseP99)}`);
      console.log(
        `  ${r.runtime.padEnd(8)} create->Running          p50 ${fmt(p50)} (x${(p50 / baseP50).toFixed(1)})  p99 ${fmt(p99)} (x${(p99 / baseP99).toFixed(1)})` +
          `  ${p99 <= 5000 ? 'within' : 'OUTSIDE'} the SLO${r.missing ? `; ${r.missing} pods never Running before the deadline` : ''}`,
      );
    }
    if (results.some((r) => r.missing)) process.exitCode = 1;
  } finally {
    await apiserver?.stop();
    await etcd?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
