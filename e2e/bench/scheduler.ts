#!/usr/bin/env node
// Benchmark: how many pods per second the kube-scheduler binds, against how many binding POSTs
// the apiserver itself takes, in the same run on the same etcd and apiserver.
//
//   node e2e/bench/scheduler.ts [--nodes 500] [--pods 5000] [--concurrency 64] [--time-limit 300]
//
// 1. Start etcd and a kube-apiserver; create --nodes nodes through the API (allocatable and a
//    Ready condition, as a kubelet would report; no kubelets run).
// 2. Raw baseline: create --pods pods in namespace bench-raw (untimed), then issue their
//    `POST pods/<name>/binding` directly, --concurrency in flight, round-robin over the nodes.
//    Throughput = pods / (first POST -> a watch has seen the last pod bound).
// 3. Raw baseline with events: the same in bench-raw-events, each binding followed by the
//    Scheduled event POST the scheduler writes for it: the apiserver's capacity for exactly the
//    writes a scheduler makes per pod.
// 4. Scheduler: create --pods pods in namespace bench-sched (untimed), then start
//    `node scheduler/src/main.ts` (no leader election, client QPS raised as scheduler_perf does:
//    the default 50 qps would be the limit otherwise). Throughput = pods / (the scheduler's
//    "caches synced, scheduling" -> the same kind of watch has seen the last pod bound). This
//    includes filtering and scoring every pod against the nodes, the binding POSTs, and the
//    Scheduled events.
// 5. Print the three rates and the scheduler's ratio to each baseline (1.0 = the scheduler goes
//    as fast as the apiserver lets it). The baselines' pods stay bound, so the scheduler works
//    on a cluster that already runs 2 x --pods pods. Every phase stops at the --time-limit
//    deadline and says so. Only ratios compare across machines.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Command, Option } from 'commander';
import { Pool } from 'undici';
import {
  REPO_ROOT,
  freePort,
  startApiserver,
  waitFor,
  type ApiserverHandle,
  type EtcdHandle,
} from '@minik8s/shared/testing';
import { startBenchEtcd } from './bench-etcd.ts';

const RAW_NS = 'bench-raw';
const RAW_EVENTS_NS = 'bench-raw-events';
const SCHED_NS = 'bench-sched';

interface BenchOptions {
  nodes: number;
  pods: number;
  concurrency: number;
  timeLimit: number;
  schedulerQps: number;
  etcd: 'auto' | 'process' | 'container';
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
};

const program = new Command('bench-scheduler')
  .description(
    'Measures pods bound per second by kube-scheduler and, in the same run, the apiserver\'s raw binding throughput (the same binding POSTs issued directly), and prints the ratio.',
  )
  .addOption(new Option('--nodes <n>', 'nodes created through the API').argParser(positiveInt('--nodes')).default(500))
  .addOption(new Option('--pods <n>', 'pods bound in each phase (raw and scheduler)').argParser(positiveInt('--pods')).default(5000))
  .addOption(new Option('--concurrency <n>', 'requests in flight when creating objects and in the raw binding phase').argParser(positiveInt('--concurrency')).default(64))
  .addOption(new Option('--scheduler-qps <n>', "the scheduler's --kube-api-qps and --kube-api-burst").argParser(positiveInt('--scheduler-qps')).default(5000))
  .addOption(new Option('--time-limit <seconds>', 'deadline for the whole run: a phase that reaches it stops early and says so').argParser(positiveInt('--time-limit')).default(300))
  .addOption(new Option('--etcd <how>', 'where etcd comes from: auto (as the tests pick), process (an etcd binary), container (Docker)').choices(['auto', 'process', 'container']).default('auto'))
  .showHelpAfterError();

// ---------------------------------------------------------------------------------------------

const t0 = performance.now();
let deadline = Infinity;

function progress(msg: string): void {
  process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
}

async function runPool(label: string, n: number, concurrency: number, op: (i: number) => Promise<void>): Promise<{ done: number; cut: boolean }> {
  let next = 0;
  let done = 0;
  let lastReport = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n && performance.now() < deadline) {
      const i = next++;
      await op(i);
      done++;
      if (performance.now() - lastReport > 5_000) {
        lastReport = performance.now();
        progress(`${label}: ${done}/${n}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { done, cut: done < n };
}

async function httpJson(pool: Pool, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await pool.request({ method, path, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

function expectStatus(what: string, got: number, want: number[], json: any): void {
  if (!want.includes(got)) throw new Error(`${what}: HTTP ${got}, want ${want.join(' or ')}: ${JSON.stringify(json)?.slice(0, 300)}`);
}

function nodeManifest(name: string): unknown {
  const allocatable = { cpu: '32', memory: '128Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${name.length % 3}` } },
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
  };
}

/** scheduler_perf's default pod: small requests, so resources never run out before the pod count. */
function podManifest(namespace: string, name: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' } } }] },
  };
}

// ---------------------------------------------------------------------------------------------

interface BoundWatch {
  /** Resolves with the time (ms, epoch) the watch saw the n-th distinct bound pod; undefined at the deadline. */
  allBound: Promise<number | undefined>;
  count(): number;
  close(): void;
}

/** Watches a namespace from `rv` and counts pods that got a spec.nodeName. */
async function watchBound(apiUrl: string, namespace: string, rv: string, n: number): Promise<BoundWatch> {
  const ac = new AbortController();
  const res = await fetch(`${apiUrl}/api/v1/namespaces/${namespace}/pods?watch=true&resourceVersion=${rv}`, { signal: ac.signal });
  if (res.status !== 200) throw new Error(`watch ${namespace}: HTTP ${res.status}`);
  const bound = new Set<string>();
  let resolve!: (v: number | undefined) => void;
  const allBound = new Promise<number | undefined>((r) => (resolve = r));
  const timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - performance.now()));
  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as { type: string; object: { metadata?: { name?: string }; spec?: { nodeName?: string } } };
          const name = ev.object.metadata?.name;
          if (name && ev.object.spec?.nodeName && !bound.has(name)) {
            bound.add(name);
            if (bound.size === n) {
              clearTimeout(timer);
              resolve(Date.now());
            }
          }
        }
      }
    } catch {
      // closed
    }
  })();
  return { allBound, count: () => bound.size, close: () => ac.abort() };
}

async function createPods(api: Pool, namespace: string, n: number, concurrency: number): Promise<string> {
  const ns = await httpJson(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  expectStatus(`create namespace ${namespace}`, ns.status, [201, 409], ns.json);
  progress(`creating ${n} pods in ${namespace} (untimed)`);
  const r = await runPool(`pods in ${namespace}`, n, concurrency, async (i) => {
    const res = await httpJson(api, 'POST', `/api/v1/namespaces/${namespace}/pods`, podManifest(namespace, `pod-${i}`));
    expectStatus(`POST ${namespace}/pod-${i}`, res.status, [201], res.json);
  });
  if (r.cut) throw new Error(`the deadline passed while creating pods in ${namespace} (${r.done}/${n})`);
  const list = await httpJson(api, 'GET', `/api/v1/namespaces/${namespace}/pods?limit=1`);
  return String(list.json.metadata.resourceVersion);
}

interface PhaseResult {
  bound: number;
  seconds: number;
  podsPerSecond: number;
  cut: boolean;
}

/** The Scheduled event the scheduler writes for a pod, as the raw+events baseline sends it. */
function scheduledEvent(namespace: string, pod: string, node: string): unknown {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${pod}.${(BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`, namespace },
    involvedObject: { kind: 'Pod', namespace, name: pod, apiVersion: 'v1' },
    reason: 'Scheduled',
    message: `Successfully assigned ${namespace}/${pod} to ${node}`,
    type: 'Normal',
    action: 'Binding',
    source: { component: 'default-scheduler' },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    reportingComponent: 'default-scheduler',
  };
}

/** Binds every pod of a fresh namespace with direct POSTs (and, with `events`, one Scheduled event POST per pod). */
async function rawBindings(opts: BenchOptions, api: Pool, apiUrl: string, namespace: string, events: boolean): Promise<PhaseResult> {
  const label = events ? 'raw+events' : 'raw';
  const rv = await createPods(api, namespace, opts.pods, opts.concurrency);
  const watch = await watchBound(apiUrl, namespace, rv, opts.pods);
  progress(`${label}: ${opts.pods} binding POSTs${events ? ' each followed by an event POST' : ''} at concurrency ${opts.concurrency}`);
  const start = Date.now();
  await runPool(`${label} bindings`, opts.pods, opts.concurrency, async (i) => {
    const node = `node-${i % opts.nodes}`;
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: `pod-${i}`, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: node } };
    const res = await httpJson(api, 'POST', `/api/v1/namespaces/${namespace}/pods/pod-${i}/binding`, binding);
    expectStatus(`bind ${namespace}/pod-${i}`, res.status, [201], res.json);
    if (events) {
      const ev = await httpJson(api, 'POST', `/api/v1/namespaces/${namespace}/events`, scheduledEvent(namespace, `pod-${i}`, node));
      expectStatus(`event for ${namespace}/pod-${i}`, ev.status, [201], ev.json);
    }
  });
  const end = await watch.allBound;
  watch.close();
  const seconds = ((end ?? Date.now()) - start) / 1000;
  return { bound: watch.count(), seconds, podsPerSecond: watch.count() / seconds, cut: end === undefined };
}

interface SchedulerChild {
  child: ChildProcess;
  port: number;
  output(): string;
  /** When the scheduler logged that its caches synced and it starts scheduling (ms, epoch). */
  syncedAt: Promise<number>;
  stop(): Promise<void>;
}

async function startSchedulerProcess(apiUrl: string, qps: number): Promise<SchedulerChild> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['scheduler/src/main.ts', `--master=${apiUrl}`, `--port=${port}`, '--bind-address=127.0.0.1', '--leader-elect=false', `--kube-api-qps=${qps}`, `--kube-api-burst=${qps}`],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  process.on('exit', () => child.kill('SIGKILL'));
  let out = '';
  let resolveSynced!: (t: number) => void;
  const syncedAt = new Promise<number>((r) => (resolveSynced = r));
  let lineBuf = '';
  const onData = (d: Buffer) => {
    out += d.toString();
    if (out.length > 1 << 20) out = out.slice(-(1 << 19));
    lineBuf += d.toString();
    let nl: number;
    while ((nl = lineBuf.indexOf('\n')) >= 0) {
      const line = lineBuf.slice(0, nl);
      lineBuf = lineBuf.slice(nl + 1);
      if (!line.includes('caches synced')) continue;
      try {
        resolveSynced((JSON.parse(line) as { time: number }).time);
      } catch {
        resolveSynced(Date.now());
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    child,
    port,
    output: () => out,
    syncedAt,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function schedulerPhase(opts: BenchOptions, api: Pool, apiUrl: string): Promise<{ result: PhaseResult; sched: SchedulerChild }> {
  const rv = await createPods(api, SCHED_NS, opts.pods, opts.concurrency);
  const watch = await watchBound(apiUrl, SCHED_NS, rv, opts.pods);
  progress(`scheduler: starting kube-scheduler (qps ${opts.schedulerQps}) with ${opts.pods} pending pods`);
  const sched = await startSchedulerProcess(apiUrl, opts.schedulerQps);
  const exited = once(sched.child, 'exit').then(() => undefined);
  const synced = await Promise.race([sched.syncedAt, exited, waitFor(() => performance.now() > deadline, { timeoutMs: Math.max(1, deadline - performance.now()) + 1000 }).then(() => undefined)]);
  if (synced === undefined) throw new Error(`kube-scheduler did not start scheduling:\n${sched.output().slice(-4000)}`);
  progress('scheduler: caches synced, scheduling');
  // The watch may lag behind the bindings when the apiserver is saturated: show both.
  const reporter = setInterval(() => {
    void scheduleAttempts(sched).then(
      (a) => progress(`scheduler: ${watch.count()}/${opts.pods} seen bound, ${a.scheduled ?? 0} bound by the scheduler's count`),
      () => {},
    );
  }, 5_000);
  const end = await watch.allBound;
  clearInterval(reporter);
  watch.close();
  const seconds = ((end ?? Date.now()) - synced) / 1000;
  return { result: { bound: watch.count(), seconds, podsPerSecond: watch.count() / seconds, cut: end === undefined }, sched };
}

/** The scheduler's own count of attempts by result, from its /metrics. */
async function scheduleAttempts(sched: SchedulerChild): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${sched.port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^scheduler_schedule_attempts_total\{result="([a-z]+)",[^}]*\} (\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<BenchOptions>();
  deadline = t0 + opts.timeLimit * 1000;
  setTimeout(() => {
    process.stderr.write(`bench: still running ${opts.timeLimit + 30} s after start; giving up\n`);
    process.exit(2);
  }, (opts.timeLimit + 30) * 1000).unref();

  let etcd: EtcdHandle | undefined;
  let apiserver: ApiserverHandle | undefined;
  let api: Pool | undefined;
  let sched: SchedulerChild | undefined;
  try {
    progress(`starting etcd (${opts.etcd})`);
    etcd = await startBenchEtcd(opts.etcd);
    apiserver = await startApiserver({ etcdServers: etcd.endpoints });
    progress(`apiserver at ${apiserver.url}`);
    api = new Pool(apiserver.url, { connections: opts.concurrency, pipelining: 1 });

    progress(`creating ${opts.nodes} nodes (untimed)`);
    const nodes = await runPool('nodes', opts.nodes, opts.concurrency, async (i) => {
      const res = await httpJson(api!, 'POST', '/api/v1/nodes', nodeManifest(`node-${i}`));
      expectStatus(`POST node-${i}`, res.status, [201], res.json);
    });
    if (nodes.cut) throw new Error(`the deadline passed while creating nodes (${nodes.done}/${opts.nodes})`);
    const probe = await httpJson(api, 'GET', '/api/v1/nodes/node-0');
    if (!probe.json?.status?.allocatable) throw new Error('the apiserver dropped the status of created nodes: the scheduler would see no allocatable');

    const raw = await rawBindings(opts, api, apiserver.url, RAW_NS, false);
    progress(`raw: ${raw.bound} pods bound in ${raw.seconds.toFixed(2)} s = ${raw.podsPerSecond.toFixed(0)} pods/s${raw.cut ? ' (cut by the deadline)' : ''}`);
    const rawEvents = await rawBindings(opts, api, apiserver.url, RAW_EVENTS_NS, true);
    progress(`raw+events: ${rawEvents.bound} pods bound in ${rawEvents.seconds.toFixed(2)} s = ${rawEvents.podsPerSecond.toFixed(0)} pods/s${rawEvents.cut ? ' (cut by the deadline)' : ''}`);
    const phase = await schedulerPhase(opts, api, apiserver.url);
    sched = phase.sched;
    const s = phase.result;
    progress(`scheduler: ${s.bound} pods bound in ${s.seconds.toFixed(2)} s = ${s.podsPerSecond.toFixed(0)} pods/s${s.cut ? ' (cut by the deadline)' : ''}`);
    const attempts = await scheduleAttempts(sched);

    const ratio = s.podsPerSecond / raw.podsPerSecond;
    console.log();
    console.log(`nodes ${opts.nodes}, pods ${opts.pods} per phase, raw concurrency ${opts.concurrency}, scheduler qps ${opts.schedulerQps}`);
    console.log(`raw binding POSTs : ${raw.podsPerSecond.toFixed(1).padStart(8)} pods/s  (${raw.bound} in ${raw.seconds.toFixed(2)} s)${raw.cut ? '  CUT BY DEADLINE' : ''}`);
    console.log(`raw binding+event : ${rawEvents.podsPerSecond.toFixed(1).padStart(8)} pods/s  (${rawEvents.bound} in ${rawEvents.seconds.toFixed(2)} s)${rawEvents.cut ? '  CUT BY DEADLINE' : ''}`);
    console.log(`kube-scheduler    : ${s.podsPerSecond.toFixed(1).padStart(8)} pods/s  (${s.bound} in ${s.seconds.toFixed(2)} s)${s.cut ? '  CUT BY DEADLINE' : ''}`);
    console.log(`scheduler attempts: ${Object.entries(attempts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
    console.log(`scheduler / raw   : ${ratio.toFixed(2)}  (1.00 = as fast as the apiserver takes bare binding POSTs)`);
    console.log(`scheduler / raw+ev: ${(s.podsPerSecond / rawEvents.podsPerSecond).toFixed(2)}  (1.00 = as fast as the apiserver takes the writes the scheduler makes: a binding and a Scheduled event per pod)`);
    console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    if (sched) process.stderr.write(`\nkube-scheduler log (tail):\n${sched.output().slice(-4000)}\n`);
    if (apiserver) process.stderr.write(`\napiserver log (tail):\n${apiserver.logs().slice(-4000)}\n`);
    throw err;
  } finally {
    progress('cleaning up');
    await sched?.stop();
    await api?.destroy();
    await apiserver?.stop();
    await etcd?.stop();
  }
}

await main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
