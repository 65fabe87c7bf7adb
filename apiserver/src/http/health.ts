// /healthz, /livez, /readyz (not ready while etcd does not answer or the caches have not
// synced), /version (kubectl's dispatcher needs minor "32") and Prometheus /metrics.

import type { FastifyInstance } from 'fastify';
import type { Registry } from '../registry/registry.ts';
import { promRegistry } from './metrics.ts';

export interface HealthState {
  etcdHealthy: boolean;
  bootstrapped: boolean;
}

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-minik8s',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-21T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'tsc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

export function registerHealthRoutes(app: FastifyInstance, health: HealthState, registry: Registry, profiling = false): void {
  if (profiling) {
    // --profiling: the process's memory after a full collection when node runs with --expose-gc,
    // so benchmarks measure what is retained rather than garbage not yet collected.
    app.get('/debug/memory', (_req, reply) => {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      reply.header('content-type', 'application/json').send(JSON.stringify({ collected: gc !== undefined, ...process.memoryUsage() }));
    });
  }
  const text = (code: number, body: string) => ({ code, body });
  const checks = (verbose: boolean, ready: boolean) => {
    const lines = [
      ['ping', true],
      ['etcd', !ready || health.etcdHealthy],
      ...(ready ? [['informer-sync', registry.ready()], ['poststarthook/bootstrap-namespaces', health.bootstrapped]] : []),
    ] as Array<[string, boolean]>;
    const ok = lines.every(([, v]) => v);
    if (!verbose && ok) return text(200, 'ok');
    const out = lines.map(([n, v]) => `[${v ? '+' : '-'}]${n} ${v ? 'ok' : 'failed: reason withheld'}`);
    out.push(ok ? `${ready ? 'readyz' : 'livez'} check passed` : `${ready ? 'readyz' : 'livez'} check failed`);
    return text(ok ? 200 : 500, out.join('\n') + '\n');
  };
  for (const [url, ready] of [['/healthz', false], ['/livez', false], ['/readyz', true]] as const) {
    app.get(url, (req, reply) => {
      const r = checks((req.query as Record<string, string>).verbose !== undefined, ready);
      reply.code(r.code).header('content-type', 'text/plain; charset=utf-8').send(r.body);
    });
  }
  app.get('/version', (_req, reply) => {
    reply.header('content-type', 'application/json').send(JSON.stringify(VERSION_INFO));
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', promRegistry.contentType).send(await promRegistry.metrics());
  });
}
