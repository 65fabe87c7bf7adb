import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '@minik8s/shared';
import { EventRecorder, rfc3339, truncateMessage } from '../src/event-recorder.ts';
import { FakeApi } from './fake-api.ts';
import { makePod } from './fixtures.ts';

test('a repeated event bumps count and lastTimestamp of the same Event', async () => {
  const api = new FakeApi();
  let now = Date.UTC(2026, 0, 1, 10, 0, 0, 500);
  const rec = new EventRecorder({ client: api, component: 'default-scheduler', instance: 'host_1', now: () => now });
  const pod = makePod('p');
  rec.event(pod, 'Warning', 'FailedScheduling', 'Scheduling', 'no fit');
  await rec.flush();
  now += 60_000;
  rec.event(pod, 'Warning', 'FailedScheduling', 'Scheduling', 'no fit');
  rec.event(pod, 'Warning', 'FailedScheduling', 'Scheduling', 'another reason');
  await rec.flush();
  assert.equal(api.events.length, 2);
  const [first] = api.events as any[];
  assert.match(first.metadata.name, /^p\.[0-9a-f]+$/);
  assert.deepEqual(first.involvedObject, { kind: 'Pod', namespace: 'default', name: 'p', uid: pod.metadata.uid, apiVersion: 'v1', resourceVersion: '1' });
  assert.equal(first.firstTimestamp, '2026-01-01T10:00:00Z');
  assert.equal(first.reportingComponent, 'default-scheduler');
  assert.deepEqual(api.eventPatches, [{ name: first.metadata.name, patch: { count: 2, lastTimestamp: '2026-01-01T10:01:00Z', message: 'no fit' } }]);
});

test('an aggregated Event that vanished is created again', async () => {
  const api = new FakeApi();
  const rec = new EventRecorder({ client: api, component: 'c' });
  const pod = makePod('p');
  rec.event(pod, 'Normal', 'R', 'A', 'm');
  await rec.flush();
  api.patch = async () => {
    throw StatusError.from(404, 'NotFound', 'events "x" not found');
  };
  rec.event(pod, 'Normal', 'R', 'A', 'm');
  await rec.flush();
  assert.equal(api.events.length, 2);
});

test('messages are cut to 1024 characters with " ..." and times are whole seconds', () => {
  const long = 'x'.repeat(2000);
  const cut = truncateMessage(long);
  assert.equal(cut.length, 1024);
  assert.ok(cut.endsWith(' ...'));
  assert.equal(truncateMessage('short'), 'short');
  assert.equal(rfc3339(Date.UTC(2026, 4, 6, 7, 8, 9, 999)), '2026-05-06T07:08:09Z');
});

test('beyond maxQueued, events are dropped instead of piling up', async () => {
  const api = new FakeApi();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const create = api.create.bind(api);
  api.create = async (...args) => {
    await gate;
    return create(...args);
  };
  const rec = new EventRecorder({ client: api, component: 'c', maxInFlight: 1, maxQueued: 2 });
  for (let i = 0; i < 5; i++) rec.event(makePod(`p${i}`), 'Normal', 'R', 'A', 'm');
  release();
  await rec.flush();
  assert.equal(api.events.length, 3); // one in flight + two queued
  assert.equal(rec.dropped, 2);
});
