import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { slowStartBatch } from '../../src/util/slow-start.ts';

describe('slow start batches', () => {
  it('runs 1, 2, 4, ... calls at a time until all are done', async () => {
    let inFlight = 0;
    const batches: number[] = [];
    let calls = 0;
    const res = await slowStartBatch(10, 1, async () => {
      inFlight++;
      calls++;
      batches.push(inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
    });
    assert.deepEqual(res, { successes: 10 });
    assert.equal(calls, 10);
    // The widest point of each batch: 1, 2, 4, then the remaining 3.
    assert.equal(Math.max(...batches), 4);
  });

  it('stops after the first batch with a failure', async () => {
    let calls = 0;
    const res = await slowStartBatch(100, 1, async () => {
      calls++;
      if (calls >= 3) throw new Error('quota exceeded');
    });
    // Batch 1 (1 call) ok, batch 2 (2 calls): one fails -> stop; 97 never tried.
    assert.equal(calls, 3);
    assert.equal(res.successes, 2);
    assert.match(String((res.error as Error).message), /quota/);
  });
});
