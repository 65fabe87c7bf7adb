// The watch cache's event window: it keeps exactly the last `capacity` events however many have
// gone through it (the front is cut off in batches, see WatchCache.trimWindow), replays from any
// revision inside it, and says Expired for one before it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { WatchCache } from '../../src/storage/watch-cache.ts';
import { AsyncEventQueue } from '../../src/storage/async-event-queue.ts';
import type { Storage, StorageEvent } from '../../src/storage/interface.ts';
import { StorageError } from '../../src/storage/storage-error.ts';

const PREFIX = '/registry/configmaps/';

/** A storage holding nothing at revision 0 whose one watch delivers what the test pushes. */
function fakeStorage(): { storage: Storage; events: AsyncEventQueue<StorageEvent> } {
  const events = new AsyncEventQueue<StorageEvent>();
  const storage = {
    list: async () => ({ items: [], keys: [], revision: 0 }),
    watch: () => Object.assign(events, { stop: () => events.end() }),
  } as unknown as Storage;
  return { storage, events };
}

function event(revision: number): StorageEvent {
  const object: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${revision % 7}`, namespace: 'ns', resourceVersion: String(revision) } };
  return { type: 'MODIFIED', key: `${PREFIX}ns/cm-${revision % 7}`, object, revision };
}

/** What a watch from `from` (> 0) replays right away: the window's events after `from`. */
async function replay(cache: WatchCache, from: number): Promise<number[]> {
  const w = cache.watch(from, { keyPrefix: PREFIX });
  // watch() queues the replay before it returns: take exactly that much.
  const n = w.events.size;
  const got: number[] = [];
  if (n > 0) {
    for await (const ev of w.events) {
      got.push(ev.revision);
      if (got.length === n) break;
    }
  }
  w.stop();
  return got;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

test('the window keeps the last `capacity` events across many trims and compactions', async () => {
  const capacity = 5;
  const { storage, events } = fakeStorage();
  const cache = new WatchCache(storage, PREFIX, { capacity });
  await cache.start();
  let revision = 0;
  // Around the batch compaction (every 1,024 dropped slots) and well past it.
  for (const upTo of [3, 5, 6, 1023, 1028, 1029, 1030, 2057, 3000]) {
    while (revision < upTo) events.push(event(++revision));
    await cache.waitUntilFresh(revision, 5_000);
    const oldest = Math.max(1, revision - capacity + 1);
    const windowStart = oldest - 1;
    // (A watch from 0 is a list, not a replay: the first window is checked from 1.)
    const from = Math.max(1, windowStart);
    assert.deepEqual(await replay(cache, from), range(from + 1, revision), `after ${revision} events: the whole window`);
    assert.deepEqual(await replay(cache, revision - 2), range(revision - 1, revision), `after ${revision} events: from inside the window`);
    assert.deepEqual(await replay(cache, revision), [], `after ${revision} events: from the newest`);
    if (windowStart > 1) {
      assert.throws(
        () => cache.watch(windowStart - 1, { keyPrefix: PREFIX }),
        (e: unknown) => e instanceof StorageError && e.code === 'Expired' && e.message === `too old resource version: ${windowStart - 1} (${windowStart + 1})`,
        `after ${revision} events: before the window`,
      );
    }
  }
  cache.stop();
});

test('a watcher started inside the window gets the replay and then live events, in order', async () => {
  const { storage, events } = fakeStorage();
  const cache = new WatchCache(storage, PREFIX, { capacity: 3 });
  await cache.start();
  for (let r = 1; r <= 2000; r++) events.push(event(r));
  await cache.waitUntilFresh(2000, 5_000);
  const w = cache.watch(1998, { keyPrefix: PREFIX });
  for (let r = 2001; r <= 2003; r++) events.push(event(r));
  const got: number[] = [];
  for await (const ev of w.events) {
    got.push(ev.revision);
    if (got.length === 5) break;
  }
  assert.deepEqual(got, [1999, 2000, 2001, 2002, 2003]);
  cache.stop();
});
