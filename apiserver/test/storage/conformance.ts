// One conformance suite for every Storage implementation. Each implementation's test file
// calls runStorageConformance with a factory; the suite owns nothing else.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import type { Storage, StorageEvent } from '../../src/storage/interface.ts';
import { StorageError } from '../../src/storage/storage-error.ts';

export interface ConformanceTarget {
  storage: Storage;
  /** Compact history up to revision (events at or below it can no longer be watched). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

function pod(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, ...extra };
}

async function collect(it: AsyncIterable<StorageEvent>, n: number, timeoutMs = 10_000): Promise<StorageEvent[]> {
  const out: StorageEvent[] = [];
  const timer = new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timed out waiting for ${n} events, got ${out.length}`)), timeoutMs).unref());
  const reading = (async () => {
    for await (const ev of it) {
      out.push(ev);
      if (out.length >= n) break;
    }
    return out;
  })();
  return Promise.race([reading, timer]);
}

export function runStorageConformance(name: string, factory: () => Promise<ConformanceTarget>): void {
  describe(`storage conformance: ${name}`, () => {
    let t: ConformanceTarget;
    let s: Storage;
    let n = 0;
    // Every test works under its own prefix so tests do not see each other's keys.
    const prefix = () => `/conformance/${process.pid}-${++n}/`;

    before(async () => {
      t = await factory();
      s = t.storage;
    });
    after(async () => t?.close());

    it('create sets resourceVersion to the new revision; a second create is KeyExists', async () => {
      const p = prefix();
      const created = await s.create(`${p}a`, pod('a'));
      assert.ok(Number(created.metadata.resourceVersion) > 0);
      const got = await s.get(`${p}a`);
      assert.deepEqual(got, created);
      await assert.rejects(s.create(`${p}a`, pod('a')), (e: unknown) => e instanceof StorageError && e.code === 'KeyExists');
    });

    it('get of a missing key is undefined', async () => {
      assert.equal(await s.get(`${prefix()}missing`), undefined);
    });

    it('guaranteedUpdate: 20 concurrent read-modify-writes lose no update', async () => {
      const key = `${prefix()}counter`;
      await s.create(key, pod('counter', { data: { n: 0 } }));
      let attempts = 0;
      await Promise.all(
        Array.from({ length: 20 }, () =>
          s.guaranteedUpdate(key, (cur) => {
            attempts++;
            const next = structuredClone(cur!);
            next.data = { n: (cur!.data as { n: number }).n + 1 };
            return next;
          }),
        ),
      );
      const final = await s.get(key);
      assert.equal((final!.data as { n: number }).n, 20);
      assert.ok(attempts >= 20);
    });

    it('guaranteedUpdate that changes nothing writes nothing', async () => {
      const key = `${prefix()}same`;
      const created = await s.create(key, pod('same'));
      const out = await s.guaranteedUpdate(key, (cur) => cur!);
      assert.equal(out.metadata.resourceVersion, created.metadata.resourceVersion);
    });

    it('guaranteedUpdate: a throwing tryUpdate aborts without writing; a missing key is KeyNotFound', async () => {
      const key = `${prefix()}abort`;
      const created = await s.create(key, pod('abort'));
      await assert.rejects(s.guaranteedUpdate(key, () => { throw new Error('refused'); }), /refused/);
      assert.equal((await s.get(key))!.metadata.resourceVersion, created.metadata.resourceVersion);
      await assert.rejects(s.guaranteedUpdate(`${key}-none`, (c) => c!), (e: unknown) => e instanceof StorageError && e.code === 'KeyNotFound');
    });

    it('guaranteedUpdate with ignoreNotFound creates', async () => {
      const key = `${prefix()}upsert`;
      const out = await s.guaranteedUpdate(key, (cur) => { assert.equal(cur, undefined); return pod('upsert'); }, { ignoreNotFound: true });
      assert.ok(out.metadata.resourceVersion);
      assert.ok(await s.get(key));
    });

    it('delete honours preconditions and returns the last state', async () => {
      const key = `${prefix()}del`;
      const created = await s.create(key, pod('del', { metadata: { name: 'del', uid: 'u1' } }));
      await assert.rejects(s.delete(key, { preconditions: { uid: 'other' } }), (e: unknown) => e instanceof StorageError && e.code === 'Conflict');
      await assert.rejects(s.delete(key, { preconditions: { resourceVersion: '1' } }), (e: unknown) => e instanceof StorageError && e.code === 'Conflict');
      const gone = await s.delete(key, { preconditions: { uid: 'u1', resourceVersion: created.metadata.resourceVersion! } });
      assert.equal(gone.metadata.name, 'del');
      assert.equal(await s.get(key), undefined);
      await assert.rejects(s.delete(key), (e: unknown) => e instanceof StorageError && e.code === 'KeyNotFound');
    });

    it('list pages with limit and startKey at one revision, in key order', async () => {
      const p = prefix();
      for (const x of ['c', 'a', 'e', 'b', 'd']) await s.create(`${p}${x}`, pod(x));
      const first = await s.list(p, { limit: 2 });
      assert.deepEqual(first.items.map((o) => o.metadata.name), ['a', 'b']);
      assert.ok(first.nextKey);
      assert.equal(first.remaining, 3);
      await s.create(`${p}bb`, pod('bb')); // after the first page's revision: must not show up
      const second = await s.list(p, { limit: 10, startKey: first.nextKey!, revision: first.revision });
      assert.deepEqual(second.items.map((o) => o.metadata.name), ['c', 'd', 'e']);
      assert.equal(second.nextKey, undefined);
      const all = await s.list(p);
      assert.equal(all.items.length, 6);
      assert.ok(all.revision > first.revision);
    });

    it('watch delivers every change after the revision, in order, with previous state', async () => {
      const p = prefix();
      const start = await s.create(`${p}x`, pod('x'));
      const w = s.watch(p, Number(start.metadata.resourceVersion));
      const events = collect(w, 3);
      const upd = await s.guaranteedUpdate(`${p}x`, (c) => ({ ...c!, metadata: { ...c!.metadata, labels: { a: 'b' } } }));
      await s.create(`${p}y`, pod('y'));
      await s.delete(`${p}x`);
      const got = await events;
      w.stop();
      assert.deepEqual(got.map((e) => [e.type, e.object.metadata.name]), [['MODIFIED', 'x'], ['ADDED', 'y'], ['DELETED', 'x']]);
      assert.equal(got[0].object.metadata.resourceVersion, upd.metadata.resourceVersion);
      assert.equal(got[0].prevObject?.metadata.labels, undefined);
      assert.deepEqual(got[2].prevObject?.metadata.labels, { a: 'b' });
      assert.ok(got[0].revision < got[1].revision && got[1].revision < got[2].revision);
    });

    it('watch and list from a compacted revision fail with Expired', async () => {
      const p = prefix();
      const a = await s.create(`${p}a`, pod('a'));
      await s.guaranteedUpdate(`${p}a`, (c) => ({ ...c!, data: { v: 2 } }));
      const b = await s.create(`${p}b`, pod('b'));
      await t.compact(Number(b.metadata.resourceVersion));
      await assert.rejects(s.list(p, { revision: Number(a.metadata.resourceVersion) }), (e: unknown) => e instanceof StorageError && e.code === 'Expired');
      const w = s.watch(p, Number(a.metadata.resourceVersion));
      await assert.rejects(collect(w, 1), (e: unknown) => e instanceof StorageError && e.code === 'Expired');
      w.stop();
    });
  });
}
