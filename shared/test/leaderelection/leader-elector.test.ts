import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaderElector } from '../../src/leaderelection/leader-elector.ts';
import type { LeaderElectionRecord, ResourceLock } from '../../src/leaderelection/lease-lock.ts';
import { alreadyExists, conflict, notFound } from '../../src/api/status-error.ts';
import { FakeClock } from '../../src/clock/fake-clock.ts';

const GR = { group: 'coordination.k8s.io', resource: 'leases' };

/** One Lease in memory with resourceVersion semantics, shared by several locks. */
class LeaseStore {
  record: LeaderElectionRecord | undefined;
  rv = 0;
  writes: { by: string; record: LeaderElectionRecord }[] = [];
}

class MemoryLock implements ResourceLock {
  private seenRV = -1;
  /** While true every call fails, as with an unreachable apiserver. */
  down = false;
  readonly store: LeaseStore;
  private readonly id: string;
  constructor(store: LeaseStore, id: string) {
    this.store = store;
    this.id = id;
  }
  async get() {
    if (this.down) throw new Error('connection refused');
    if (!this.store.record) throw notFound(GR, 'l');
    this.seenRV = this.store.rv;
    return { record: { ...this.store.record }, raw: JSON.stringify(this.store.record) };
  }
  async create(record: LeaderElectionRecord) {
    if (this.down) throw new Error('connection refused');
    if (this.store.record) throw alreadyExists(GR, 'l');
    this.write(record);
  }
  /** Set: the next update is written but its response is lost (this hook runs, then it throws). */
  loseResponse: (() => void) | undefined;
  async update(record: LeaderElectionRecord) {
    if (this.down) throw new Error('connection refused');
    if (this.seenRV !== this.store.rv) throw conflict(GR, 'l');
    const lose = this.loseResponse;
    this.loseResponse = undefined;
    if (lose) {
      const seen = this.seenRV;
      this.write(record);
      this.seenRV = seen;
      lose();
      throw new Error('context canceled');
    }
    this.write(record);
  }
  private write(record: LeaderElectionRecord) {
    this.store.record = { ...record };
    this.store.rv++;
    this.seenRV = this.store.rv;
    this.store.writes.push({ by: this.id, record: { ...record } });
  }
  identity() {
    return this.id;
  }
  describe() {
    return 'kube-system/l';
  }
}

interface Candidate {
  elector: LeaderElector;
  lock: MemoryLock;
  stop: AbortController;
  result: Promise<string>;
  events: string[];
  work?: AbortSignal;
}

const L = 15_000;
const D = 10_000;
const R = 2_000;

function candidate(store: LeaseStore, clock: FakeClock, id: string, workDone?: Promise<void>): Candidate {
  const lock = new MemoryLock(store, id);
  const stop = new AbortController();
  const c: Partial<Candidate> = { lock, stop, events: [] };
  c.elector = new LeaderElector({
    lock,
    leaseDurationMs: L,
    renewDeadlineMs: D,
    retryPeriodMs: R,
    clock,
    callbacks: {
      onStartedLeading: (signal) => {
        c.events!.push(`started ${clock.now()}`);
        c.work = signal;
        return workDone;
      },
      onStoppedLeading: () => c.events!.push(`stopped ${clock.now()}`),
      onNewLeader: (who) => c.events!.push(`leader ${who}`),
    },
  });
  c.result = c.elector.run(stop.signal);
  return c as Candidate;
}

/** Advances time in small steps, checking that never two candidates lead at once. */
async function advance(clock: FakeClock, ms: number, cands: Candidate[], step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await clock.step(Math.min(step, ms - t));
    const leaders = cands.filter((c) => c.elector.isLeader());
    assert.ok(leaders.length <= 1, `two leaders at ${clock.now()}`);
  }
}

test('the first candidate creates the Lease and leads; it renews every retryPeriod keeping acquireTime', async () => {
  const clock = new FakeClock(0);
  const store = new LeaseStore();
  const a = candidate(store, clock, 'a');
  await advance(clock, 1, [a]);
  assert.equal(a.elector.isLeader(), true);
  assert.deepEqual(a.events, ['leader a', 'started 0']);
  assert.deepEqual(store.record, { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: 0, renewTime: 0, leaderTransitions: 0 });
  await advance(clock, 3 * R, [a]);
  assert.equal(store.record!.renewTime, 3 * R);
  assert.equal(store.record!.acquireTime, 0);
  assert.equal(store.writes.length, 4);
  a.stop.abort();
  assert.equal(await a.result, 'stopped');
});

test('a standby never leads while the leader renews, and takes over within leaseDuration + retryPeriod after it stops renewing', async () => {
  const clock = new FakeClock(0);
  const store = new LeaseStore();
  const a = candidate(store, clock, 'a');
  await advance(clock, 1, [a]);
  const b = candidate(store, clock, 'b');
  await advance(clock, 60_000, [a, b]);
  assert.equal(a.elector.isLeader(), true);
  assert.equal(b.elector.isLeader(), false);
  assert.deepEqual(b.events, ['leader a']);

  // a's process freezes (it can no longer reach the apiserver): its last renewal stands.
  a.lock.down = true;
  const lastRenew = store.record!.renewTime;
  const transitions = store.record!.leaderTransitions;
  await advance(clock, L + R + 100, [a, b]);
  assert.equal(b.elector.isLeader(), true);
  const started = Number(b.events.find((e) => e.startsWith('started'))!.split(' ')[1]);
  assert.ok(started - lastRenew >= L, `took over only after the lease expired (${started - lastRenew} ms)`);
  assert.ok(started - lastRenew <= L + R, `took over within leaseDuration + retryPeriod (${started - lastRenew} ms)`);
  assert.equal(store.record!.holderIdentity, 'b');
  assert.equal(store.record!.leaderTransitions, transitions + 1);
  assert.equal(store.record!.acquireTime, started);
  b.stop.abort();
  a.stop.abort();
  await Promise.all([a.result, b.result]);
});

test('a leader that cannot renew stops leading at its renew deadline, before any standby may start', async () => {
  const clock = new FakeClock(0);
  const store = new LeaseStore();
  const a = candidate(store, clock, 'a');
  await advance(clock, 4 * R + 1, [a]);
  const lastRenew = store.record!.renewTime;
  a.lock.down = true;
  await advance(clock, D + R, [a]);
  assert.equal(await a.result, 'lost');
  assert.equal(a.elector.isLeader(), false);
  assert.equal(a.work?.aborted, true, 'the work was told to stop');
  const stoppedAt = Number(a.events.at(-1)!.split(' ')[1]);
  assert.match(a.events.at(-1)!, /^stopped/);
  assert.ok(stoppedAt <= lastRenew + D, `stopped at ${stoppedAt}, deadline ${lastRenew + D}`);
  assert.ok(stoppedAt < lastRenew + L, 'before the lease could be taken over');
});

test('a leader that finds someone else holding the Lease stops at once', async () => {
  const clock = new FakeClock(0);
  const store = new LeaseStore();
  const a = candidate(store, clock, 'a');
  await advance(clock, 1, [a]);
  // an operator (or a confused peer) writes another holder
  store.record = { ...store.record!, holderIdentity: 'intruder', renewTime: clock.now() };
  store.rv++;
  await advance(clock, R + 1, [a]);
  assert.equal(await a.result, 'lost');
});

/** The standby `b` leads within one retryPeriod of the release at `released`; then it stops. */
async function assertTakesOverAfterRelease(clock: FakeClock, b: Candidate, all: Candidate[], released: number): Promise<void> {
  await advance(clock, R, all);
  assert.equal(b.elector.isLeader(), true);
  const started = Number(b.events.find((e) => e.startsWith('started'))!.split(' ')[1]);
  assert.ok(started - released <= R, `took over ${started - released} ms after the release`);
  b.stop.abort();
  await b.result;
}

test('a clean stop waits for the work, then releases the Lease so the standby takes over at its next retry', async () => {
  const clock = new FakeClock(0);
  const store = new LeaseStore();
  let finishWork!: () => void;
  const workDone = new Promise<void>((r) => (finishWork = r));
  const a = candidate(store, clock, 'a', workDone);
  await advance(clock, 1, [a]);
  const b = candidate(store, clock, 'b');
  await advance(clock, 5_000, [a, b]);
  a.stop.abort();
  await advance(clock, 3 * R, [a, b]);
  assert.equal(b.elector.isLeader(), false, 'not released while the work still runs');
  assert.equal(store.record!.holderIdentity, 'a');
  finishWork();
  assert.equal(await a.result, 'stopped');
  assert.deepEqual(a.events.slice(-1), [`stopped ${clock.now()}`]);
  const released = clock.now();
  assert.equal(store.record!.holderIdentity, '');
  assert.equal(store.record!.leaseDurationSeconds, 1);
  await assertTakesOverAfterRelease(clock, b, [a, b], released);
});

test('a stop that cuts short a renewal which still landed re-reads the Lease and releases it', async () => {
  const clock = new FakeClock(0);
  const store = new LeaseStore();
  const a = candidate(store, clock, 'a');
  await advance(clock, 1, [a]);
  const b = candidate(store, clock, 'b');
  await advance(clock, 5_000, [a, b]);
  // The next renewal reaches the apiserver, but the stop aborts it before the answer comes.
  a.lock.loseResponse = () => a.stop.abort();
  await advance(clock, R, [a, b]);
  assert.equal(await a.result, 'stopped');
  const release = store.writes.find((w) => w.by === 'a' && w.record.holderIdentity === '');
  assert.ok(release, 'released over the version the lost renewal wrote');
  assert.equal(release.record.leaseDurationSeconds, 1);
  const released = release.record.renewTime;
  await assertTakesOverAfterRelease(clock, b, [a, b], released);
});

test('a release finds the Lease taken by another holder: it leaves it alone', async () => {
  const clock = new FakeClock(0);
  const store = new LeaseStore();
  const a = candidate(store, clock, 'a');
  await advance(clock, 1, [a]);
  // Someone else takes the Lease just as a stops (a has not noticed yet).
  a.lock.loseResponse = () => {
    store.record = { ...store.record!, holderIdentity: 'intruder', renewTime: clock.now() };
    store.rv++;
    a.stop.abort();
  };
  await advance(clock, R, [a]);
  assert.equal(await a.result, 'stopped');
  assert.equal(store.record!.holderIdentity, 'intruder');
  assert.equal(store.writes.at(-1)!.by, 'a', 'no write after the lost renewal');
});

test('two candidates starting together: exactly one creates the Lease, the other waits', async () => {
  const clock = new FakeClock(0);
  const store = new LeaseStore();
  const a = candidate(store, clock, 'a');
  const b = candidate(store, clock, 'b');
  await advance(clock, 30_000, [a, b]);
  assert.equal([a, b].filter((c) => c.elector.isLeader()).length, 1);
  const leader = [a, b].find((c) => c.elector.isLeader())!.lock.identity();
  assert.deepEqual(new Set(store.writes.map((w) => w.by)), new Set([leader]), 'the other never wrote');
  a.stop.abort();
  b.stop.abort();
  await Promise.all([a.result, b.result]);
});

test('stopping before ever leading resolves stopped without touching the Lease', async () => {
  const clock = new FakeClock(0);
  const store = new LeaseStore();
  const a = candidate(store, clock, 'a');
  await advance(clock, 1, [a]);
  const b = candidate(store, clock, 'b');
  await advance(clock, R, [a, b]);
  const writes = store.writes.length;
  b.stop.abort();
  assert.equal(await b.result, 'stopped');
  assert.deepEqual(b.events, ['leader a']);
  assert.equal(store.writes.filter((w) => w.by === 'b').length, 0);
  assert.equal(store.writes.length, writes);
  a.stop.abort();
  await a.result;
});

test('timings are checked: leaseDuration > renewDeadline > retryPeriod', () => {
  const lock = new MemoryLock(new LeaseStore(), 'x');
  const callbacks = { onStartedLeading() {}, onStoppedLeading() {} };
  assert.throws(() => new LeaderElector({ lock, leaseDurationMs: 10, renewDeadlineMs: 10, retryPeriodMs: 1, callbacks }), /leaseDuration must be greater/);
  assert.throws(() => new LeaderElector({ lock, leaseDurationMs: 10, renewDeadlineMs: 5, retryPeriodMs: 5, callbacks }), /renewDeadline must be greater/);
});
