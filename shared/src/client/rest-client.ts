// The REST client every daemon talks to the cluster through, modelled on client-go's
// rest.Interface and its dynamic client: one keep-alive connection pool per apiserver,
// typed paths from the resource catalogue, Status errors as typed values.
//
// Contract:
// - A non-2xx answer becomes a StatusError: the Status in the body when there is one,
//   otherwise a Status synthesized from the code (as apimachinery's NewGenericServerResponse).
// - 429 (after Retry-After when given) and 5xx answers are retried with exponential backoff,
//   up to maxRetries. Transport errors are retried for idempotent methods (GET, PUT, DELETE);
//   POST and PATCH are retried only when the connection was refused (nothing was sent).
//   Nothing else is ever retried: 409 and other 4xx go to the caller, who decides.
// - Every attempt first takes a token from a client-side bucket (qps/burst, as client-go's
//   QPS/Burst), so a runaway controller cannot flood the apiserver.
// - An aborted `signal` rejects with the signal's reason, except watch(), which then just ends.

import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { KubeList, KubeObject, Status } from '../api/types.ts';
import type { ResourceInfo } from '../api/resources.ts';
import { findResource, resourcePath } from '../api/resources.ts';
import type { Clock } from '../clock/clock.ts';
import { realClock } from '../clock/clock.ts';
import type { ClientConfig } from './kubeconfig.ts';
import type {
  CreateOptions,
  DeleteCollectionOptions,
  DeleteOptions,
  GetOptions,
  ListOptions,
  LogOptions,
  PatchOptions,
  PatchType,
  QueryValue,
  RequestOptions,
  RestClientOptions,
  WatchOptions,
  WriteOptions,
} from './request-options.ts';
import { statusErrorFromResponse } from './status-from-response.ts';
import { TokenBucket } from './token-bucket.ts';
import { restClientMetrics } from './metrics.ts';
import { decodeWatchStream } from './watch-decoder.ts';
import type { ObjectWatchEvent } from './watch-decoder.ts';

export const KUBERNETES_VERSION = 'v1.32.0';

/** A resource by catalogue entry or by name: `pods`, `deployments.apps`, `leases.coordination.k8s.io`. */
export type ResourceRef = ResourceInfo | string;

export function resolveResource(ref: ResourceRef): ResourceInfo {
  if (typeof ref !== 'string') return ref;
  const dot = ref.indexOf('.');
  const resource = dot < 0 ? ref : ref.slice(0, dot);
  const group = dot < 0 ? '' : ref.slice(dot + 1);
  const info = findResource(group, resource);
  if (!info) throw new Error(`unknown resource "${ref}"`);
  return info;
}

/** `<component>/v1.32.0 (linux/amd64) minik8s`, as client-go's DefaultKubernetesUserAgent. */
export function defaultUserAgent(component: string): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return `${component}/${KUBERNETES_VERSION} (${process.platform}/${arch}) minik8s`;
}

export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

const IDEMPOTENT = new Set(['GET', 'PUT', 'DELETE']);
const TRANSPORT_ERRORS = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
  if (!e || typeof e !== 'object') return undefined;
  if (typeof e.code === 'string') return e.code;
  if (Array.isArray(e.errors) && e.errors.length) return errorCode(e.errors[0]);
  if (e.cause) return errorCode(e.cause);
  return undefined;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) params.append(k, x);
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

interface RawResponse {
  statusCode: number;
  body: Dispatcher.ResponseData['body'];
}

export class RestClient {
  readonly config: ClientConfig;
  readonly userAgent: string;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly host: string;
  private readonly limiter: TokenBucket;
  private readonly clock: Clock;
  private readonly maxRetries: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly timeoutMs: number;
  private readonly authorization: string | undefined;

  constructor(opts: RestClientOptions) {
    this.config = opts.config;
    const url = new URL(opts.config.server);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.host = url.host;
    this.userAgent = opts.userAgent ?? defaultUserAgent(opts.component ?? 'minik8s');
    this.clock = opts.clock ?? realClock;
    this.limiter = new TokenBucket(opts.qps ?? 50, opts.burst ?? 100, this.clock);
    this.maxRetries = opts.maxRetries ?? 8;
    this.initialBackoffMs = opts.initialBackoffMs ?? 100;
    this.maxBackoffMs = opts.maxBackoffMs ?? 5_000;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    const c = opts.config;
    if (c.token) this.authorization = `Bearer ${c.token}`;
    else if (c.username !== undefined && c.password !== undefined) {
      this.authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
    }
    const connect: Record<string, unknown> = {};
    if (c.ca) connect.ca = c.ca;
    if (c.cert) connect.cert = c.cert;
    if (c.key) connect.key = c.key;
    if (c.insecureSkipTLSVerify) connect.rejectUnauthorized = false;
    this.pool = new Pool(url.origin, { keepAliveTimeout: 30_000, connect });
  }

  /** Closes idle connections and refuses new requests; in-flight watches end. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }

  // ---- typed verbs -------------------------------------------------------------------------

  async get<T extends KubeObject = KubeObject>(resource: ResourceRef, name: string, opts: GetOptions = {}): Promise<T> {
    const info = resolveResource(resource);
    return this.request<T>({
      method: 'GET',
      path: resourcePath(info, this.namespaceFor(info, opts.namespace), name, opts.subresource),
      query: { resourceVersion: opts.resourceVersion },
      signal: opts.signal,
    });
  }

  async list<T extends KubeObject = KubeObject>(resource: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
    const info = resolveResource(resource);
    return this.request<KubeList<T>>({
      method: 'GET',
      path: resourcePath(info, opts.namespace),
      query: {
        labelSelector: opts.labelSelector || undefined,
        fieldSelector: opts.fieldSelector || undefined,
        resourceVersion: opts.resourceVersion,
        resourceVersionMatch: opts.resourceVersionMatch,
        limit: opts.limit,
        continue: opts.continue || undefined,
        timeoutSeconds: opts.timeoutSeconds,
      },
      signal: opts.signal,
    });
  }

  /** Creates `obj` in `opts.namespace` or its own metadata.namespace. */
  async create<T extends KubeObject = KubeObject, R = T>(resource: ResourceRef, obj: T, opts: CreateOptions = {}): Promise<R> {
    const info = resolveResource(resource);
    const ns = this.namespaceFor(info, opts.namespace ?? obj.metadata?.namespace);
    const path = opts.subresource
      ? resourcePath(info, ns, opts.name ?? this.nameOf(obj), opts.subresource)
      : resourcePath(info, ns);
    return this.request<R>({ method: 'POST', path, query: this.writeQuery(opts), body: obj, signal: opts.signal });
  }

  /** PUT of the whole object; its metadata.resourceVersion makes the write conditional. */
  async update<T extends KubeObject = KubeObject>(resource: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    const info = resolveResource(resource);
    const ns = this.namespaceFor(info, opts.namespace ?? obj.metadata?.namespace);
    return this.request<T>({
      method: 'PUT',
      path: resourcePath(info, ns, this.nameOf(obj), opts.subresource),
      query: this.writeQuery(opts),
      body: obj,
      signal: opts.signal,
    });
  }

  async updateStatus<T extends KubeObject = KubeObject>(resource: ResourceRef, obj: T, opts: Omit<WriteOptions, 'subresource'> = {}): Promise<T> {
    return this.update(resource, obj, { ...opts, subresource: 'status' });
  }

  async patch<T extends KubeObject = KubeObject>(resource: ResourceRef, name: string, patch: unknown, opts: PatchOptions): Promise<T> {
    const info = resolveResource(resource);
    return this.request<T>({
      method: 'PATCH',
      path: resourcePath(info, this.namespaceFor(info, opts.namespace), name, opts.subresource),
      query: { ...this.writeQuery(opts), force: opts.force },
      body: patch,
      contentType: PATCH_CONTENT_TYPES[opts.type],
      signal: opts.signal,
    });
  }

  /** The object (graceful deletion, finalizers pending) or a Success Status, as the server answers. */
  async delete<T extends KubeObject = KubeObject>(resource: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const info = resolveResource(resource);
    return this.request<T | Status>({
      method: 'DELETE',
      path: resourcePath(info, this.namespaceFor(info, opts.namespace), name, opts.subresource),
      query: { dryRun: opts.dryRun ? 'All' : undefined },
      body: this.deleteBody(opts),
      signal: opts.signal,
    });
  }

  async deleteCollection<T extends KubeObject = KubeObject>(resource: ResourceRef, opts: DeleteCollectionOptions = {}): Promise<KubeList<T> | Status> {
    const info = resolveResource(resource);
    return this.request<KubeList<T> | Status>({
      method: 'DELETE',
      path: resourcePath(info, opts.namespace),
      query: {
        labelSelector: opts.labelSelector || undefined,
        fieldSelector: opts.fieldSelector || undefined,
        dryRun: opts.dryRun ? 'All' : undefined,
      },
      body: this.deleteBody(opts),
      signal: opts.signal,
    });
  }

  /**
   * Watch a collection (or one object with `name`). Yields ADDED/MODIFIED/DELETED/BOOKMARK;
   * throws a StatusError for an error answer or an ERROR event (410: `isExpired(err)`); ends
   * when the server closes the stream or `signal` aborts. Breaking out of the loop closes the
   * connection.
   */
  async *watch<T extends KubeObject = KubeObject>(resource: ResourceRef, opts: WatchOptions = {}): AsyncGenerator<ObjectWatchEvent<T>, void, undefined> {
    const info = resolveResource(resource);
    let fieldSelector = opts.fieldSelector || undefined;
    if (opts.name !== undefined) fieldSelector = [`metadata.name=${opts.name}`, fieldSelector].filter(Boolean).join(',');
    const signal = opts.signal;
    let res: RawResponse;
    try {
      res = await this.send({
        method: 'GET',
        path: resourcePath(info, opts.namespace),
        query: {
          watch: 'true',
          labelSelector: opts.labelSelector || undefined,
          fieldSelector,
          resourceVersion: opts.resourceVersion,
          allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
          timeoutSeconds: opts.timeoutSeconds,
        },
        signal,
        maxRetries: opts.maxRetries,
        timeoutMs: 0,
      });
    } catch (e) {
      if (signal?.aborted) return;
      throw e;
    }
    try {
      yield* decodeWatchStream<T>(res.body);
    } catch (e) {
      if (signal?.aborted) return;
      throw e;
    } finally {
      if (!res.body.destroyed) res.body.destroy();
    }
  }

  /** A container's log as text (pods/<name>/log); see stream() for follow=true. */
  async logs(namespace: string, name: string, opts: LogOptions = {}): Promise<string> {
    const res = await this.send({ ...this.logRequest(namespace, name, opts), accept: '*/*' });
    return res.body.text();
  }

  /** A container's log as it is written (follow=true): chunks of text until the stream ends or `signal` aborts. */
  async *followLogs(namespace: string, name: string, opts: Omit<LogOptions, 'follow'> = {}): AsyncGenerator<string, void, undefined> {
    let res: RawResponse;
    try {
      res = await this.send({ ...this.logRequest(namespace, name, { ...opts, follow: true }), accept: '*/*', timeoutMs: 0 });
    } catch (e) {
      if (opts.signal?.aborted) return;
      throw e;
    }
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) yield decoder.decode(chunk as Uint8Array, { stream: true });
      const tail = decoder.decode();
      if (tail) yield tail;
    } catch (e) {
      if (opts.signal?.aborted) return;
      throw e;
    } finally {
      if (!res.body.destroyed) res.body.destroy();
    }
  }

  // ---- generic request ----------------------------------------------------------------------

  /** Any request; the answer's JSON body (or undefined for an empty body). */
  async request<T>(opts: RequestOptions): Promise<T> {
    const res = await this.send(opts);
    const text = await res.body.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Sends with rate limiting and retries; resolves with a 2xx response whose body the caller
   * must consume or destroy. Non-2xx answers are thrown as StatusErrors.
   */
  private async send(opts: RequestOptions): Promise<RawResponse> {
    const { signal } = opts;
    const maxRetries = opts.maxRetries ?? this.maxRetries;
    const timeout = opts.timeoutMs ?? this.timeoutMs;
    const headers: Record<string, string> = {
      'user-agent': this.userAgent,
      accept: opts.accept ?? 'application/json',
    };
    if (this.authorization) headers.authorization = this.authorization;
    let body: string | Uint8Array | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' || opts.body instanceof Uint8Array ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
    const path = this.basePath + opts.path + encodeQuery(opts.query);
    const metrics = restClientMetrics();

    for (let attempt = 0; ; attempt++) {
      const waitStart = this.clock.now();
      if (!(await this.limiter.wait(signal))) throw abortError(signal!);
      metrics.rateLimiterLatency(opts.method, this.host, (this.clock.now() - waitStart) / 1000);
      const start = performance.now();
      let res: Dispatcher.ResponseData;
      try {
        res = await this.pool.request({
          method: opts.method,
          path,
          headers,
          body,
          signal,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
      } catch (err) {
        metrics.requestResult(opts.method, this.host, '<error>');
        if (signal?.aborted) throw abortError(signal);
        const code = errorCode(err);
        const retryable = code !== undefined && TRANSPORT_ERRORS.has(code) && (IDEMPOTENT.has(opts.method) || code === 'ECONNREFUSED');
        if (retryable && attempt < maxRetries) {
          if (!(await this.clock.sleep(this.backoff(attempt), signal))) throw abortError(signal!);
          continue;
        }
        throw err;
      }
      metrics.requestResult(opts.method, this.host, String(res.statusCode));
      metrics.requestLatency(opts.method, this.host, (performance.now() - start) / 1000);
      if (res.statusCode >= 200 && res.statusCode < 300) return { statusCode: res.statusCode, body: res.body };

      let text = '';
      try {
        text = await res.body.text();
      } catch {
        // the body broke off: the code alone still says what happened
      }
      const retryable = res.statusCode === 429 || res.statusCode >= 500;
      if (retryable && attempt < maxRetries) {
        const delay = this.retryAfterMs(res.headers['retry-after']) ?? this.backoff(attempt);
        if (!(await this.clock.sleep(delay, signal))) throw abortError(signal!);
        continue;
      }
      throw statusErrorFromResponse(res.statusCode, text);
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** attempt);
  }

  private retryAfterMs(header: string | string[] | undefined): number | undefined {
    const v = Array.isArray(header) ? header[0] : header;
    if (!v) return undefined;
    const seconds = Number(v);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const at = Date.parse(v);
    return Number.isNaN(at) ? undefined : Math.max(0, at - this.clock.now());
  }

  private namespaceFor(info: ResourceInfo, ns: string | undefined): string | undefined {
    if (!info.namespaced) return undefined;
    if (!ns) throw new Error(`${info.resource}: a namespace is required`);
    return ns;
  }

  private nameOf(obj: KubeObject): string {
    const name = obj.metadata?.name;
    if (!name) throw new Error('the object has no metadata.name');
    return name;
  }

  private writeQuery(opts: WriteOptions): Record<string, QueryValue> {
    return {
      dryRun: opts.dryRun ? 'All' : undefined,
      fieldManager: opts.fieldManager,
      fieldValidation: opts.fieldValidation,
    };
  }

  private deleteBody(opts: DeleteOptions): Record<string, unknown> | undefined {
    const b: Record<string, unknown> = {};
    if (opts.propagationPolicy) b.propagationPolicy = opts.propagationPolicy;
    if (opts.gracePeriodSeconds !== undefined) b.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.preconditions) b.preconditions = opts.preconditions;
    if (Object.keys(b).length === 0) return undefined;
    return { kind: 'DeleteOptions', apiVersion: 'v1', ...b };
  }

  private logRequest(namespace: string, name: string, opts: LogOptions): RequestOptions {
    return {
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log`,
      query: {
        container: opts.container,
        follow: opts.follow ? 'true' : undefined,
        previous: opts.previous ? 'true' : undefined,
        tailLines: opts.tailLines,
        sinceSeconds: opts.sinceSeconds,
        timestamps: opts.timestamps ? 'true' : undefined,
        limitBytes: opts.limitBytes,
      },
      signal: opts.signal,
    };
  }
}
