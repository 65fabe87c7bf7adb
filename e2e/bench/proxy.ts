#!/usr/bin/env node
// Benchmark: what kube-proxy's data path (userspace, and iptables when root) costs next to a
// direct connection.
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
//
// Then, when running as root on Linux with iptables (--iptables=auto, the default; `on` insists,
// `off` skips), the same again through kube-proxy --proxy-mode=iptables: the userspace
// kube-proxy is stopped, an iptables one programs the same node port, and the kernel DNATs
// 127.0.0.1:<node port> to the pod (masqueraded; route_localnet=1). Its table follows the
// userspace one, then both ratios side by side. At the end, also on failure or SIGINT/SIGTERM,
// `kube-proxy --cleanup` removes every KUBE-* rule and route_localnet is put back; the run fails
// if any KUBE-* rule is left. A host that already has KUBE-* chains is not touched (auto skips).
// Expect the iptables "new connection per request" figure to sag after the first round: node
// port traffic is masqueraded with --random-fully (as upstream), so with one client address,
// one pod, thousands of new connections per second and the pod closing first (Connection:
// close), the random source ports soon meet sockets the pod still holds in TIME_WAIT, whose PAWS
// check drops the SYN: a 1 s retransmit each. (Plain MASQUERADE keeps the client's port and
// showed no such drops here; many clients and pods rarely meet it.) The table then notes how
// many SYNs that cost (TcpExt PAWSTimewait).

import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
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
  iptables: 'auto' | 'on' | 'off';
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
  .addOption(new Option('--iptables <when>', 'also measure kube-proxy --proxy-mode=iptables: auto (when root on Linux with iptables), on, off').choices(['auto', 'on', 'off']).default('auto'))
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
// The iptables mode: whether it may run here, and leaving the firewall as it was found.

const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';

/** Why the iptables mode cannot be measured here, or undefined when it can. */
function iptablesUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  try {
    execFileSync('iptables-restore', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'iptables-restore is not installed';
  }
  if (kubeRules().length) return "this host already has KUBE-* iptables rules (the bench's --cleanup would remove them)";
  return undefined;
}

/** The filter and nat lines (chains and rules) that mention a KUBE-* chain. */
function kubeRules(): string[] {
  const saved = ['filter', 'nat'].map((t) => execFileSync('iptables-save', ['-t', t], { encoding: 'utf8' })).join('');
  return saved.split('\n').filter((l) => l.includes('KUBE-'));
}

function cleanupArgs(): string[] {
  return ['kube-proxy/src/main.ts', '--cleanup'];
}

/**
 * What the iptables phase leaves behind until teardown: the iptables kube-proxy, its rules, and
 * route_localnet (which kube-proxy sets to 1 and, as upstream, never resets).
 */
const iptablesMode: { proxy?: Child; dirty: boolean; routeLocalnet?: string } = { dirty: false };

/** Stops the iptables kube-proxy, runs `kube-proxy --cleanup`, puts route_localnet back; throws if a KUBE-* rule is left. */
async function teardownIptables(): Promise<void> {
  if (!iptablesMode.dirty) return;
  await iptablesMode.proxy?.stop();
  const result = await new Promise<{ code: number; output: string }>((resolve) =>
    execFile(process.execPath, cleanupArgs(), { cwd: REPO_ROOT }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, output: stdout + stderr })),
  );
  if (iptablesMode.routeLocalnet !== undefined) writeFileSync(ROUTE_LOCALNET, iptablesMode.routeLocalnet);
  iptablesMode.dirty = false;
  const left = kubeRules();
  if (result.code !== 0 || left.length) throw new Error(`kube-proxy --cleanup left the firewall dirty (exit ${result.code}):\n${result.output}${left.join('\n')}`);
  progress('iptables rules removed (kube-proxy --cleanup), route_localnet restored');
}

/** The same, synchronously, for SIGINT/SIGTERM: nothing asynchronous runs after the handler exits. */
function teardownIptablesSync(): void {
  if (!iptablesMode.dirty) return;
  iptablesMode.proxy?.proc.kill('SIGKILL');
  // Twice: a sync the killed kube-proxy had started may still land after the first cleanup.
  for (let i = 0; i < 2; i++) execFileSync(process.execPath, cleanupArgs(), { cwd: REPO_ROOT, stdio: 'ignore' });
  if (iptablesMode.routeLocalnet !== undefined) writeFileSync(ROUTE_LOCALNET, iptablesMode.routeLocalnet);
  iptablesMode.dirty = false;
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    progress(`${signal}: removing the iptables rules and stopping`);
    try {
      teardownIptablesSync();
    } finally {
      process.exit(code); // 'exit' hooks stop the other children
    }
  });
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

type Style = 'keep-alive' | 'new connection per request';
const STYLES: Style[] = ['keep-alive', 'new connection per request'];

interface Summary {
  perSecond: number;
  p50: number;
  p99: number;
  cut: boolean;
}

interface Comparison {
  rounds: number;
  byStyle: Record<Style, { direct: Summary; proxy: Summary; ratio: number }>;
  /** SYNs dropped by the PAWS check in TIME_WAIT during the proxy's new-connection phases. */
  pawsRejects: number;
}

/** TcpExt PAWSTimewait (/proc/net/netstat): SYNs that met a TIME_WAIT socket with newer timestamps; 0 where unknown. */
function pawsTimewaitRejects(): number {
  try {
    const [keys, values] = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'))
      .map((l) => l.split(' '));
    return Number(values?.[keys?.indexOf('PAWSTimewait') ?? -1]) || 0;
  } catch {
    return 0;
  }
}

/** Warm-up, then alternating direct and proxy phases per round; the median round of each. */
async function compare(mode: string, direct: string, viaProxy: string, opts: BenchOptions): Promise<Comparison> {
  progress(`${mode}: warming up (${direct} and ${viaProxy})`);
  await phase(direct, { ...opts, requests: 2_000 }, false);
  await phase(viaProxy, { ...opts, requests: 2_000 }, false);

  const results: Record<string, PhaseResult[]> = {};
  const record = (k: string, r: PhaseResult) => (results[k] ??= []).push(r);
  let pawsRejects = 0;
  for (let round = 1; round <= opts.rounds && performance.now() < deadline; round++) {
    for (const fresh of [false, true]) {
      const style = fresh ? 'new connection per request' : 'keep-alive';
      // Alternate which path goes first so drift over the run does not favour one.
      const order = round % 2 ? ([['direct', direct], ['proxy', viaProxy]] as const) : ([['proxy', viaProxy], ['direct', direct]] as const);
      for (const [path, origin] of order) {
        const paws = pawsTimewaitRejects();
        const r = await phase(origin, opts, fresh);
        if (fresh && path === 'proxy') pawsRejects += pawsTimewaitRejects() - paws;
        record(`${style}|${path}`, r);
        progress(`${mode} round ${round} ${style} ${path}: ${r.perSecond.toFixed(0)} req/s, p99 ${r.p99.toFixed(2)} ms${r.cut ? ` (stopped early after ${r.done})` : ''}`);
      }
    }
  }
  const pick = (k: string): Summary => {
    const rs = results[k] ?? [];
    return { perSecond: median(rs.map((r) => r.perSecond)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), cut: rs.some((r) => r.cut) };
  };
  const byStyle = {} as Comparison['byStyle'];
  for (const style of STYLES) {
    const d = pick(`${style}|direct`);
    const p = pick(`${style}|proxy`);
    byStyle[style] = { direct: d, proxy: p, ratio: (p.perSecond / d.perSecond) * 100 };
  }
  return { rounds: (results['keep-alive|direct'] ?? []).length, byStyle, pawsRejects };
}

/** One mode's table: requests/s, p50, p99 per path and connection style, and the ratios. */
function report(mode: string, c: Comparison, opts: BenchOptions): string[] {
  const lines: string[] = [];
  lines.push('', `kube-proxy ${mode} vs direct (${opts.connections} connections, ${opts.requests} requests per phase, median of ${c.rounds} rounds)`);
  lines.push(`${'connections'.padEnd(28)} ${'path'.padEnd(7)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
  for (const style of STYLES) {
    const { direct: d, proxy: p, ratio } = c.byStyle[style];
    for (const [name, r] of [['direct', d], ['proxy', p]] as const) {
      lines.push(`${style.padEnd(28)} ${name.padEnd(7)} ${r.perSecond.toFixed(0).padStart(9)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)}${r.cut ? '  (time-bounded)' : ''}`);
    }
    lines.push(`${style.padEnd(28)} ratio   throughput proxy/direct ${ratio.toFixed(1)}%   p99 proxy/direct ${(p.p99 / d.p99).toFixed(2)}x`);
  }
  if (c.pawsRejects > 0) {
    lines.push(`${'new connection per request'.padEnd(28)} note    ${c.pawsRejects} SYNs through the proxy met a TIME_WAIT socket at the pod and were dropped (PAWS), 1 s each: see the header`);
  }
  return lines;
}

function kubeProxyArgs(master: string, mode: 'userspace' | 'iptables', healthzPort: number): string[] {
  return [
    'kube-proxy/src/main.ts',
    `--master=${master}`,
    '--hostname-override=node-1',
    `--proxy-mode=${mode}`,
    '--bind-address=127.0.0.1',
    '--healthz-bind-address=127.0.0.1',
    `--healthz-port=${healthzPort}`,
    '--metrics-port=0',
    '--min-sync-period=0',
  ];
}

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<BenchOptions>();
  deadline = t0 + opts.timeLimit * 1000;
  const host = podAddress();
  const iptablesSkip = opts.iptables === 'off' ? '--iptables=off' : iptablesUnavailable();
  if (opts.iptables === 'on' && iptablesSkip) throw new Error(`--iptables=on, but the iptables mode cannot run here: ${iptablesSkip}`);
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
    proxy = startChild(kubeProxyArgs(api.url, 'userspace', await freePort()));
    const viaProxy = `http://127.0.0.1:${nodePort}`;
    const direct = `http://${host}:${pod.port}`;
    await waitFor(async () => (await fetch(`${viaProxy}/`)).status === 200, { timeoutMs: 30_000, message: `node port ${nodePort} never answered:\n${proxy.output()}` });

    const userspace = await compare('userspace', direct, viaProxy, opts);
    const lines = report('userspace', userspace, opts);
    const ratio = userspace.byStyle['keep-alive'].ratio;
    lines.push(`target: proxy throughput >= ${opts.target}% of direct (keep-alive): ${ratio.toFixed(1)}% ${ratio >= opts.target ? 'MET' : 'NOT MET'}`);
    process.stdout.write(lines.join('\n') + '\n');

    if (iptablesSkip) {
      process.stdout.write(`\nkube-proxy iptables: not measured (${iptablesSkip})\n`);
      return;
    }
    // The userspace proxy goes first: with both running, iptables' DNAT would take the node
    // port's traffic before the userspace listener sees it.
    await proxy.stop();
    await waitFor(async () => (await fetch(`${viaProxy}/`).then(() => 'open', () => 'closed')) === 'closed', { timeoutMs: 10_000, message: `node port ${nodePort} stayed open` });
    progress('starting kube-proxy --proxy-mode=iptables');
    iptablesMode.routeLocalnet = readFileSync(ROUTE_LOCALNET, 'utf8');
    iptablesMode.dirty = true;
    const iptablesProxy = startChild(kubeProxyArgs(api.url, 'iptables', await freePort()));
    iptablesMode.proxy = iptablesProxy;
    await waitFor(async () => (await fetch(`${viaProxy}/`)).status === 200, { timeoutMs: 30_000, message: `node port ${nodePort} never answered through iptables:\n${iptablesProxy.output()}` });
    const iptables = await compare('iptables', direct, viaProxy, opts);
    const out = report('iptables', iptables, opts);
    out.push('', `${'throughput proxy/direct'.padEnd(28)} ${'userspace'.padStart(10)} ${'iptables'.padStart(10)}`);
    for (const style of STYLES) {
      out.push(`${style.padEnd(28)} ${`${userspace.byStyle[style].ratio.toFixed(1)}%`.padStart(10)} ${`${iptables.byStyle[style].ratio.toFixed(1)}%`.padStart(10)}`);
    }
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    try {
      await teardownIptables();
    } finally {
      await proxy?.stop();
      await client?.close();
      await pod?.stop();
      await api?.stop();
      await etcd?.stop();
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench-proxy failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
