// The CronJob controller in this process against a real apiserver + etcd, on a FakeClock: the
// test moves time to each scheduled minute instead of waiting for it. The Jobs it creates are
// not run (no Job controller here): the test finishes them by writing their status, as the
// Job controller would.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, RateLimitingQueue, nextCronTime, parseCronSchedule, type KubeObject } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';
import { startCluster, type TestCluster } from './support/cluster.ts';
import { inProcessContext } from './support/in-process.ts';
import { events } from './support/objects.ts';
import { CronJobController } from '../src/controllers/cronjob/cronjob-controller.ts';

const MINUTE = 60_000;

function cronJob(name: string, namespace: string, schedule: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace },
    spec: {
      schedule,
      timeZone: 'UTC',
      jobTemplate: {
        metadata: { labels: { cron: name } },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'tick', image: 'busybox:v1', command: ['date'] }] } } },
      },
      ...spec,
    },
  };
}

/** The first time `schedule` fires after `after` (UTC). */
function nextRun(schedule: string, after: number, timeZone = 'UTC'): number {
  const r = parseCronSchedule(schedule);
  if (!r.ok) throw new Error(r.error);
  return nextCronTime(r.schedule, new Date(after), timeZone)!.getTime();
}

describe('cronjob controller (fake clock)', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let clock: FakeClock;
  let stopController: (() => Promise<void>) | undefined;

  before(async () => {
    cluster = await startCluster();
  });

  after(async () => {
    await stopController?.();
    await cluster?.stop();
  });

  /**
   * Starts a CronJob controller whose clock starts at `startAt`, by default the wall clock's
   * now: each test has its own, so the CronJobs it creates (stamped with real creation times)
   * have no scheduled time missed already. Informers run on real time; the controller and its
   * queue on the fake clock.
   */
  async function startController(startAt = Math.floor(Date.now() / 1000) * 1000): Promise<void> {
    await stopController?.();
    clock = new FakeClock(startAt);
    const base = inProcessContext(cluster.url);
    const ctx = { ...base, clock, newQueue: (name: string) => new RateLimitingQueue<string>({ name, clock }) };
    const controller = new CronJobController(ctx);
    const stop = new AbortController();
    ctx.informerFactory.start(stop.signal);
    const running = controller.run(stop.signal);
    stopController = async () => {
      stop.abort();
      await running;
      await ctx.informerFactory.shutdown();
      await base.close();
      stopController = undefined;
    };
  }

  /**
   * Polls `fn` until it yields; each round also moves the fake clock by 10 ms so retries the
   * queue schedules on it (conflict backoff, from 5 ms) come due. Scheduled times are minutes
   * apart, far more than these steps add up to.
   */
  async function eventually<T>(fn: () => Promise<T | undefined | false>, message: string): Promise<T> {
    return waitFor(
      async () => {
        const v = await fn();
        if (v === undefined || v === false) {
          await clock.step(10);
          return undefined;
        }
        return v;
      },
      { timeoutMs: 30_000, intervalMs: 50, message },
    );
  }

  async function jobsOf(ns: string, name: string): Promise<KubeObject[]> {
    const list = await cluster.client.list('jobs.batch', { namespace: ns, labelSelector: `cron=${name}` });
    return list.items.filter((j) => !j.metadata.deletionTimestamp).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  }

  /** Marks a Job Complete (or Failed) as the Job controller would. */
  async function finishJob(ns: string, name: string, type: 'Complete' | 'Failed'): Promise<void> {
    const j = await cluster.client.get('jobs.batch', name, { namespace: ns });
    const t = new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const interim = type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget';
    j.status = {
      startTime: j.metadata.creationTimestamp,
      ...(type === 'Complete' ? { succeeded: 1, completionTime: t } : { failed: 1 }),
      conditions: [
        { type: interim, status: 'True', lastProbeTime: t, lastTransitionTime: t },
        { type, status: 'True', lastProbeTime: t, lastTransitionTime: t },
      ],
    };
    await cluster.client.updateStatus('jobs.batch', j);
  }

  async function cronStatus(ns: string, name: string): Promise<any> {
    return (await cluster.client.get('cronjobs.batch', name, { namespace: ns })).status ?? {};
  }

  it('creates a Job at each scheduled time, tracks it, and keeps the history limit', async () => {
    await startController();
    const ns = 'every5';
    await cluster.createNamespace(ns);
    const created = await cluster.client.create<KubeObject>('cronjobs.batch', cronJob('tick', ns, '*/5 * * * *', { successfulJobsHistoryLimit: 1 }));
    const slot1 = nextRun('*/5 * * * *', Math.max(clock.now(), Date.parse(created.metadata.creationTimestamp!)));
    assert.deepEqual(await jobsOf(ns, 'tick'), [], 'nothing before the first scheduled time');

    await clock.setTime(slot1 + 1000);
    const [j1] = await eventually(async () => {
      const jobs = await jobsOf(ns, 'tick');
      return jobs.length === 1 ? jobs : undefined;
    }, 'the first Job');
    assert.equal(j1!.metadata.name, `tick-${slot1 / MINUTE}`);
    assert.equal(j1!.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(slot1).toISOString().replace('.000Z', 'Z'));
    assert.equal(j1!.metadata.ownerReferences?.[0]?.kind, 'CronJob');
    assert.equal(j1!.metadata.ownerReferences?.[0]?.controller, true);
    assert.equal(j1!.spec.template.spec.containers[0].command[0], 'date');
    const s1 = await eventually(async () => {
      const s = await cronStatus(ns, 'tick');
      return s.active?.length === 1 ? s : undefined;
    }, 'status.active lists it');
    assert.equal(s1.active[0].name, j1!.metadata.name);
    assert.equal(s1.active[0].uid, j1!.metadata.uid);
    assert.equal(s1.lastScheduleTime, new Date(slot1).toISOString().replace('.000Z', 'Z'));

    // Allow: the next run starts while the first is still active.
    const slot2 = slot1 + 5 * MINUTE;
    await clock.setTime(slot2 + 1000);
    const both = await eventually(async () => {
      const jobs = await jobsOf(ns, 'tick');
      return jobs.length === 2 ? jobs : undefined;
    }, 'the second Job');
    assert.equal(both[1]!.metadata.name, `tick-${slot2 / MINUTE}`);
    await eventually(async () => (await cronStatus(ns, 'tick')).active?.length === 2, 'two active');

    // Finished Jobs leave status.active; beyond the history limit the oldest is deleted.
    await finishJob(ns, j1!.metadata.name!, 'Complete');
    await clock.step(1000);
    await finishJob(ns, both[1]!.metadata.name!, 'Complete');
    const s2 = await eventually(async () => {
      const s = await cronStatus(ns, 'tick');
      const jobs = await jobsOf(ns, 'tick');
      return !s.active && jobs.length === 1 ? s : undefined;
    }, 'no active Job, one kept');
    assert.equal((await jobsOf(ns, 'tick'))[0]!.metadata.name, both[1]!.metadata.name, 'the newest one is kept');
    assert.ok(s2.lastSuccessfulTime);
    const evs = await events(cluster.client, ns, 'tick');
    assert.ok(evs.some((e) => e.reason === 'SuccessfulCreate' && e.message === `Created job ${j1!.metadata.name}`));
    assert.ok(evs.some((e) => e.reason === 'SawCompletedJob' && e.message === `Saw completed job: ${j1!.metadata.name}, condition: Complete`));
    assert.ok(evs.some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted job ${j1!.metadata.name}`));
  });

  it('honours Forbid: no run while one is active, and no late run past startingDeadlineSeconds', async () => {
    await startController();
    const ns = 'forbid';
    await cluster.createNamespace(ns);
    const created = await cluster.client.create<KubeObject>('cronjobs.batch', cronJob('solo', ns, '*/5 * * * *', { concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 60 }));
    const slot1 = nextRun('*/5 * * * *', Math.max(clock.now(), Date.parse(created.metadata.creationTimestamp!)));
    await clock.setTime(slot1 + 1000);
    const [a] = await eventually(async () => {
      const jobs = await jobsOf(ns, 'solo');
      return jobs.length === 1 ? jobs : undefined;
    }, 'the first Job');
    await eventually(async () => (await cronStatus(ns, 'solo')).active?.length === 1, 'active');

    // The next slot comes while it runs: skipped.
    const slot2 = slot1 + 5 * MINUTE;
    await clock.setTime(slot2 + 1000);
    await eventually(async () => (await events(cluster.client, ns, 'solo')).some((e) => e.reason === 'JobAlreadyActive'), 'JobAlreadyActive');
    assert.equal((await jobsOf(ns, 'solo')).length, 1);

    // It finishes two minutes later: slot2 is now past its 60 s starting deadline, so the sync
    // that sees the Job finished (and empties status.active) starts no late run.
    await clock.setTime(slot2 + 2 * MINUTE);
    await finishJob(ns, a!.metadata.name!, 'Complete');
    await eventually(async () => !(await cronStatus(ns, 'solo')).active, 'the finished Job left status.active');
    assert.equal((await jobsOf(ns, 'solo')).length, 1, 'no late run for the missed slot');
    assert.equal((await cronStatus(ns, 'solo')).lastScheduleTime, new Date(slot1).toISOString().replace('.000Z', 'Z'));

    // The slot after runs again.
    const slot3 = slot2 + 5 * MINUTE;
    await clock.setTime(slot3 + 1000);
    const jobs = await eventually(async () => {
      const js = await jobsOf(ns, 'solo');
      return js.length === 2 ? js : undefined;
    }, 'the third slot runs');
    assert.deepEqual(jobs.map((j) => j.metadata.name), [`solo-${slot1 / MINUTE}`, `solo-${slot3 / MINUTE}`]);
  });

  it('honours Replace: the running Job is deleted for the next one', async () => {
    await startController();
    const ns = 'replace';
    await cluster.createNamespace(ns);
    const created = await cluster.client.create<KubeObject>('cronjobs.batch', cronJob('swap', ns, '*/5 * * * *', { concurrencyPolicy: 'Replace' }));
    const slot1 = nextRun('*/5 * * * *', Math.max(clock.now(), Date.parse(created.metadata.creationTimestamp!)));
    await clock.setTime(slot1 + 1000);
    await eventually(async () => (await cronStatus(ns, 'swap')).active?.length === 1, 'first active');
    await clock.setTime(slot1 + 5 * MINUTE + 1000);
    const jobs = await eventually(async () => {
      const js = await jobsOf(ns, 'swap');
      const s = await cronStatus(ns, 'swap');
      return js.length === 1 && js[0]!.metadata.name === `swap-${slot1 / MINUTE + 5}` && s.active?.length === 1 ? js : undefined;
    }, 'the first Job replaced by the second');
    assert.equal((await cronStatus(ns, 'swap')).active[0].uid, jobs[0]!.metadata.uid);
  });

  it('skips while suspended, runs the most recent missed time on resume, and reports too many missed start times', async () => {
    await startController();
    const ns = 'missed';
    await cluster.createNamespace(ns);
    const created = await cluster.client.create<KubeObject>('cronjobs.batch', cronJob('minutely', ns, '* * * * *', { suspend: true }));
    await clock.step(10 * MINUTE);
    assert.equal((await jobsOf(ns, 'minutely')).length, 0);
    // Resumed after ten missed minutes: one run, for the most recent one.
    const resumedAt = clock.now();
    await cluster.client.patch('cronjobs.batch', 'minutely', { spec: { suspend: false } }, { namespace: ns, type: 'merge' });
    const [late] = await eventually(async () => {
      const js = await jobsOf(ns, 'minutely');
      return js.length === 1 ? js : undefined;
    }, 'one run after resuming');
    const lateMinute = Number(/-(\d+)$/.exec(late!.metadata.name!)![1]);
    assert.ok(lateMinute >= Math.floor(resumedAt / MINUTE) && lateMinute <= Math.floor(clock.now() / MINUTE), `${late!.metadata.name} is the latest minute`);
    assert.ok(lateMinute * MINUTE > Date.parse(created.metadata.creationTimestamp!) + 5 * MINUTE, 'not one of the first missed minutes');
    assert.ok(!(await events(cluster.client, ns, 'minutely')).some((e) => e.reason === 'TooManyMissedTimes'));

    // The controller manager is down for 200 minutes (a running controller would have run
    // every minute on its timers): back, it makes one run, for the latest minute, and warns.
    const jumpedTo = clock.now() + 200 * MINUTE;
    await startController(jumpedTo);
    await eventually(
      async () => (await events(cluster.client, ns, 'minutely')).some((e) => e.reason === 'TooManyMissedTimes' && /^too many missed start times: \d+\. Set or decrease \.spec\.startingDeadlineSeconds or check clock skew$/.test(e.message as string)),
      'TooManyMissedTimes',
    );
    const jobs = await eventually(async () => {
      const js = await jobsOf(ns, 'minutely');
      return js.length >= 2 ? js : undefined;
    }, 'one more run');
    assert.equal(jobs.length, 2, 'one run for all the missed minutes');
    const minute = Number(/-(\d+)$/.exec(jobs[1]!.metadata.name!)![1]);
    assert.ok(minute >= Math.floor(jumpedTo / MINUTE), 'the run is for the latest minute, not a missed one');
  });

  it('runs on the wall clock of spec.timeZone', async () => {
    await startController();
    const ns = 'zones';
    await cluster.createNamespace(ns);
    // 09:00 in Tokyo is 00:00 UTC.
    const created = await cluster.client.create<KubeObject>('cronjobs.batch', cronJob('morning', ns, '0 9 * * *', { timeZone: 'Asia/Tokyo' }));
    const nine = nextRun('0 9 * * *', Math.max(clock.now(), Date.parse(created.metadata.creationTimestamp!)), 'Asia/Tokyo');
    assert.equal(new Date(nine).getUTCHours(), 0);
    await clock.setTime(nine - MINUTE);
    assert.equal((await jobsOf(ns, 'morning')).length, 0);
    await clock.setTime(nine + 1000);
    const [j] = await eventually(async () => {
      const js = await jobsOf(ns, 'morning');
      return js.length === 1 ? js : undefined;
    }, 'the 09:00 Tokyo run');
    assert.equal(j!.metadata.name, `morning-${nine / MINUTE}`);
    assert.match(j!.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'] ?? '', /^\d{4}-\d{2}-\d{2}T09:00:00\+09:00$/);
  });
});
