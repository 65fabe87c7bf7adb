// The repair of the service IP and node port ranges (upstream's ipallocator and portallocator
// repair controllers): rebuilds each bitmap from the Services that exist, at start-up and then
// every interval.
//
// Why: an allocation happens before the Service is written, so a write that fails in a way the
// allocator cannot undo (the apiserver dies, etcd times out) leaves a value allocated that no
// Service holds (a leak), and data restored from a backup, or Services written before the range
// existed, hold values the bitmap lacks. Until its first run succeeds nothing can be allocated
// (the range objects do not exist yet), so the apiserver reports ready only after it.
//
// One run, per range (numbered as upstream's runOnce):
//  1. Read the stored bitmap (with its revision), THEN list the Services: an allocation made
//     after the read changes the revision, so step 4 fails and the run starts over.
//  2. Allocate every value a Service holds in a fresh bitmap; a value outside the range, or held
//     by two Services, is reported (the Service must be recreated), not changed.
//  3. A value allocated in the stored bitmap that no Service holds may belong to a Service being
//     created right now: it stays allocated until it has been seen unused by
//     LEAK_RUNS_BEFORE_RELEASE runs in a row, then it is freed.
//  4. Write the fresh bitmap if the stored one is still at the revision read in step 1.

import type { Logger } from 'pino';
import type { KubeObject } from '@minik8s/shared';
import type { Storage } from '../../storage/interface.ts';
import { AllocationBitmap } from './allocation-bitmap.ts';
import type { RangeRegistry } from './range-registry.ts';
import { isHeadless, needsClusterIP, serviceNodePorts, type ServiceAllocators } from './service-allocators.ts';

/** Upstream's numRepairsBeforeLeakCleanup. */
export const LEAK_RUNS_BEFORE_RELEASE = 3;
/** Upstream repairs the service ranges every 3 minutes. */
export const DEFAULT_REPAIR_INTERVAL_MS = 3 * 60_000;
const CONFLICT_RETRIES = 5;

export interface AllocationRepairOptions {
  /** The apiserver's storage, where both the ranges and the Services are. */
  storage: Storage;
  /** The Services' key prefix, e.g. `/registry/services/`. */
  servicesPrefix: string;
  allocators: ServiceAllocators;
  intervalMs?: number;
  logger: Logger;
}

interface RangeUnderRepair {
  name: string;
  range: RangeRegistry;
  /** The values a Service holds: [label, offset or undefined when outside the range]. */
  valuesOf(svc: KubeObject): Array<[string, number | undefined]>;
  format(offset: number): string;
  /** Offset -> runs left before a leaked value is freed. */
  leaks: Map<number, number>;
}

export class AllocationRepair {
  private readonly storage: Storage;
  private readonly servicesPrefix: string;
  private readonly intervalMs: number;
  private readonly log: Logger;
  private readonly ranges: RangeUnderRepair[];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(opts: AllocationRepairOptions) {
    this.storage = opts.storage;
    this.servicesPrefix = opts.servicesPrefix;
    this.intervalMs = opts.intervalMs ?? DEFAULT_REPAIR_INTERVAL_MS;
    this.log = opts.logger;
    const { allocators } = opts;
    this.ranges = [
      {
        name: 'cluster IP',
        range: allocators.ips,
        leaks: new Map(),
        valuesOf(svc) {
          const spec = svc.spec ?? {};
          if (!needsClusterIP(spec) || isHeadless(spec)) return [];
          const ips: string[] = Array.isArray(spec.clusterIPs) && spec.clusterIPs.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
          return ips.map((ip) => [ip, allocators.cidr.offsetOf(ip)]);
        },
        format: (offset) => allocators.cidr.ipAt(offset),
      },
      {
        name: 'node port',
        range: allocators.nodePorts,
        leaks: new Map(),
        valuesOf(svc) {
          return [...serviceNodePorts(svc.spec ?? {})].map((p) => [String(p), allocators.nodePortRange.offsetOf(p)]);
        },
        format: (offset) => String(allocators.nodePortRange.portAt(offset)),
      },
    ];
  }

  /**
   * Runs until the first run succeeds (retrying with backoff), then every interval in the
   * background. Resolves after that first success, or once stop() was called.
   */
  async start(): Promise<void> {
    for (let delay = 100; !this.stopped; delay = Math.min(delay * 2, 5_000)) {
      try {
        await this.runOnce();
        this.schedule();
        return;
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'service allocation repair failed; retrying');
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One repair of both ranges (see the file comment). */
  async runOnce(): Promise<void> {
    for (const r of this.ranges) await this.repair(r);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runOnce().then(
        () => this.schedule(),
        (err) => {
          this.log.warn({ err: (err as Error).message }, 'service allocation repair failed');
          this.schedule();
        },
      );
    }, this.intervalMs);
    this.timer.unref();
  }

  private async repair(r: RangeUnderRepair): Promise<void> {
    for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
      // 1. the stored bitmap first, then the Services.
      const stored = await r.range.read();
      if (stored.range !== undefined && stored.range !== r.range.range) {
        this.log.warn({ stored: stored.range, configured: r.range.range }, `the ${r.name} range changed; rebuilding its allocations from the Services`);
      }
      const services = (await this.storage.list(this.servicesPrefix)).items;
      // 2. what the Services hold.
      const rebuilt = new AllocationBitmap(r.range.size, r.range.dynamicOffset);
      for (const svc of services) {
        const who = `${svc.metadata.namespace}/${svc.metadata.name}`;
        for (const [value, offset] of r.valuesOf(svc)) {
          if (offset === undefined) {
            this.log.warn(`the ${r.name} ${value} for service ${who} is not within the range ${r.range.range}; please recreate`);
          } else if (!rebuilt.allocate(offset)) {
            this.log.error(`the ${r.name} ${value} for service ${who} was assigned to multiple services; please recreate`);
          } else {
            if (!stored.bitmap.has(offset)) this.log.warn(`the ${r.name} ${value} for service ${who} is not allocated; repairing`);
            r.leaks.delete(offset);
          }
        }
      }
      // 3. values no Service holds: freed after LEAK_RUNS_BEFORE_RELEASE sightings.
      stored.bitmap.forEach((offset) => {
        if (rebuilt.has(offset)) return;
        const left = r.leaks.get(offset) ?? LEAK_RUNS_BEFORE_RELEASE - 1;
        if (left > 0) {
          if (!r.leaks.has(offset)) this.log.warn(`the ${r.name} ${r.format(offset)} may have leaked: flagging for later clean up`);
          r.leaks.set(offset, left - 1);
          rebuilt.allocate(offset);
        } else {
          r.leaks.delete(offset);
          this.log.warn(`the ${r.name} ${r.format(offset)} appears to have leaked: cleaning up`);
        }
      });
      // 4. write, unless an allocation happened meanwhile.
      if (await r.range.replace(stored.resourceVersion, rebuilt)) return;
    }
    throw new Error(`the ${r.name} allocations changed during ${CONFLICT_RETRIES} repairs in a row`);
  }
}
