// kube-proxy's own health (upstream's healthcheck.ProxierHealthServer, on --healthz-port):
// healthy once the proxier programmed the state at least once, and as long as no change has
// waited longer than healthTimeout (2 x --sync-period) to be programmed. Load balancers probe
// it to know whether this node forwards what the API says.
//
// GET /healthz and /livez answer 200 or 503 with
// {"lastUpdated": "<time>", "currentTime": "<time>", "nodeEligible": true}.

import Fastify, { type FastifyInstance } from 'fastify';
import type { Clock } from '@minik8s/shared';
import { realClock } from '@minik8s/shared';

export class ProxierHealth {
  private readonly clock: Clock;
  private readonly healthTimeoutMs: number;
  private lastUpdated = 0;
  private oldestPendingQueued = 0;

  constructor(healthTimeoutMs: number, clock: Clock = realClock) {
    this.healthTimeoutMs = healthTimeoutMs;
    this.clock = clock;
  }

  /** A change arrived that the next sync must program. */
  queuedUpdate(): void {
    if (this.oldestPendingQueued === 0) this.oldestPendingQueued = this.clock.now();
  }

  /** A sync programmed everything queued before it started (`startedAt`). */
  updated(startedAt: number = this.clock.now()): void {
    this.lastUpdated = this.clock.now();
    if (this.oldestPendingQueued !== 0 && this.oldestPendingQueued <= startedAt) this.oldestPendingQueued = 0;
  }

  status(): { healthy: boolean; lastUpdated: number; currentTime: number } {
    const now = this.clock.now();
    const stale = this.oldestPendingQueued !== 0 && now - this.oldestPendingQueued > this.healthTimeoutMs;
    return { healthy: this.lastUpdated !== 0 && !stale, lastUpdated: this.lastUpdated, currentTime: now };
  }
}

/** The --healthz-port server; built apart from listen() so tests can inject(). */
export function buildProxierHealthServer(health: ProxierHealth): FastifyInstance {
  const app = Fastify({ logger: false });
  const handler = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    const s = health.status();
    reply.code(s.healthy ? 200 : 503).header('content-type', 'application/json').header('x-content-type-options', 'nosniff');
    return JSON.stringify({
      lastUpdated: s.lastUpdated ? new Date(s.lastUpdated).toISOString() : '0001-01-01T00:00:00Z',
      currentTime: new Date(s.currentTime).toISOString(),
      nodeEligible: true,
    });
  };
  app.get('/healthz', handler);
  app.get('/livez', handler);
  return app;
}
