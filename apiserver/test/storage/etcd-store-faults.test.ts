// The etcd store when etcd does not answer: every request fails on its own with Unavailable,
// as upstream's. No circuit breaker turns a few failures into refusing the requests after them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from '@minik8s/shared/testing';
import { EtcdStore } from '../../src/storage/etcd-store.ts';
import { StorageError } from '../../src/storage/storage-error.ts';

test('with no etcd listening, each request fails with its own connection error, never an open circuit', async () => {
  const store = new EtcdStore({ endpoints: [`http://127.0.0.1:${await freePort()}`], requestTimeoutMs: 5_000 });
  try {
    const messages: string[] = [];
    for (let i = 0; i < 6; i++) {
      await assert.rejects(store.get(`/registry/configmaps/default/c-${i}`), (err: unknown) => {
        assert.ok(err instanceof StorageError, String(err));
        assert.equal(err.code, 'Unavailable');
        messages.push(err.message);
        return true;
      });
    }
    for (const m of messages) assert.doesNotMatch(m, /circuit breaker/i, `every call reached for etcd: ${messages.join(' | ')}`);
  } finally {
    await store.close();
  }
});
