// A small Docker Engine API client over its unix socket (undici for requests and streams,
// node:http for the one hijacked connection an interactive exec needs). Unversioned paths, so
// any Engine since API 1.24 answers.
//
// Errors: a non-2xx answer rejects with DockerError carrying the status and the Engine's
// `message` (e.g. 404 "No such container: ..."). Output streams of containers without a TTY
// are multiplexed: 8-byte frames (stream type, 3 zero bytes, big-endian length), see demux().

import http from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { Client } from 'undici';

export class DockerError extends Error {
  readonly statusCode: number;

  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'DockerError';
    this.statusCode = statusCode;
  }
}

type Query = Record<string, string | number | boolean | undefined>;

function qs(query: Query | undefined): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) p.append(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export interface RequestOpts {
  query?: Query;
  body?: unknown;
  /** Headers and body timeout (default 60 s; 0 = none, for streams). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Splits a multiplexed stream into (stream, payload) frames; 1 = stdout, 2 = stderr. */
export async function* demux(body: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<{ stream: 1 | 2; data: Buffer }> {
  let buf = Buffer.alloc(0);
  for await (const chunk of body) {
    buf = buf.length ? Buffer.concat([buf, Buffer.from(chunk)]) : Buffer.from(chunk);
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const type = buf[0] === 2 ? 2 : 1;
      yield { stream: type, data: buf.subarray(8, 8 + size) };
      buf = buf.subarray(8 + size);
    }
  }
}

export class DockerClient {
  readonly socketPath: string;
  private readonly client: Client;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
    this.client = new Client('http://localhost', { socketPath, keepAliveTimeout: 10_000 });
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => {});
  }

  private async send(method: 'GET' | 'POST' | 'DELETE' | 'PUT', path: string, opts: RequestOpts = {}) {
    const timeout = opts.timeoutMs ?? 60_000;
    const res = await this.client.request({
      method,
      path: path + qs(opts.query),
      headers: opts.body !== undefined ? { 'content-type': 'application/json' } : {},
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: opts.signal,
    });
    if (res.statusCode >= 400) {
      const text = await res.body.text();
      let message = text.trim();
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not JSON
      }
      throw new DockerError(res.statusCode, message || `docker answered ${res.statusCode}`);
    }
    return res;
  }

  /** The answer's JSON (undefined for an empty body, 204 and 304 included). */
  async json<T>(method: 'GET' | 'POST' | 'DELETE' | 'PUT', path: string, opts: RequestOpts = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    const text = await res.body.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The answer's body as a stream (logs, pulls, exec output); destroy it to stop early. */
  async stream(method: 'GET' | 'POST', path: string, opts: RequestOpts = {}): Promise<Readable> {
    const res = await this.send(method, path, { ...opts, timeoutMs: opts.timeoutMs ?? 0 });
    return res.body;
  }

  async ping(timeoutMs = 5_000): Promise<void> {
    const res = await this.send('GET', '/_ping', { timeoutMs });
    await res.body.text();
  }

  /**
   * POST with a connection upgrade (exec with stdin): resolves the raw socket once the Engine
   * answered 101; what is written goes to the process's stdin, what is read is its multiplexed
   * output.
   */
  upgrade(path: string, body: unknown): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = http.request({
        socketPath: this.socketPath,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), connection: 'Upgrade', upgrade: 'tcp' },
      });
      req.on('upgrade', (_res, socket, head) => {
        if (head.length) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => reject(new DockerError(res.statusCode ?? 500, text.trim() || 'the Engine refused the upgrade')));
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}
