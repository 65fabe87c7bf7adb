// The scaffold as real processes: two replicas side by side (port 0 each), one leads;
// SIGTERM stops the leader gracefully (exit 0, Lease released) and the other takes over.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FakeApiserver } from '../client/fake-apiserver.ts';
import { waitUntil } from '../clock/wait-until.ts';

const SCRIPT = fileURLToPath(new URL('./component-process.ts', import.meta.url));
const server = new FakeApiserver();
const procs: ChildProcess[] = [];

before(async () => {
  await server.start();
});
after(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await server.stop();
});

interface Replica {
  proc: ChildProcess;
  port: () => number | undefined;
  stderr: () => string;
}

function replica(leadLog: string): Replica {
  const proc = spawn(
    process.execPath,
    [SCRIPT, `--master=${server.url}`, '--bind-address=127.0.0.1', '--port=0', '--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=200ms'],
    { env: { ...process.env, LEAD_LOG: leadLog }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  procs.push(proc);
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  return {
    proc,
    stderr: () => err,
    port: () => {
      const m = /serving healthz and metrics on 127\.0\.0\.1:(\d+)/.exec(err);
      return m ? Number(m[1]) : undefined;
    },
  };
}

const lease = () => server.getObject('/apis/coordination.k8s.io/v1/leases', 'kube-system', 'test-daemon');
const leaders = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => Number(l.split(' ')[2])) : []);

test('two replicas run side by side; SIGTERM on the leader exits 0, releases, and the other leads', { timeout: 60_000 }, async () => {
  const leadLog = join(mkdtempSync(join(tmpdir(), 'component-')), 'lead.log');
  const a = replica(leadLog);
  const b = replica(leadLog);
  await waitUntil(() => a.port() !== undefined && b.port() !== undefined, 'both to serve', 20_000);
  assert.notEqual(a.port(), b.port());
  for (const r of [a, b]) assert.equal(await (await fetch(`http://127.0.0.1:${r.port()}/healthz`)).text(), 'ok');
  await waitUntil(() => leaders(leadLog).length === 1, 'one leader', 20_000);
  const [first] = leaders(leadLog);
  const leader = first === a.proc.pid ? a : b;
  const standby = leader === a ? b : a;
  const metrics = async (r: Replica) => (await fetch(`http://127.0.0.1:${r.port()}/metrics`)).text();
  assert.match(await metrics(leader), /^leader_election_master_status\{name="test-daemon"\} 1$/m);
  assert.doesNotMatch(await metrics(standby), /^leader_election_master_status\{name="test-daemon"\} 1$/m);

  leader.proc.kill('SIGTERM');
  const [code] = await once(leader.proc, 'exit');
  assert.equal(code, 0, `graceful exit; stderr:\n${leader.stderr()}`);
  await waitUntil(() => leaders(leadLog).length === 2, 'the standby to lead', 20_000);
  assert.equal(leaders(leadLog)[1], standby.proc.pid);
  assert.equal(lease()!.spec.holderIdentity.length > 0, true);

  standby.proc.kill('SIGINT');
  const [code2] = await once(standby.proc, 'exit');
  assert.equal(code2, 0);
  assert.equal(lease()!.spec.holderIdentity, '', 'released on the way out');
});
