// etcd's own readiness signal: GET /health answers {"health":"true"} once it has a leader.

import { waitFor } from './wait-for.ts';

export async function etcdIsHealthy(endpoint: string): Promise<boolean> {
  const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(2_000) });
  const body = (await res.json()) as { health?: string };
  return res.status === 200 && body.health === 'true';
}

/**
 * Resolves once etcd at `endpoint` is healthy. `failed()` is checked on every attempt and
 * ends the wait early with its message (e.g. the etcd process already exited).
 */
export async function waitForEtcdHealth(endpoint: string, opts: { timeoutMs?: number; failed?: () => string | undefined } = {}): Promise<void> {
  let failure: string | undefined;
  await waitFor(
    async () => {
      failure = opts.failed?.();
      if (failure) return true;
      return etcdIsHealthy(endpoint);
    },
    { timeoutMs: opts.timeoutMs ?? 30_000, intervalMs: 100, message: `etcd at ${endpoint} never became healthy` },
  );
  if (failure) throw new Error(failure);
}
