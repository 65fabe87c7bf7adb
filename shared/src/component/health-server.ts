// The component's HTTP endpoint for probes and scraping: /healthz, /livez, /readyz answer
// "ok" (text/plain, as upstream) or 500 naming the failed checks; /metrics is Prometheus text.
// Built apart from listen() so tests can use inject().

import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** A named check: returns nothing (healthy) or throws / returns an error message. */
export interface HealthCheck {
  name: string;
  check(): string | undefined | void | Promise<string | undefined | void>;
}

export interface HealthServerOptions {
  registry: Registry;
  /** Checks for /healthz and /livez. */
  livenessChecks?: HealthCheck[];
  /** Checks for /readyz, in addition to the liveness checks. */
  readinessChecks?: HealthCheck[];
}

async function runChecks(checks: HealthCheck[]): Promise<string[]> {
  const failed: string[] = [];
  for (const c of checks) {
    try {
      const msg = await c.check();
      if (msg) failed.push(`${c.name}: ${msg}`);
    } catch (err) {
      failed.push(`${c.name}: ${(err as Error).message}`);
    }
  }
  return failed;
}

export function buildHealthServer(opts: HealthServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  const live = opts.livenessChecks ?? [];
  const ready = [...live, ...(opts.readinessChecks ?? [])];
  const probe = (checks: HealthCheck[]) => async (_req: unknown, reply: import('fastify').FastifyReply) => {
    const failed = await runChecks(checks);
    reply.type('text/plain; charset=utf-8').header('x-content-type-options', 'nosniff');
    if (failed.length === 0) return 'ok';
    reply.code(500);
    return `${failed.map((f) => `[-]${f}`).join('\n')}\nhealthz check failed\n`;
  };
  app.get('/healthz', probe(live));
  app.get('/livez', probe(live));
  app.get('/readyz', probe(ready));
  app.get('/metrics', async (_req, reply) => {
    reply.type(opts.registry.contentType);
    return opts.registry.metrics();
  });
  return app;
}

/** Listens and returns the bound port (the chosen one when `port` is 0). */
export async function listenHealthServer(app: FastifyInstance, bindAddress: string, port: number): Promise<number> {
  await app.listen({ host: bindAddress, port });
  const addr = app.server.address();
  if (addr && typeof addr === 'object') return addr.port;
  throw new Error('health server has no TCP address');
}
