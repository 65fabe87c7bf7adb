import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseLock } from '../../src/leaderelection/lease-lock.ts';
import { formatMicroTime, parseMicroTime } from '../../src/leaderelection/micro-time.ts';
import { RestClient } from '../../src/client/rest-client.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../src/api/status-error.ts';
import { FakeApiserver } from '../client/fake-apiserver.ts';

const server = new FakeApiserver();
let client: RestClient;

before(async () => {
  await server.start();
  client = new RestClient({ config: { server: server.url }, maxRetries: 0 });
});
after(async () => {
  await client.close();
  await server.stop();
});

test('MicroTime has exactly six fractional digits in UTC and round-trips to the millisecond', () => {
  const ms = Date.UTC(2026, 2, 4, 5, 6, 7, 89);
  assert.equal(formatMicroTime(ms), '2026-03-04T05:06:07.089000Z');
  assert.equal(parseMicroTime('2026-03-04T05:06:07.089123Z'), ms);
  assert.equal(parseMicroTime(undefined), undefined);
});

test('the lock creates, reads and conditionally updates a coordination.k8s.io/v1 Lease', async () => {
  const a = new LeaseLock(client, 'kube-system', 'kube-scheduler', 'host_a');
  const b = new LeaseLock(client, 'kube-system', 'kube-scheduler', 'host_b');
  await assert.rejects(a.get(), (e) => isNotFound(e));
  const t0 = Date.UTC(2026, 0, 1, 0, 0, 0, 500);
  const rec = { holderIdentity: 'host_a', leaseDurationSeconds: 15, acquireTime: t0, renewTime: t0, leaderTransitions: 0 };
  await a.create(rec);
  await assert.rejects(b.create({ ...rec, holderIdentity: 'host_b' }), (e) => isAlreadyExists(e));

  const stored = server.getObject('/apis/coordination.k8s.io/v1/leases', 'kube-system', 'kube-scheduler')!;
  assert.equal(stored.apiVersion, 'coordination.k8s.io/v1');
  assert.equal(stored.kind, 'Lease');
  assert.deepEqual(stored.spec, {
    holderIdentity: 'host_a',
    leaseDurationSeconds: 15,
    acquireTime: '2026-01-01T00:00:00.500000Z',
    renewTime: '2026-01-01T00:00:00.500000Z',
    leaseTransitions: 0,
  });

  const got = await b.get();
  assert.deepEqual(got.record, rec);
  // a renews (over the version it wrote); b's update is now over a stale version: Conflict.
  await a.update({ ...rec, renewTime: t0 + 2000 });
  await assert.rejects(b.update({ ...rec, holderIdentity: 'host_b', leaderTransitions: 1 }), (e) => isConflict(e));
  const after2 = await b.get();
  assert.equal(after2.record.renewTime, t0 + 2000);
  assert.notEqual(after2.raw, got.raw);
  const puts = server.requests.filter((r) => r.method === 'PUT');
  assert.equal(puts[0].path, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler');
  assert.ok(JSON.parse(puts[0].body).metadata.resourceVersion, 'updates carry the resourceVersion');
});
