// Commit and revert for work a strategy hook does inside a guaranteedUpdate attempt (upstream's
// BeginUpdate / FinishFunc(success)).
//
// The generic store runs Strategy.allocate inside the function guaranteedUpdate retries on a
// conflict, and gives no signal once the write landed. Allocation needs one: a Service update
// must take its new node ports before the write, but may free the ones it drops only after the
// write (freed earlier, another Service could take them while this write still fails), and an
// attempt that lost the race must give back what it took before the retry asks for the same
// explicit values again. So the Registry wraps its Storage with withUpdateTransactions(): every
// attempt runs in a scope (AsyncLocalStorage) where a hook may enlist a Transaction, and:
// - when the next attempt starts, the previous attempt's transactions are reverted;
// - when guaranteedUpdate resolves, the last attempt's transactions are committed;
// - when it rejects, they are reverted.
// Both finish before guaranteedUpdate returns, so a client that saw its update answered can
// count on the freed values being free.
//
// Not guaranteed: a write whose outcome is unknown (etcd timed out after applying it) is
// reverted though it landed; the allocation repair finds and fixes such values later.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Storage, TryUpdate } from '../../storage/interface.ts';

export interface Transaction {
  /** The write landed: finish (e.g. release what the new object no longer holds). */
  commit(): Promise<void>;
  /** The write did not land: undo (e.g. release what this attempt allocated). */
  revert(): Promise<void>;
}

class Attempt {
  readonly transactions: Transaction[] = [];
}

const currentAttempt = new AsyncLocalStorage<Attempt>();

/**
 * Enlists `txn` with the guaranteedUpdate attempt running now. Returns false outside any
 * attempt (a plain create): the caller then settles the work itself.
 */
export function enlistInUpdate(txn: Transaction): boolean {
  const attempt = currentAttempt.getStore();
  if (!attempt) return false;
  attempt.transactions.push(txn);
  return true;
}

/** `storage` whose guaranteedUpdate settles enlisted transactions (see the file comment). */
export function withUpdateTransactions(storage: Storage, onError: (err: unknown) => void = () => {}): Storage {
  const settle = async (attempt: Attempt, how: 'commit' | 'revert') => {
    for (const txn of attempt.transactions.splice(0)) {
      try {
        await txn[how]();
      } catch (err) {
        // Nothing to hand the error to: the write's outcome stands. What stays allocated
        // is a leak the repair frees later.
        onError(err);
      }
    }
  };
  return {
    get: (key) => storage.get(key),
    list: (prefix, opts) => storage.list(prefix, opts),
    create: (key, obj) => storage.create(key, obj),
    delete: (key, opts) => storage.delete(key, opts),
    watch: (prefix, rev) => storage.watch(prefix, rev),
    currentRevision: () => storage.currentRevision(),
    healthy: () => storage.healthy(),
    close: () => storage.close(),
    async guaranteedUpdate(key, tryUpdate, opts) {
      let attempt: Attempt | undefined;
      const inScope: TryUpdate = async (current) => {
        if (attempt) await settle(attempt, 'revert');
        attempt = new Attempt();
        return currentAttempt.run(attempt, () => tryUpdate(current));
      };
      let result;
      try {
        result = await storage.guaranteedUpdate(key, inScope, opts);
      } catch (err) {
        if (attempt) await settle(attempt, 'revert');
        throw err;
      }
      if (attempt) await settle(attempt, 'commit');
      return result;
    },
  };
}
