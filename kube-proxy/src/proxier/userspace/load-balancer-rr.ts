// Round-robin endpoint choice per service port, with ClientIP session affinity (upstream's
// userspace LoadBalancerRR).
//
// Contract:
// - nextEndpoint() walks the endpoints in turn; with ClientIP affinity a client that was sent
//   somewhere within the affinity timeout is sent there again, unless `resetAffinity` (the
//   previous choice refused the connection) asks for the next endpoint instead.
// - update() with the same endpoints keeps the position and the affinities; with other
//   endpoints it starts over on a shuffled list (so that the proxies of many nodes do not all
//   start on the same endpoint) and forgets affinities to endpoints that are gone.

import type { Clock } from '@minik8s/shared';
import { realClock } from '@minik8s/shared';

interface Affinity {
  endpoint: string;
  lastUsed: number;
}

interface ServiceState {
  endpoints: string[];
  /** The same endpoints, sorted: what update() compares. */
  sorted: string[];
  index: number;
  affinityTimeoutMs: number;
  affinities: Map<string, Affinity>;
}

export interface LoadBalancerOptions {
  clock?: Clock;
  /** [0, 1) random numbers for the shuffle (tests make it deterministic). */
  random?: () => number;
}

export class LoadBalancerRR {
  private readonly services = new Map<string, ServiceState>();
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(opts: LoadBalancerOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
  }

  /**
   * Sets a service port's endpoints (`ip:port` strings) and its affinity: 0 for none, else the
   * ClientIP timeout in seconds.
   */
  update(service: string, endpoints: readonly string[], affinityTimeoutSeconds: number): void {
    const sorted = [...endpoints].sort();
    const affinityTimeoutMs = affinityTimeoutSeconds * 1000;
    const cur = this.services.get(service);
    if (cur && sameList(cur.sorted, sorted)) {
      if (cur.affinityTimeoutMs !== affinityTimeoutMs) {
        cur.affinityTimeoutMs = affinityTimeoutMs;
        cur.affinities.clear();
      }
      return;
    }
    const affinities = cur && cur.affinityTimeoutMs === affinityTimeoutMs ? cur.affinities : new Map<string, Affinity>();
    const present = new Set(sorted);
    for (const [client, a] of affinities) if (!present.has(a.endpoint)) affinities.delete(client);
    this.services.set(service, { endpoints: this.shuffle(sorted), sorted, index: 0, affinityTimeoutMs, affinities });
  }

  delete(service: string): void {
    this.services.delete(service);
  }

  /** Whether picks for `service` depend on the client's address (ClientIP affinity). */
  usesClientIP(service: string): boolean {
    return (this.services.get(service)?.affinityTimeoutMs ?? 0) > 0;
  }

  endpointCount(service: string): number {
    return this.services.get(service)?.endpoints.length ?? 0;
  }

  /** The endpoint for a new connection from `clientIP`, or undefined when there is none. */
  nextEndpoint(service: string, clientIP: string, resetAffinity = false): string | undefined {
    const s = this.services.get(service);
    if (!s || s.endpoints.length === 0) return undefined;
    const now = this.clock.now();
    if (s.affinityTimeoutMs > 0 && !resetAffinity) {
      const a = s.affinities.get(clientIP);
      if (a && now - a.lastUsed < s.affinityTimeoutMs) {
        a.lastUsed = now;
        return a.endpoint;
      }
    }
    const endpoint = s.endpoints[s.index % s.endpoints.length]!;
    s.index = (s.index + 1) % s.endpoints.length;
    if (s.affinityTimeoutMs > 0) s.affinities.set(clientIP, { endpoint, lastUsed: now });
    return endpoint;
  }

  private shuffle(list: string[]): string[] {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
