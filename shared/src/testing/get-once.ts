// One-shot HTTP GETs for tests that count which backend answers (kube-proxy, Services).

import { request } from 'node:http';

/** GET on a new connection (no keep-alive): the body without surrounding whitespace, or the error code (ECONNREFUSED...). */
export function getOnce(url: string, timeoutMs = 5_000): Promise<{ body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ body: body.trim() }));
      res.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end();
  });
}

/** Answers (body, or `error:<code>`) to `n` GETs sent one by one, each on a new connection, with their counts. */
export async function tally(url: string, n: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = await getOnce(url);
    const key = r.body ?? `error:${r.error}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
