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
// Throughput phases (a)/(b) and (c) are made comparable on a small, shared machine:
// - both sides first run --warmup untimed operations (the JIT compiles both paths; without it
//   the apiserver's first thousand creates, cold, weigh on its rate and not on etcd's);
// - then --rounds timed rounds alternate raw etcd and apiserver (the order flips every round),
//   so a burst of load from elsewhere hits both sides alike rather than one whole phase;
// - the rate shown is the median of the rounds' rates, and the ratio the median of the rounds'
//   apiserver/etcd ratios (each from two rounds run back to back), with their range in the note.
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
  warmup: number;
  rounds: number;
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
  .addOption(new Option('--creates <n>', 'pods created, timed, on each side of (a) raw etcd and (b) apiserver, split over the rounds').argParser(positiveInt('--creates')).default(5000))
  .addOption(new Option('--gets <n>', 'single-pod reads, timed, on each side of (c), split over the rounds').argParser(positiveInt('--gets')).default(5000))
  .addOption(new Option('--warmup <n>', 'untimed operations on each side before the timed rounds of (a)/(b) and of (c)').argParser(positiveInt('--warmup')).default(1000))
  .addOption(new Option('--rounds <n>', 'timed rounds per side in (a)/(b) and in (c), alternating raw etcd and apiserver; the median is reported').argParser(positiveInt('--rounds')).default(5))
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

interface RoundsResult {
  /** Median of the rounds' rates, per side. */
  raw: number;
  api: number;
  /** apiserver/etcd of each pair of rounds run back to back. */
  ratios: number[];
  /** Operations done per side, warm-up included (op(0)..op(n-1)), and whether the deadline cut a round short. */
  rawTotal: number;
  apiTotal: number;
  cut: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * `warmup` untimed operations per side, then `rounds` pairs of timed rounds of `total/rounds`
 * operations each (raw first in even rounds, apiserver first in odd ones). raw(i) and api(i)
 * get operation indices that never repeat across warm-up and rounds.
 */
async function runRounds(
  label: string,
  opts: { total: number; rounds: number; warmup: number; concurrency: number },
  raw: (i: number) => Promise<void>,
  api: (i: number) => Promise<void>,
): Promise<RoundsResult> {
  let rawNext = 0;
  let apiNext = 0;
  const side = (op: (i: number) => Promise<void>, base: () => number, advance: (n: number) => void, name: string, n: number) => {
    const from = base();
    return runPool(name, n, opts.concurrency, (i) => op(from + i)).then((r) => {
      advance(r.done);
      return r;
    });
  };
  const rawSide = (name: string, n: number) => side(raw, () => rawNext, (d) => (rawNext += d), name, n);
  const apiSide = (name: string, n: number) => side(api, () => apiNext, (d) => (apiNext += d), name, n);
  progress(`${label}: warm-up, ${opts.warmup} untimed on each side`);
  await rawSide(`${label} warm-up raw etcd`, opts.warmup);
  await apiSide(`${label} warm-up apiserver`, opts.warmup);
  const perRound = Math.max(1, Math.floor(opts.total / opts.rounds));
  const rawRates: number[] = [];
  const apiRates: number[] = [];
  const ratios: number[] = [];
  let cut = false;
  for (let r = 0; r < opts.rounds && performance.now() < deadline; r++) {
    let rr: PoolResult;
    let ar: PoolResult;
    if (r % 2 === 0) {
      rr = await rawSide(`${label} round ${r + 1} raw etcd`, perRound);
      ar = await apiSide(`${label} round ${r + 1} apiserver`, perRound);
    } else {
      ar = await apiSide(`${label} round ${r + 1} apiserver`, perRound);
      rr = await rawSide(`${label} round ${r + 1} raw etcd`, perRound);
    }
    cut ||= rr.cut || ar.cut;
    if (rr.done === 0 || ar.done === 0) break;
    rawRates.push(rr.perSecond);
    apiRates.push(ar.perSecond);
    ratios.push(ar.perSecond / rr.perSecond);
    progress(`${label} round ${r + 1}/${opts.rounds}: raw etcd ${rr.perSecond.toFixed(0)}/s, apiserver ${ar.perSecond.toFixed(0)}/s, ${(ar.perSecond / rr.perSecond).toFixed(2)}x`);
  }
  return { raw: median(rawRates), api: median(apiRates), ratios, rawTotal: rawNext, apiTotal: apiNext, cut };
}

function roundsNote(r: RoundsResult, opts: BenchOptions): string {
  const lo = Math.min(...r.ratios);
  const hi = Math.max(...r.ratios);
  return `median of ${r.ratios.length} rounds (ratios ${lo.toFixed(2)}-${hi.toFixed(2)}) after ${opts.warmup} warm-up ops per side${r.cut ? ', cut by the deadline' : ''}`;
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
  /** The ratio to show when it is not apiserver/etcd of the two numbers (a median of per-round ratios). */
  ratio?: number;
}

function ratioOf(r: Row): number {
  return r.ratio ?? r.apiserver / r.etcd;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function printTable(rows: Row[]): void {
  const header = ['phase', 'metric', 'apiserver', 'raw etcd', 'unit', 'apiserver/etcd', 'note'];
  const cells = rows.map((r) => [r.phase, r.metric, fmt(r.apiserver), fmt(r.etcd), r.unit, `${ratioOf(r).toFixed(2)}x`, r.note ?? '']);
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
    const ratio = ratioOf(r);
    const reading =
      r.better === 'higher'
        ? `the apiserver reaches ${(ratio * 100).toFixed(0)}% of raw etcd`
        : r.unit === 'MiB'
          ? `the apiserver holds ${ratio.toFixed(2)}x the bytes etcd stores`
          : `the apiserver takes ${ratio.toFixed(2)}x raw etcd's time`;
    console.log(`  ${r.phase} ${r.metric}: ${reading}${r.note ? ` (${r.note})` : ''}`);
  }
  console.log(
    `  settings: concurrency ${opts.concurrency}, ${opts.creates} creates and ${opts.gets} gets per side in ${opts.rounds} rounds after ${opts.warmup} warm-up ops, list of ${opts.listSize} x${opts.listRepeats}, ` +
      `${opts.watchers} HTTP watchers vs ${opts.etcdWatchers} etcd3 watchers, ${opts.watchWrites} watch write(s); total ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

// ---------------------------------------------------------------------------------------------
// Phases.

/** Returns how many pods (pod-0...) the apiserver created. */
async function benchCreates(opts: BenchOptions, etcd: Etcd3, api: Pool, template: Record<string, any>, rows: Row[]): Promise<number> {
  progress(`(a)/(b) creates: raw etcd create Txns vs POST pods, concurrency ${opts.concurrency}, ${opts.rounds} rounds of ${Math.floor(opts.creates / opts.rounds)} per side`);
  const r = await runRounds(
    '(a)/(b) creates',
    { total: opts.creates, rounds: opts.rounds, warmup: opts.warmup, concurrency: opts.concurrency },
    async (i) => {
      const key = `/registry/pods/${NAMESPACE}/raw-${i}`;
      const res = await etcd.if(key, 'Create', '==', 0).then(etcd.put(key).value(storedPodLike(template, `raw-${i}`))).commit();
      if (!res.succeeded) throw new Error(`(a) ${key} already exists: run against an empty etcd`);
    },
    async (i) => {
      const res = await httpJson(api, 'POST', `/api/v1/namespaces/${NAMESPACE}/pods`, podManifest(`pod-${i}`));
      expectStatus(`(b) POST pod-${i}`, res.status, [201], res.json);
    },
  );
  rows.push({ phase: '(a)/(b)', metric: 'creates', apiserver: r.api, etcd: r.raw, ratio: median(r.ratios), unit: 'ops/s', better: 'higher', note: roundsNote(r, opts) });
  return r.apiTotal;
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
  const name = (i: number) => `pod-${(i * 7919) % pods}`;
  progress(`(c) gets: raw etcd get vs GET pod, concurrency ${opts.concurrency}, ${opts.rounds} rounds of ${Math.floor(opts.gets / opts.rounds)} per side`);
  const r = await runRounds(
    '(c) gets',
    { total: opts.gets, rounds: opts.rounds, warmup: opts.warmup, concurrency: opts.concurrency },
    async (i) => {
      const v = await etcd.get(`${APISERVER_PREFIX}/pods/${NAMESPACE}/${name(i)}`).buffer();
      if (!v) throw new Error(`(c) etcd has no ${APISERVER_PREFIX}/pods/${NAMESPACE}/${name(i)}: is --etcd-prefix honoured?`);
    },
    async (i) => {
      const res = await httpJson(api, 'GET', `/api/v1/namespaces/${NAMESPACE}/pods/${name(i)}`);
      expectStatus(`(c) GET ${name(i)}`, res.status, [200], res.json);
    },
  );
  rows.push({ phase: '(c)', metric: 'single-pod gets', apiserver: r.api, etcd: r.raw, ratio: median(r.ratios), unit: 'ops/s', better: 'higher', note: roundsNote(r, opts) });
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
