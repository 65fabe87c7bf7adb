#!/usr/bin/env node
// Benchmark: what the apiserver costs on top of the etcd it stores into.
//
// One run starts etcd and a real apiserver process, then measures each apiserver path and the raw
// etcd operation underneath it, on the same etcd, with the same payload and concurrency:
//   (a)+(b) creates/s: etcd Txn `if create_revision(key)==0 then put` vs POST .../pods
//   (c)     single-object reads/s: etcd get vs GET .../pods/<name>
//   (d)     RV=0 list of the whole namespace: etcd range get of the apiserver's own keys vs
//           GET .../pods?resourceVersion=0 (served from the watch cache)
//   (m)     memory: the apiserver's heap growth (after GC) while holding the pods vs the bytes etcd stores
//   (e)     watch fan-out: N watchers, one write, delivery latency from the moment the write is
//           issued until each watcher has the event (HTTP watches vs N etcd3 watchers on one client)
// and prints each number with its ratio to the raw-etcd baseline. Only ratios are comparable
// across machines. Every phase is bounded in count and by the --time-limit deadline.
//
// The apiserver runs with its own --etcd-prefix, so the raw-etcd phases write under /registry/
// without the apiserver's watch cache seeing (and paying for) them.

import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import { Etcd3, type Watcher } from 'etcd3';
import { Pool } from 'undici';
import {
  startApiserver,
  type ApiserverHandle,
  type EtcdHandle,
} from '@minik8s/shared/testing';
import { startBenchEtcd } from './bench-etcd.ts';

const NAMESPACE = 'bench';
const APISERVER_PREFIX = '/bench-apiserver';

interface BenchOptions {
  creates: number;
  gets: number;
  concurrency: number;
  listSize: number;
  listRepeats: number;
  watchers: number;
  etcdWatchers: number;
  watchWrites: number;
  timeLimit: number;
  etcd: 'auto' | 'process' | 'container';
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
};

const program = new Command('bench-apiserver')
  .description(
    'Measures apiserver creates/s, gets/s, RV=0 list latency and watch fan-out latency against raw etcd in the same run, ' +
      'and prints each with its ratio to the etcd baseline. etcd comes from @minik8s/shared/testing ' +
      '(ETCD_ENDPOINTS, else Docker with ETCD_IMAGE, else an etcd binary on PATH).',
  )
  .addOption(new Option('--creates <n>', 'pods created in each of the timed create phases (a) raw etcd and (b) apiserver').argParser(positiveInt('--creates')).default(3000))
  .addOption(new Option('--gets <n>', 'single-pod reads in each read phase (c)').argParser(positiveInt('--gets')).default(5000))
  .addOption(new Option('--concurrency <n>', 'requests in flight in phases (a), (b), (c) (and while filling the namespace)').argParser(positiveInt('--concurrency')).default(32))
  .addOption(new Option('--list-size <n>', 'pods in the namespace for the list phase (d); created untimed after (b) if --creates is smaller').argParser(positiveInt('--list-size')).default(10_000))
  .addOption(new Option('--list-repeats <n>', 'lists timed in phase (d), for each side').argParser(positiveInt('--list-repeats')).default(5))
  .addOption(new Option('--watchers <n>', 'concurrent HTTP watches in phase (e)').argParser(positiveInt('--watchers')).default(500))
  .addOption(new Option('--etcd-watchers <n>', 'etcd3 watchers (one client, one gRPC stream) in the baseline of phase (e)').argParser(positiveInt('--etcd-watchers')).default(500))
  .addOption(new Option('--watch-writes <n>', 'writes in phase (e); each is delivered to every watcher and every delivery is one latency sample').argParser(positiveInt('--watch-writes')).default(1))
  .addOption(new Option('--time-limit <seconds>', 'deadline for the whole run: a phase that reaches it stops early and says so').argParser(positiveInt('--time-limit')).default(170))
  .addOption(new Option('--etcd <how>', 'where etcd comes from: auto (as the tests pick), process (an etcd binary), container (Docker)').choices(['auto', 'process', 'container']).default('auto'))
  .showHelpAfterError();

// ---------------------------------------------------------------------------------------------
// Small helpers: progress, percentiles, a bounded worker pool.

const t0 = performance.now();
let deadline = Infinity;

function progress(msg: string): void {
  process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

interface PoolResult {
  done: number;
  elapsedMs: number;
  perSecond: number;
  /** true when the --time-limit deadline stopped the phase before `n` operations. */
  cut: boolean;
}

/**
 * Runs op(0..n-1) with `concurrency` in flight; stops starting new ones at the deadline. Any
 * failed operation fails the phase: a benchmark of errors measures nothing.
 */
async function runPool(label: string, n: number, concurrency: number, op: (i: number) => Promise<void>): Promise<PoolResult> {
  let next = 0;
  let done = 0;
  let lastReport = performance.now();
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n && performance.now() < deadline) {
      const i = next++;
      await op(i);
      done++;
      if (performance.now() - lastReport > 2_000) {
        lastReport = performance.now();
        progress(`${label}: ${done}/${n}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  const elapsedMs = performance.now() - start;
  return { done, elapsedMs, perSecond: (done / elapsedMs) * 1000, cut: done < n };
}

// ---------------------------------------------------------------------------------------------
// Payloads.

function podManifest(name: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NAMESPACE }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
}

/** The stored form of a pod (what the apiserver wrote for `template`), renamed: same size and shape. */
function storedPodLike(template: Record<string, any>, name: string): string {
  return JSON.stringify({
    ...template,
    metadata: { ...template.metadata, name, uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP.

async function httpJson(pool: Pool, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await pool.request({ method, path, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

function expectStatus(what: string, got: number, want: number[], json: any): void {
  if (!want.includes(got)) throw new Error(`${what}: HTTP ${got}, want ${want.join(' or ')}: ${JSON.stringify(json)?.slice(0, 300)}`);
}

// ---------------------------------------------------------------------------------------------
// Results table.

interface Row {
  phase: string;
  metric: string;
  apiserver: number;
  etcd: number;
  unit: string;
  /** 'higher' for throughput, 'lower' for latency: says how to read the ratio. */
  better: 'higher' | 'lower';
  note?: string;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function printTable(rows: Row[]): void {
  const header = ['phase', 'metric', 'apiserver', 'raw etcd', 'unit', 'apiserver/etcd', 'note'];
  const cells = rows.map((r) => [r.phase, r.metric, fmt(r.apiserver), fmt(r.etcd), r.unit, `${(r.apiserver / r.etcd).toFixed(2)}x`, r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((s, i) => (i >= 2 && i <= 3 ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  console.log();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

function printSummary(rows: Row[], opts: BenchOptions): void {
  console.log();
  console.log('Summary (ratios against raw etcd in this run; throughput: higher is better, latency: lower is better):');
  for (const r of rows) {
    const ratio = r.apiserver / r.etcd;
    const reading =
      r.better === 'higher' ? `the apiserver reaches ${(ratio * 100).toFixed(0)}% of raw etcd` : `the apiserver takes ${ratio.toFixed(2)}x raw etcd's time`;
    console.log(`  ${r.phase} ${r.metric}: ${reading}${r.note ? ` (${r.note})` : ''}`);
  }
  console.log(
    `  settings: concurrency ${opts.concurrency}, ${opts.creates} creates, ${opts.gets} gets, list of ${opts.listSize} x${opts.listRepeats}, ` +
      `${opts.watchers} HTTP watchers vs ${opts.etcdWatchers} etcd3 watchers, ${opts.watchWrites} watch write(s); total ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

// ---------------------------------------------------------------------------------------------
// Phases.

/** Returns how many pods (pod-0...) the apiserver created. */
async function benchCreates(opts: BenchOptions, etcd: Etcd3, api: Pool, template: Record<string, any>, rows: Row[]): Promise<number> {
  progress(`(a) raw etcd: ${opts.creates} create Txns at concurrency ${opts.concurrency}`);
  const raw = await runPool('(a) raw etcd creates', opts.creates, opts.concurrency, async (i) => {
    const key = `/registry/pods/${NAMESPACE}/raw-${i}`;
    const res = await etcd.if(key, 'Create', '==', 0).then(etcd.put(key).value(storedPodLike(template, `raw-${i}`))).commit();
    if (!res.succeeded) throw new Error(`(a) ${key} already exists: run against an empty etcd`);
  });
  progress(`(b) apiserver: ${opts.creates} POST pods at concurrency ${opts.concurrency}`);
  const viaApi = await runPool('(b) apiserver creates', opts.creates, opts.concurrency, async (i) => {
    const r = await httpJson(api, 'POST', `/api/v1/namespaces/${NAMESPACE}/pods`, podManifest(`pod-${i}`));
    expectStatus(`(b) POST pod-${i}`, r.status, [201], r.json);
  });
  rows.push({
    phase: '(a)/(b)',
    metric: 'creates',
    apiserver: viaApi.perSecond,
    etcd: raw.perSecond,
    unit: 'ops/s',
    better: 'higher',
    note: [raw.cut ? `etcd cut at ${raw.done}` : '', viaApi.cut ? `apiserver cut at ${viaApi.done}` : ''].filter(Boolean).join(', ') || undefined,
  });
  return viaApi.done;
}

async function fillNamespace(opts: BenchOptions, api: Pool, have: number): Promise<number> {
  if (have >= opts.listSize) return have;
  progress(`(d) filling namespace ${NAMESPACE} to ${opts.listSize} pods (untimed)`);
  const fill = await runPool('(d) fill', opts.listSize - have, opts.concurrency, async (i) => {
    const r = await httpJson(api, 'POST', `/api/v1/namespaces/${NAMESPACE}/pods`, podManifest(`pod-${have + i}`));
    expectStatus(`fill POST pod-${have + i}`, r.status, [201], r.json);
  });
  return have + fill.done;
}

async function benchGets(opts: BenchOptions, etcd: Etcd3, api: Pool, pods: number, rows: Row[]): Promise<void> {
  // The same pseudo-random sequence of names for both sides.
  const names = Array.from({ length: opts.gets }, (_, i) => `pod-${(i * 7919) % pods}`);
  progress(`(c) raw etcd: ${opts.gets} gets at concurrency ${opts.concurrency}`);
  const raw = await runPool('(c) raw etcd gets', opts.gets, opts.concurrency, async (i) => {
    const v = await etcd.get(`${APISERVER_PREFIX}/pods/${NAMESPACE}/${names[i]}`).buffer();
    if (!v) throw new Error(`(c) etcd has no ${APISERVER_PREFIX}/pods/${NAMESPACE}/${names[i]}: is --etcd-prefix honoured?`);
  });
  progress(`(c) apiserver: ${opts.gets} GET pod at concurrency ${opts.concurrency}`);
  const viaApi = await runPool('(c) apiserver gets', opts.gets, opts.concurrency, async (i) => {
    const r = await httpJson(api, 'GET', `/api/v1/namespaces/${NAMESPACE}/pods/${names[i]}`);
    expectStatus(`(c) GET ${names[i]}`, r.status, [200], r.json);
  });
  rows.push({
    phase: '(c)',
    metric: 'single-pod gets',
    apiserver: viaApi.perSecond,
    etcd: raw.perSecond,
    unit: 'ops/s',
    better: 'higher',
    note: [raw.cut ? `etcd cut at ${raw.done}` : '', viaApi.cut ? `apiserver cut at ${viaApi.done}` : ''].filter(Boolean).join(', ') || undefined,
  });
}

async function benchList(opts: BenchOptions, etcd: Etcd3, api: Pool, pods: number, rows: Row[]): Promise<void> {
  const prefix = `${APISERVER_PREFIX}/pods/${NAMESPACE}/`;
  const rawMs: number[] = [];
  const apiMs: number[] = [];
  progress(`(d) ${opts.listRepeats} raw etcd range gets of ${prefix} vs ${opts.listRepeats} RV=0 lists of ${pods} pods`);
  for (let i = 0; i < opts.listRepeats && performance.now() < deadline; i++) {
    let s = performance.now();
    const kvs = await etcd.getAll().prefix(prefix).buffers();
    rawMs.push(performance.now() - s);
    if (Object.keys(kvs).length !== pods) throw new Error(`(d) etcd range returned ${Object.keys(kvs).length} keys, want ${pods}`);

    s = performance.now();
    const res = await api.request({ method: 'GET', path: `/api/v1/namespaces/${NAMESPACE}/pods?resourceVersion=0`, headers: { accept: 'application/json' } });
    const text = await res.body.text();
    apiMs.push(performance.now() - s);
    expectStatus('(d) list', res.statusCode, [200], text.slice(0, 300));
    const count = (JSON.parse(text) as { items: unknown[] }).items.length;
    if (count !== pods) throw new Error(`(d) the list returned ${count} pods, want ${pods}`);
  }
  rawMs.sort((a, b) => a - b);
  apiMs.sort((a, b) => a - b);
  rows.push({
    phase: '(d)',
    metric: `RV=0 list of ${pods} pods, median`,
    apiserver: percentile(apiMs, 0.5),
    etcd: percentile(rawMs, 0.5),
    unit: 'ms',
    better: 'lower',
    note: `${apiMs.length} runs; etcd = range get of the same keys`,
  });
}

/** The apiserver's heap after a full collection (its --profiling /debug/memory with --expose-gc). */
async function retainedMemory(api: Pool): Promise<{ heapUsed: number; rss: number } | undefined> {
  const res = await api.request({ method: 'GET', path: '/debug/memory' });
  const body = (await res.body.json()) as { collected: boolean; heapUsed: number; rss: number };
  return res.statusCode === 200 && body.collected ? body : undefined;
}

/** The bytes etcd stores for the apiserver's pods (values only). */
async function storedBytes(etcd: Etcd3): Promise<number> {
  const kvs = await etcd.getAll().prefix(`${APISERVER_PREFIX}/pods/${NAMESPACE}/`).buffers();
  return Object.values(kvs).reduce((n, v) => n + v.length, 0);
}

/**
 * (m) What holding the pods costs the apiserver: the growth of its heap (after a full GC) while
 * the pods were created and listed — the watch cache, its event window, cached JSON — against
 * the bytes etcd stores for them. 1x would mean one compact in-memory copy of the data.
 */
function benchMemory(bytes: number, before: { heapUsed: number; rss: number } | undefined, after: { heapUsed: number; rss: number } | undefined, pods: number, rows: Row[]): void {
  if (!before || !after) {
    progress('(m) memory: /debug/memory did not collect garbage (no --expose-gc?), skipped');
    return;
  }
  const mib = (n: number) => n / (1024 * 1024);
  rows.push({
    phase: '(m)',
    metric: `apiserver heap growth for ${pods} pods`,
    apiserver: mib(after.heapUsed - before.heapUsed),
    etcd: mib(bytes),
    unit: 'MiB',
    better: 'lower',
    note: `etcd = bytes stored for those pods; heap after GC ${mib(before.heapUsed).toFixed(0)} -> ${mib(after.heapUsed).toFixed(0)} MiB, RSS ${mib(after.rss).toFixed(0)} MiB`,
  });
}

interface HttpWatcher {
  close(): void;
}

/** Opens one HTTP watch and calls onEvent(name, receivedAt) for each ADDED pod. Resolves once the headers are in. */
async function openHttpWatch(pool: Pool, rv: string, onEvent: (name: string, at: number) => void): Promise<HttpWatcher> {
  const ac = new AbortController();
  const res = await pool.request({ method: 'GET', path: `/api/v1/namespaces/${NAMESPACE}/pods?watch=true&resourceVersion=${rv}`, signal: ac.signal, headers: { accept: 'application/json' } });
  if (res.statusCode !== 200) throw new Error(`(e) watch: HTTP ${res.statusCode}: ${(await res.body.text()).slice(0, 300)}`);
  res.body.setEncoding('utf8');
  let buf = '';
  res.body.on('data', (chunk: string) => {
    const at = performance.now();
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const ev = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
      if (ev.type === 'ADDED' && ev.object.metadata?.name) onEvent(ev.object.metadata.name, at);
    }
  });
  res.body.on('error', () => {}); // closing the watch aborts the body
  return { close: () => ac.abort() };
}

/**
 * Delivery latency: from just before the write is issued until a watcher holds the event, for
 * every (write, watcher) pair. Resolves when every watcher has every write, or rejects at the deadline.
 */
async function measureDeliveries(label: string, watchers: number, writes: number, write: (name: string) => Promise<void>, subscribe: (onEvent: (name: string, at: number) => void) => Promise<void>): Promise<number[]> {
  const issuedAt = new Map<string, number>();
  const received = new Map<string, number[]>();
  let notify: (() => void) | undefined;
  await subscribe((name, at) => {
    const start = issuedAt.get(name);
    if (start === undefined) return;
    received.get(name)!.push(at - start);
    if (received.get(name)!.length === watchers) notify?.();
  });
  const latencies: number[] = [];
  for (let w = 0; w < writes; w++) {
    const name = `${label}-probe-${w}`;
    received.set(name, []);
    const allIn = new Promise<void>((resolve, reject) => {
      notify = resolve;
      const timer = setTimeout(() => reject(new Error(`(e) ${label}: only ${received.get(name)!.length}/${watchers} watchers saw ${name} in 30 s`)), 30_000);
      timer.unref();
    });
    issuedAt.set(name, performance.now());
    await write(name);
    await allIn;
    latencies.push(...received.get(name)!);
  }
  return latencies.sort((a, b) => a - b);
}

async function benchWatch(opts: BenchOptions, etcd: Etcd3, apiUrl: string, api: Pool, template: Record<string, any>, rows: Row[]): Promise<void> {
  if (performance.now() >= deadline) {
    progress('(e) skipped: the deadline has passed');
    return;
  }
  // Raw etcd: N watchers on the probe keys' prefix, one client (etcd3 multiplexes them on one gRPC stream).
  progress(`(e) raw etcd: ${opts.etcdWatchers} etcd3 watchers, ${opts.watchWrites} write(s)`);
  const etcdWatchers: Watcher[] = [];
  const rawLat = await measureDeliveries(
    'etcd',
    opts.etcdWatchers,
    opts.watchWrites,
    async (name) => {
      const key = `/registry/pods/${NAMESPACE}/${name}`;
      await etcd.if(key, 'Create', '==', 0).then(etcd.put(key).value(storedPodLike(template, name))).commit();
    },
    async (onEvent) => {
      for (let i = 0; i < opts.etcdWatchers; i++) {
        const w = await etcd.watch().prefix(`/registry/pods/${NAMESPACE}/etcd-probe-`).create();
        w.on('put', (kv) => onEvent(kv.key.toString().slice(`/registry/pods/${NAMESPACE}/`.length), performance.now()));
        etcdWatchers.push(w);
      }
    },
  );
  await Promise.all(etcdWatchers.map((w) => w.cancel()));

  // apiserver: N HTTP watches from the current resourceVersion, each on its own connection.
  progress(`(e) apiserver: opening ${opts.watchers} HTTP watches`);
  const list = await httpJson(api, 'GET', `/api/v1/namespaces/${NAMESPACE}/pods?limit=1`);
  expectStatus('(e) list for the resourceVersion', list.status, [200], list.json);
  const rv = String(list.json.metadata.resourceVersion);
  const watchPool = new Pool(apiUrl, { connections: opts.watchers + 1, bodyTimeout: 0, headersTimeout: 30_000 });
  const httpWatchers: HttpWatcher[] = [];
  try {
    const apiLat = await measureDeliveries(
      'api',
      opts.watchers,
      opts.watchWrites,
      async (name) => {
        const r = await httpJson(api, 'POST', `/api/v1/namespaces/${NAMESPACE}/pods`, podManifest(name));
        expectStatus(`(e) POST ${name}`, r.status, [201], r.json);
      },
      async (onEvent) => {
        const batch = 50;
        for (let i = 0; i < opts.watchers; i += batch) {
          const opened = await Promise.all(Array.from({ length: Math.min(batch, opts.watchers - i) }, () => openHttpWatch(watchPool, rv, onEvent)));
          httpWatchers.push(...opened);
        }
        progress(`(e) apiserver: ${httpWatchers.length} watches open, ${opts.watchWrites} write(s)`);
      },
    );
    const note = `${opts.watchers} HTTP vs ${opts.etcdWatchers} etcd3 watchers, ${opts.watchWrites} write(s), ${apiLat.length}/${rawLat.length} samples`;
    rows.push({ phase: '(e)', metric: 'watch delivery p50', apiserver: percentile(apiLat, 0.5), etcd: percentile(rawLat, 0.5), unit: 'ms', better: 'lower', note });
    rows.push({ phase: '(e)', metric: 'watch delivery p99', apiserver: percentile(apiLat, 0.99), etcd: percentile(rawLat, 0.99), unit: 'ms', better: 'lower', note });
  } finally {
    for (const w of httpWatchers) w.close();
    await watchPool.destroy();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<BenchOptions>();
  deadline = t0 + opts.timeLimit * 1000;
  // A hard stop a little after the deadline, whatever hangs; children are killed on exit.
  setTimeout(() => {
    process.stderr.write(`bench: still running ${opts.timeLimit + 30} s after start; giving up\n`);
    process.exit(2);
  }, (opts.timeLimit + 30) * 1000).unref();

  let etcdHandle: EtcdHandle | undefined;
  let apiserver: ApiserverHandle | undefined;
  let etcd: Etcd3 | undefined;
  let api: Pool | undefined;
  const rows: Row[] = [];
  try {
    progress(`starting etcd (${opts.etcd})`);
    etcdHandle = await startBenchEtcd(opts.etcd);
    progress(`etcd at ${etcdHandle.endpoints.join(',')}; starting the apiserver`);
    apiserver = await startApiserver({
      etcdServers: etcdHandle.endpoints,
      args: [`--etcd-prefix=${APISERVER_PREFIX}`, '--profiling'],
      env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() },
    });
    progress(`apiserver at ${apiserver.url}`);
    // A 10,000-pod range is bigger than gRPC's default 4 MiB message limit.
    etcd = new Etcd3({ hosts: etcdHandle.endpoints, grpcOptions: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 } });
    api = new Pool(apiserver.url, { connections: opts.concurrency, pipelining: 1 });

    const ns = await httpJson(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    expectStatus(`create namespace ${NAMESPACE}`, ns.status, [201, 409], ns.json);
    // One untimed create warms both paths and gives the stored form of a pod for the raw payload.
    const warm = await httpJson(api, 'POST', `/api/v1/namespaces/${NAMESPACE}/pods`, podManifest('warmup'));
    expectStatus('warm-up POST', warm.status, [201], warm.json);
    const template = warm.json as Record<string, any>;

    const memBefore = await retainedMemory(api);
    const created = await benchCreates(opts, etcd, api, template, rows);
    // The namespace holds pod-0..pod-(n-1) and the warm-up pod.
    const pods = (await fillNamespace(opts, api, created)) + 1;
    await benchGets(opts, etcd, api, pods - 1, rows);
    await benchList(opts, etcd, api, pods, rows);
    benchMemory(await storedBytes(etcd), memBefore, await retainedMemory(api), pods, rows);
    await benchWatch(opts, etcd, apiserver.url, api, template, rows);

    printTable(rows);
    printSummary(rows, opts);
  } catch (err) {
    if (rows.length) printTable(rows);
    if (apiserver) process.stderr.write(`\napiserver log (tail):\n${apiserver.logs().slice(-4000)}\n`);
    throw err;
  } finally {
    progress('cleaning up');
    etcd?.close();
    await api?.destroy();
    await apiserver?.stop();
    await etcdHandle?.stop();
  }
}

await main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
