// All resources' generic stores, built from the catalogue in @minik8s/shared.

import { RESOURCES, type ResourceInfo } from '@minik8s/shared';
import type { Storage } from '../storage/interface.ts';
import type { Admission } from '../admission/admission.ts';
import { GenericStore } from './generic-store.ts';
import { strategyFor } from './strategies/index.ts';
import type { ServiceAllocators } from './allocators/service-allocators.ts';
import { withUpdateTransactions } from './allocators/update-transactions.ts';

export class Registry {
  private readonly stores = new Map<string, GenericStore>();

  constructor(opts: { storage: Storage; etcdPrefix: string; admission: Admission; now?: () => Date; cacheCapacity?: number; onCacheError?: (resource: string, e: unknown) => void; serviceAllocators?: ServiceAllocators }) {
    // Strategy hooks that allocate learn whether an update's write landed (allocators/update-transactions.ts).
    const storage = withUpdateTransactions(opts.storage);
    for (const info of RESOURCES) {
      if (info.resource === 'componentstatuses') continue; // computed, not stored
      this.stores.set(`${info.group}/${info.resource}`, new GenericStore({
        info,
        strategy: strategyFor(info, { serviceAllocators: opts.serviceAllocators }),
        storage,
        etcdPrefix: opts.etcdPrefix,
        admission: opts.admission,
        ...(opts.now ? { now: opts.now } : {}),
        ...(opts.cacheCapacity ? { cacheCapacity: opts.cacheCapacity } : {}),
        ...(opts.onCacheError ? { onCacheError: (e: unknown) => opts.onCacheError!(info.resource, e) } : {}),
      }));
    }
  }

  store(info: Pick<ResourceInfo, 'group' | 'resource'>): GenericStore | undefined {
    return this.stores.get(`${info.group}/${info.resource}`);
  }

  all(): GenericStore[] {
    return [...this.stores.values()];
  }

  /** Start every watch cache; resolves when all have their first list. */
  async start(): Promise<void> {
    await Promise.all(this.all().map((s) => s.cache.start()));
  }

  ready(): boolean {
    return this.all().every((s) => s.cache.isReady());
  }

  stop(): void {
    for (const s of this.all()) s.cache.stop();
  }
}
