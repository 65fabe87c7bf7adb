import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventRecorder, StatusError, objectReference, rfc3339, truncateMessage, type KubeObject } from '@minik8s/shared';

/** Records what the recorder writes, as the apiserver would receive it. */
class FakeEventClient {
  events: KubeObject[] = [];
  patches: Array<{ name: string; patch: unknown }> = [];
  async create(_resource: 'events', obj: KubeObject): Promise<unknown> {
    this.events.push(obj);
    return obj;
  }
  async patch(_resource: 'events', name: string, patch: unknown): Promise<unknown> {
    this.patches.push({ name, patch });
    return {};
  }
}

const pod = (name: string): KubeObject => ({ metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1' } });

test('a repeated event bumps count and lastTimestamp of the same Event', async () => {
  const api = new FakeEventClient();
  let now = Date.UTC(2026, 0, 1, 10, 0, 0, 500);
  const rec = new EventRecorder({ client: api, component: 'default-scheduler', instance: 'host_1', now: () => now });
  const ref = objectReference('Pod', pod('p'));
  rec.event(ref, 'Warning', 'FailedScheduling', 'no fit', 'Scheduling');
  await rec.flush();
  now += 60_000;
  rec.event(ref, 'Warning', 'FailedScheduling', 'no fit', 'Scheduling');
  rec.event(ref, 'Warning', 'FailedScheduling', 'another reason', 'Scheduling');
  await rec.flush();
  assert.equal(api.events.length, 2);
  const first = api.events[0] as any;
  assert.match(first.metadata.name, /^p\.[0-9a-f]+$/);
  assert.deepEqual(first.involvedObject, { kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'p', uid: 'uid-p', resourceVersion: '1' });
  assert.equal(first.firstTimestamp, '2026-01-01T10:00:00Z');
  assert.equal(first.source.component, 'default-scheduler');
  assert.equal(first.reportingInstance, 'host_1');
  assert.equal(first.action, 'Scheduling');
  assert.deepEqual(api.patches, [{ name: first.metadata.name, patch: { count: 2, lastTimestamp: '2026-01-01T10:01:00Z', message: 'no fit' } }]);
});

test('events about cluster-scoped objects go to the default namespace', async () => {
  const api = new FakeEventClient();
  const rec = new EventRecorder({ client: api, component: 'node-controller' });
  rec.event(objectReference('Node', { metadata: { name: 'node-1', uid: 'n1' } }), 'Normal', 'RegisteredNode', 'Node node-1 event: Registered Node node-1 in Controller');
  await rec.flush();
  assert.equal(api.events[0].metadata.namespace, 'default');
  assert.equal((api.events[0] as any).involvedObject.kind, 'Node');
});

test('an aggregated Event that vanished is created again', async () => {
  const api = new FakeEventClient();
  const rec = new EventRecorder({ client: api, component: 'c' });
  const ref = objectReference('Pod', pod('p'));
  rec.event(ref, 'Normal', 'R', 'm');
  await rec.flush();
  api.patch = async () => {
    throw StatusError.from(404, 'NotFound', 'events "x" not found');
  };
  rec.event(ref, 'Normal', 'R', 'm');
  await rec.flush();
  assert.equal(api.events.length, 2);
});

test('messages are cut to 1024 characters with " ..." and times are whole seconds', () => {
  const cut = truncateMessage('x'.repeat(2000));
  assert.equal(cut.length, 1024);
  assert.ok(cut.endsWith(' ...'));
  assert.equal(truncateMessage('short'), 'short');
  assert.equal(rfc3339(Date.UTC(2026, 4, 6, 7, 8, 9, 999)), '2026-05-06T07:08:09Z');
});

test('beyond maxQueued, events are dropped instead of piling up', async () => {
  const api = new FakeEventClient();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const create = api.create.bind(api);
  api.create = async (...args) => {
    await gate;
    return create(...args);
  };
  const rec = new EventRecorder({ client: api, component: 'c', maxInFlight: 1, maxQueued: 2 });
  for (let i = 0; i < 5; i++) rec.event(objectReference('Pod', pod(`p${i}`)), 'Normal', 'R', 'm');
  release();
  await rec.flush();
  assert.equal(api.events.length, 3); // one in flight + two queued
  assert.equal(rec.dropped, 2);
});
