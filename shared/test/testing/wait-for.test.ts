import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { freePort, waitFor } from '../../src/testing/index.ts';

describe('waitFor', () => {
  it('polls until the value is truthy and resolves with it', async () => {
    let calls = 0;
    const v = await waitFor(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
    assert.deepEqual(v, { calls: 3 });
  });

  it('treats a throw as "not yet"', async () => {
    let calls = 0;
    const v = await waitFor(
      async () => {
        if (++calls < 3) throw new Error('not ready');
        return 'ok';
      },
      { intervalMs: 1 },
    );
    assert.equal(v, 'ok');
  });

  it('rejects at the deadline with the message and the last error as cause', async () => {
    const last = new Error('still broken');
    await assert.rejects(
      waitFor(() => {
        throw last;
      }, { timeoutMs: 50, intervalMs: 5, message: 'the thing never worked' }),
      (err: Error) => err.message.includes('the thing never worked') && err.message.includes('still broken') && err.cause === last,
    );
  });

  it('does not wait for an attempt that outlives the deadline', async () => {
    await assert.rejects(waitFor(() => new Promise<boolean>(() => {}), { timeoutMs: 50, message: 'hung' }), /hung.*still running/);
  });
});

describe('freePort', () => {
  it('returns a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    assert.ok(port > 0 && port < 65536);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
