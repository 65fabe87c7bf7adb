// Two (then three) candidate processes for one Lease against a real apiserver and etcd:
// exactly one leads at any instant, a SIGKILLed leader is replaced within leaseDuration +
// retryPeriod, and a leader that shuts down cleanly is replaced at once (next retry).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startApiserver, startEtcd, waitFor } from '@minik8s/shared/testing';
import type { ApiserverHandle, EtcdHandle } from '@minik8s/shared/testing';
import { RestClient } from '../../src/client/rest-client.ts';
import type { Lease } from '../../src/leaderelection/lease-lock.ts';

const LEASE_MS = 3_000;
const RENEW_MS = 2_000;
const RETRY_MS = 500;
/** Time for a process to notice, one HTTP round trip and the log write: not part of the protocol. */
const SLACK_MS = 1_500;

const SCRIPT = fileURLToPath(new URL('./elector-process.ts', import.meta.url));

let etcd: EtcdHandle;
let api: ApiserverHandle;
let client: RestClient;
const children: ChildProcess[] = [];

before(async () => {
  etcd = await startEtcd();
  api = await startApiserver({ etcdServers: etcd.endpoints });
  client = new RestClient({ config: { server: api.url } });
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await client?.close();
  await api?.stop();
  await etcd?.stop();
});

interface Line {
  at: number;
  what: string;
  id: string;
  rest: string[];
}

function readLog(file: string): Line[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [at, what, id, ...rest] = l.split(' ');
      return { at: Number(at), what, id, rest };
    });
}

function candidate(id: string, logFile: string, leaseName: string): ChildProcess {
  const c = spawn(process.execPath, [SCRIPT, api.url, id, logFile, String(LEASE_MS), String(RENEW_MS), String(RETRY_MS), leaseName], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(c);
  return c;
}

const has = (file: string, pred: (l: Line) => boolean) => () => readLog(file).some(pred);

/** Leadership intervals from the log; a killed leader's interval ends when it was killed. */
function intervals(lines: Line[], killedAt: Map<string, number>): { id: string; start: number; end: number }[] {
  const out: { id: string; start: number; end: number }[] = [];
  const open = new Map<string, number>();
  for (const l of lines) {
    if (l.what === 'start') open.set(l.id, l.at);
    if (l.what === 'stop' && open.has(l.id)) {
      out.push({ id: l.id, start: open.get(l.id)!, end: l.at });
      open.delete(l.id);
    }
  }
  for (const [id, start] of open) out.push({ id, start, end: killedAt.get(id) ?? Infinity });
  return out.sort((a, b) => a.start - b.start);
}

test('one leader at a time; SIGKILL is replaced within leaseDuration + retryPeriod, a clean stop at once', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leader-election-'));
  const logFile = join(dir, 'leadership.log');
  const leaseName = `itest-${process.pid}`;
  const killedAt = new Map<string, number>();

  // 1. a leads, b stands by.
  const a = candidate('a', logFile, leaseName);
  await waitFor(has(logFile, (l) => l.what === 'start' && l.id === 'a'), { timeoutMs: 20_000, message: 'a to lead' });
  const b = candidate('b', logFile, leaseName);
  await waitFor(has(logFile, (l) => l.what === 'observed' && l.id === 'b' && l.rest[0] === 'a'), { timeoutMs: 20_000, message: 'b to see a leading' });

  // Let a renew a few times while b polls: b must not take over.
  const renewedFrom = (await client.get<Lease>('leases.coordination.k8s.io', leaseName, { namespace: 'kube-system' })).spec!.renewTime!;
  await waitFor(async () => {
    const l = await client.get<Lease>('leases.coordination.k8s.io', leaseName, { namespace: 'kube-system' });
    return Date.parse(l.spec!.renewTime!) >= Date.parse(renewedFrom) + 3 * RETRY_MS;
  }, { timeoutMs: 20_000, message: 'a to renew' });
  assert.equal(readLog(logFile).filter((l) => l.what === 'start').length, 1, 'b did not take over a live leader');
  const before = await client.get<Lease>('leases.coordination.k8s.io', leaseName, { namespace: 'kube-system' });
  assert.equal(before.spec!.holderIdentity, 'a');

  // 2. SIGKILL a: b takes over within leaseDuration + retryPeriod.
  const killTime = Date.now();
  a.kill('SIGKILL');
  await once(a, 'exit');
  killedAt.set('a', Date.now());
  await waitFor(has(logFile, (l) => l.what === 'start' && l.id === 'b'), { timeoutMs: 20_000, message: 'b to take over' });
  const bStart = readLog(logFile).find((l) => l.what === 'start' && l.id === 'b')!.at;
  const takeover = bStart - killTime;
  assert.ok(takeover <= LEASE_MS + RETRY_MS + SLACK_MS, `b took over ${takeover} ms after the kill (lease ${LEASE_MS} + retry ${RETRY_MS})`);
  const afterKill = await client.get<Lease>('leases.coordination.k8s.io', leaseName, { namespace: 'kube-system' });
  assert.equal(afterKill.spec!.holderIdentity, 'b');
  assert.equal(afterKill.spec!.leaseTransitions, (before.spec!.leaseTransitions ?? 0) + 1);
  assert.equal(afterKill.spec!.leaseDurationSeconds, LEASE_MS / 1000);
  assert.match(afterKill.spec!.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

  // 3. c stands by; b stops cleanly: it releases and c takes over at its next retry.
  const c = candidate('c', logFile, leaseName);
  await waitFor(has(logFile, (l) => l.what === 'observed' && l.id === 'c' && l.rest[0] === 'b'), { timeoutMs: 20_000, message: 'c to see b leading' });
  b.kill('SIGTERM');
  const [bCode] = await once(b, 'exit');
  assert.equal(bCode, 0, 'a clean stop exits 0');
  await waitFor(has(logFile, (l) => l.what === 'start' && l.id === 'c'), { timeoutMs: 20_000, message: 'c to take over' });
  const lines = readLog(logFile);
  const bStop = lines.find((l) => l.what === 'stop' && l.id === 'b')!.at;
  const cStart = lines.find((l) => l.what === 'start' && l.id === 'c')!.at;
  assert.ok(cStart - bStop <= RETRY_MS + SLACK_MS, `c took over ${cStart - bStop} ms after b stopped (retry ${RETRY_MS}, lease ${LEASE_MS})`);
  c.kill('SIGTERM');
  await once(c, 'exit');

  // 4. never two leaders: the intervals do not overlap.
  const iv = intervals(readLog(logFile), killedAt);
  assert.deepEqual(iv.map((i) => i.id), ['a', 'b', 'c']);
  for (let i = 1; i < iv.length; i++) {
    assert.ok(iv[i].start > iv[i - 1].end, `${iv[i].id} started at ${iv[i].start}, before ${iv[i - 1].id} stopped at ${iv[i - 1].end}`);
  }
  const released = await client.get<Lease>('leases.coordination.k8s.io', leaseName, { namespace: 'kube-system' });
  assert.equal(released.spec!.holderIdentity, '', 'the last leader released the Lease');
});
