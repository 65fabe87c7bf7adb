#!/usr/bin/env node
// Benchmark: what kube-proxy's userspace data path costs next to a direct connection.
//
// One run starts etcd, a real apiserver, one stand-in pod (an HTTP server answering "ok", in its
// own process) and a real kube-proxy (--proxy-mode=userspace, node ports on 127.0.0.1). A NodePort
// Service with one EndpointSlice points at the pod. Then, with the same load generator, the same
// request count and the same concurrency, it measures in alternating rounds:
//   direct  requests to the pod's own address and port
//   proxy   requests to 127.0.0.1:<node port>, forwarded by kube-proxy to the same pod
// twice over: on keep-alive connections (the forwarding cost per byte) and with one new
// connection per request (plus kube-proxy's accept, endpoint choice and dial per connection).
// It prints requests/s, p50 and p99 latency for each, and the proxy/direct ratios; the target is
// proxy throughput >= 70% of direct. Only ratios are comparable across machines. Each phase is
// bounded in requests and in time (--phase-seconds), the whole run by --time-limit. Nothing
// leaves the host (the pod listens on this host's own non-loopback address: EndpointSlices may
// not hold loopback addresses).

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Command, Option } from 'commander';
import { Pool } from 'undici';
import { RestClient } from '@minik8s/shared';
import { REPO_ROOT, freePort, startApiserver, startEtcd, waitFor, type ApiserverHandle, type EtcdHandle } from '@minik8s/shared/testing';

interface BenchOptions {
  requests: number;
  connections: number;
  rounds: number;
  phaseSeconds: number;
  timeLimit: number;
  target: number;
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
};

const program = new Command('bench-proxy')
  .description('Measures HTTP throughput and latency through kube-proxy (userspace) against a direct connection to the same pod, in one run.')
  .addOption(new Option('--requests <n>', 'requests per phase (one phase = one path, one connection style, one round)').argParser(positiveInt('--requests')).default(20_000))
  .addOption(new Option('--connections <n>', 'concurrent connections (requests in flight)').argParser(positiveInt('--connections')).default(16))
  .addOption(new Option('--rounds <n>', 'rounds; direct and proxy phases alternate within each, the median round is reported').argParser(positiveInt('--rounds')).default(3))
  .addOption(new Option('--phase-seconds <s>', 'a phase stops early after this long').argParser(positiveInt('--phase-seconds')).default(5))
  .addOption(new Option('--time-limit <seconds>', 'deadline for the whole run').argParser(positiveInt('--time-limit')).default(150))
  .addOption(new Option('--target <percent>', 'the throughput ratio the run is judged against').argParser(positiveInt('--target')).default(70))
  .showHelpAfterError();

const t0 = performance.now();
let deadline = Infinity;

function progress(msg: string): void {
  process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// ---------------------------------------------------------------------------------------------
// Processes.

function podAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.')) return a.address;
  }
  throw new Error('this host has no non-loopback IPv4 address for the stand-in pod (EndpointSlices refuse loopback addresses)');
}

interface Child {
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function startChild(args: string[]): Child {
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-64 * 1024));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const kill = () => proc.kill('SIGKILL');
  process.once('exit', kill);
  return {
    proc,
    output: () => out,
    stop: async () => {
      process.off('exit', kill);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await once(proc, 'exit');
      clearTimeout(t);
    },
  };
}

/** The stand-in pod: its own process, so it does not share an event loop with the load. */
async function startPod(host: string): Promise<Child & { port: number }> {
  const code = `
    const http = require('node:http');
    const s = http.createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }); res.end('ok'); });
    s.keepAliveTimeout = 60000;
    s.listen({ host: ${JSON.stringify(host)}, port: 0, backlog: 1024 }, () => console.log('PORT ' + s.address().port));
    process.on('SIGTERM', () => process.exit(0));`;
  const child = startChild(['-e', code]);
  const port = await waitFor(() => Number(/PORT (\d+)/.exec(child.output())?.[1]) || undefined, { timeoutMs: 10_000, message: 'the pod never listened' });
  return { ...child, port };
}

async function freeNodePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 30000 + Math.floor(Math.random() * 2768);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port in 30000-32767');
}

// ---------------------------------------------------------------------------------------------
// Load.

interface PhaseResult {
  done: number;
  perSecond: number;
  p50: number;
  p99: number;
  cut: boolean;
}

/**
 * `requests` GETs with `connections` in flight against `origin`: keep-alive connections, or a
 * new connection per request (`reset`). Every request must answer 200 "ok".
 */
async function phase(origin: string, opts: BenchOptions, newConnections: boolean): Promise<PhaseResult> {
  const pool = new Pool(origin, { connections: opts.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let next = 0;
  const stopAt = Math.min(deadline, performance.now() + opts.phaseSeconds * 1000);
  const start = performance.now();
  const worker = async () => {
    while (next < opts.requests && performance.now() < stopAt) {
      next++;
      const t = performance.now();
      const res = await pool.request({ method: 'GET', path: '/', reset: newConnections });
      const body = await res.body.text();
      if (res.statusCode !== 200 || body !== 'ok') throw new Error(`${origin}: HTTP ${res.statusCode} ${body.slice(0, 100)}`);
      latencies.push(performance.now() - t);
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.connections }, worker));
  } finally {
    await pool.close();
  }
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return { done: latencies.length, perSecond: (latencies.length / elapsed) * 1000, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), cut: latencies.length < opts.requests };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<BenchOptions>();
  deadline = t0 + opts.timeLimit * 1000;
  const host = podAddress();
  let etcd: EtcdHandle | undefined;
  let api: ApiserverHandle | undefined;
  let pod: (Child & { port: number }) | undefined;
  let proxy: Child | undefined;
  let client: RestClient | undefined;
  try {
    progress('starting etcd, the apiserver and the pod');
    etcd = await startEtcd();
    api = await startApiserver({ etcdServers: etcd.endpoints });
    pod = await startPod(host);
    client = new RestClient({ config: { server: api.url }, component: 'bench-proxy', qps: 0 });
    const nodePort = await freeNodePort();
    await client.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bench', namespace: 'default' },
      spec: { type: 'NodePort', selector: { app: 'bench' }, ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort, protocol: 'TCP' }] },
    });
    await client.create('endpointslices.discovery.k8s.io', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'bench-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'bench' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [host], conditions: { ready: true }, nodeName: 'node-1' }],
      ports: [{ name: 'http', port: pod.port, protocol: 'TCP' }],
    } as never);
    progress('starting kube-proxy');
    const healthzPort = await freePort();
    proxy = startChild([
      'kube-proxy/src/main.ts',
      `--master=${api.url}`,
      '--hostname-override=node-1',
      '--proxy-mode=userspace',
      '--bind-address=127.0.0.1',
      '--healthz-bind-address=127.0.0.1',
      `--healthz-port=${healthzPort}`,
      '--metrics-port=0',
      '--min-sync-period=0',
    ]);
    const viaProxy = `http://127.0.0.1:${nodePort}`;
    const direct = `http://${host}:${pod.port}`;
    await waitFor(async () => (await fetch(`${viaProxy}/`)).status === 200, { timeoutMs: 30_000, message: `node port ${nodePort} never answered:\n${proxy.output()}` });

    progress(`warming up (${direct} and ${viaProxy})`);
    await phase(direct, { ...opts, requests: 2_000 }, false);
    await phase(viaProxy, { ...opts, requests: 2_000 }, false);

    const results: Record<string, PhaseResult[]> = {};
    const record = (k: string, r: PhaseResult) => (results[k] ??= []).push(r);
    for (let round = 1; round <= opts.rounds && performance.now() < deadline; round++) {
      for (const fresh of [false, true]) {
        const style = fresh ? 'new connection per request' : 'keep-alive';
        // Alternate which path goes first so drift over the run does not favour one.
        const order = round % 2 ? ([['direct', direct], ['proxy', viaProxy]] as const) : ([['proxy', viaProxy], ['direct', direct]] as const);
        for (const [path, origin] of order) {
          const r = await phase(origin, opts, fresh);
          record(`${style}|${path}`, r);
          progress(`round ${round} ${style} ${path}: ${r.perSecond.toFixed(0)} req/s, p99 ${r.p99.toFixed(2)} ms${r.cut ? ` (stopped early after ${r.done})` : ''}`);
        }
      }
    }

    const lines: string[] = [];
    const pick = (k: string) => {
      const rs = results[k] ?? [];
      return { perSecond: median(rs.map((r) => r.perSecond)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), cut: rs.some((r) => r.cut) };
    };
    lines.push('', `kube-proxy userspace vs direct (${opts.connections} connections, ${opts.requests} requests per phase, median of ${(results['keep-alive|direct'] ?? []).length} rounds)`);
    lines.push(`${'connections'.padEnd(28)} ${'path'.padEnd(7)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
    let verdict = '';
    for (const style of ['keep-alive', 'new connection per request']) {
      const d = pick(`${style}|direct`);
      const p = pick(`${style}|proxy`);
      for (const [name, r] of [['direct', d], ['proxy', p]] as const) {
        lines.push(`${style.padEnd(28)} ${name.padEnd(7)} ${r.perSecond.toFixed(0).padStart(9)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)}${r.cut ? '  (time-bounded)' : ''}`);
      }
      const ratio = (p.perSecond / d.perSecond) * 100;
      lines.push(`${style.padEnd(28)} ratio   throughput proxy/direct ${ratio.toFixed(1)}%   p99 proxy/direct ${(p.p99 / d.p99).toFixed(2)}x`);
      if (style === 'keep-alive') verdict = `target: proxy throughput >= ${opts.target}% of direct (keep-alive): ${ratio.toFixed(1)}% ${ratio >= opts.target ? 'MET' : 'NOT MET'}`;
    }
    lines.push(verdict);
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await proxy?.stop();
    await client?.close();
    await pod?.stop();
    await api?.stop();
    await etcd?.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench-proxy failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
