// An in-process apiserver on a real etcd, listening on a free loopback port: tests talk to it
// over HTTP exactly as a client would.

import pino from 'pino';
import { startEtcd, waitFor, type EtcdHandle } from '@minik8s/shared/testing';
import { ApiServer, type ApiServerOptions } from '../../src/apiserver.ts';

export interface TestServer {
  url: string;
  server: ApiServer;
  etcd: EtcdHandle;
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startTestServer(opts: Partial<ApiServerOptions> & { etcd?: EtcdHandle } = {}): Promise<TestServer> {
  const etcd = opts.etcd ?? (await startEtcd());
  const server = new ApiServer({
    etcdServers: etcd.endpoints,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    etcdHealthIntervalMs: 200,
    ...opts,
  });
  server.start();
  const address = await server.app.listen({ host: '127.0.0.1', port: 0 });
  const url = address.replace('localhost', '127.0.0.1');
  await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs: 30_000, message: 'apiserver never became ready' });
  const req: TestServer['req'] = async (method, path, body, headers = {}) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await fetch(`${url}${path}`, init);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };
  return {
    url,
    server,
    etcd,
    req,
    stop: async () => {
      await server.stop();
      if (!opts.etcd) await etcd.stop();
    },
  };
}

export function pod(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1000'] }] }, ...extra };
}

export interface OpenWatch {
  status: number;
  events: any[];
  /** Resolves with all events so far once pred holds; rejects at the deadline. */
  until(pred: (events: any[]) => boolean, timeoutMs?: number): Promise<any[]>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens a watch and returns once the response headers are in (the watch is registered). */
export async function openWatch(url: string, headers: Record<string, string> = {}): Promise<OpenWatch> {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal, headers });
  const events: any[] = [];
  const listeners = new Set<() => void>();
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line));
        }
        for (const l of listeners) l();
      }
    } catch {
      /* aborted */
    } finally {
      for (const l of listeners) l();
    }
  })();
  let done = false;
  void ended.then(() => (done = true));
  return {
    status: res.status,
    events,
    ended,
    close: () => ac.abort(),
    until(pred, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pred(events)) {
            cleanup();
            resolve(events);
          } else if (done) {
            cleanup();
            reject(new Error(`watch ended before the condition held; events: ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name, e.object?.metadata?.resourceVersion]))}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out; events so far: ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name, e.object?.metadata?.resourceVersion]))}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}
