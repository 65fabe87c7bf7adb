// A tiny HTTP server speaking the Kubernetes list/watch protocol over node:http, for unit
// tests of the REST client, the reflector and the Lease lock. It keeps objects in memory with
// a global resourceVersion and a history of events, so watches can start in the past, be
// told their RV is too old (410 ERROR event), be cut, or get bookmarks. Tests can intercept
// any request to answer 429/500/... themselves.
//
// It is deliberately small: no selectors, no validation. Not an apiserver.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject, Status } from '../../src/api/types.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Intercept {
  /** Cut the connection without answering. */
  destroy?: boolean;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Ref {
  prefix: string; // /api/v1 or /apis/g/v
  resource: string;
  namespace: string;
  name?: string;
  subresource?: string;
}

interface HistoryEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  coll: string;
  namespace: string;
  object: KubeObject;
}

interface Watcher {
  coll: string;
  namespace: string;
  res: ServerResponse;
  bookmarks: boolean;
}

function status(code: number, reason: Status['reason'], message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeApiserver {
  url = '';
  readonly requests: RecordedRequest[] = [];
  /** Answer a request yourself: return an Intercept, or undefined to let the server handle it. */
  intercept: ((req: RecordedRequest) => Intercept | undefined) | undefined;
  /** Write every watch event in this many pieces (to split lines across chunks). */
  splitWatchLines = 1;
  rv = 100;
  compactedRV = 0;
  /** TCP connections accepted so far (to see a client reuse its keep-alive connections). */
  connections = 0;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: HistoryEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly snapshots = new Map<string, { items: KubeObject[]; rv: number }>();
  private server: Server | undefined;
  private uid = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.closeWatches();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Forgets every object, event and recorded request (between tests); the RV keeps growing. */
  reset(): void {
    this.closeWatches();
    this.objects.clear();
    this.history.length = 0;
    this.snapshots.clear();
    this.requests.length = 0;
    this.intercept = undefined;
    this.compactedRV = 0;
  }

  /** How many watch streams are open now. */
  watchCount(): number {
    return this.watchers.size;
  }

  watchRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.query.get('watch') === 'true');
  }

  listRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'GET' && r.query.get('watch') !== 'true');
  }

  /** Ends every open watch stream cleanly (as a server timeout does). */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /** Breaks every open watch connection (as an apiserver crash does). */
  destroyWatches(): void {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
  }

  /** Forgets history: watches from an RV at or below the current one get 410. */
  compact(): void {
    this.compactedRV = this.rv;
    this.history.length = 0;
  }

  /** Sends a BOOKMARK at the current RV to watches that asked for bookmarks. */
  bookmark(kind = 'Pod', apiVersion = 'v1'): void {
    for (const w of this.watchers) {
      if (w.bookmarks) this.write(w.res, { type: 'BOOKMARK', object: { kind, apiVersion, metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  /** Sends an ERROR event to every watch, then closes it. */
  errorWatches(s: Status): void {
    for (const w of this.watchers) {
      this.write(w.res, { type: 'ERROR', object: s });
      w.res.end();
    }
    this.watchers.clear();
  }

  // ---- server-side mutations (as another client would make) ----------------------------------

  /** `coll` is the collection path without namespace, e.g. /api/v1/pods. */
  put(coll: string, obj: KubeObject): KubeObject {
    const { prefix, resource } = this.splitColl(coll);
    const ns = obj.metadata.namespace ?? '';
    const key = this.key({ prefix, resource, namespace: ns, name: obj.metadata.name });
    const existing = this.objects.get(key);
    const stored: KubeObject = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    stored.metadata.uid = existing?.metadata.uid ?? obj.metadata.uid ?? `uid-${++this.uid}`;
    this.objects.set(key, stored);
    this.record(existing ? 'MODIFIED' : 'ADDED', `${prefix}/${resource}`, ns, stored);
    return stored;
  }

  remove(coll: string, namespace: string, name: string): KubeObject | undefined {
    const { prefix, resource } = this.splitColl(coll);
    const key = this.key({ prefix, resource, namespace, name });
    const existing = this.objects.get(key);
    if (!existing) return undefined;
    this.objects.delete(key);
    const gone = { ...structuredClone(existing), metadata: { ...existing.metadata, resourceVersion: String(++this.rv) } };
    this.record('DELETED', `${prefix}/${resource}`, namespace, gone);
    return gone;
  }

  getObject(coll: string, namespace: string, name: string): KubeObject | undefined {
    const { prefix, resource } = this.splitColl(coll);
    return this.objects.get(this.key({ prefix, resource, namespace, name }));
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    this.requests.push(rec);
    const icpt = this.intercept?.(rec);
    if (icpt?.destroy) {
      req.socket.destroy();
      return;
    }
    if (icpt) {
      res.writeHead(icpt.status ?? 200, { 'content-type': 'application/json', ...icpt.headers });
      res.end(icpt.body === undefined ? '' : typeof icpt.body === 'string' ? icpt.body : JSON.stringify(icpt.body));
      return;
    }
    const ref = this.parse(url.pathname);
    if (!ref) return this.answer(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const coll = `${ref.prefix}/${ref.resource}`;
    if (rec.method === 'GET' && !ref.name && url.searchParams.get('watch') === 'true') return this.watch(ref, url.searchParams, res);
    if (rec.method === 'GET' && !ref.name) return this.list(ref, url.searchParams, res);
    const body = rec.body ? JSON.parse(rec.body) : undefined;
    const key = ref.name ? this.key(ref) : '';
    const existing = ref.name ? this.objects.get(key) : undefined;
    const notFound = () => this.answer(res, 404, status(404, 'NotFound', `${ref.resource} "${ref.name}" not found`));
    switch (rec.method) {
      case 'GET':
        return existing ? this.answer(res, 200, existing) : notFound();
      case 'POST': {
        const name = body?.metadata?.name;
        if (this.objects.has(this.key({ ...ref, name }))) {
          return this.answer(res, 409, status(409, 'AlreadyExists', `${ref.resource} "${name}" already exists`));
        }
        const obj = this.put(coll, { ...body, metadata: { ...body.metadata, namespace: ref.namespace || undefined } });
        return this.answer(res, 201, obj);
      }
      case 'PUT': {
        if (!existing) return notFound();
        const want = body?.metadata?.resourceVersion;
        if (want && want !== existing.metadata.resourceVersion) {
          return this.answer(res, 409, status(409, 'Conflict', `Operation cannot be fulfilled on ${ref.resource} "${ref.name}": the object has been modified; please apply your changes to the latest version and try again`));
        }
        const next = ref.subresource === 'status' ? { ...existing, status: body.status } : { ...body, status: existing.status };
        return this.answer(res, 200, this.put(coll, { ...next, metadata: { ...next.metadata, namespace: ref.namespace || undefined } }));
      }
      case 'PATCH': {
        if (!existing) return notFound();
        return this.answer(res, 200, this.put(coll, mergePatch(existing, body)));
      }
      case 'DELETE': {
        if (!existing) return notFound();
        return this.answer(res, 200, this.remove(coll, ref.namespace, ref.name!));
      }
    }
    return this.answer(res, 405, status(405, 'MethodNotAllowed', 'method not allowed'));
  }

  private list(ref: Ref, q: URLSearchParams, res: ServerResponse): void {
    const limit = Number(q.get('limit') ?? 0);
    const cont = q.get('continue');
    let snap: { items: KubeObject[]; rv: number };
    let offset = 0;
    if (cont) {
      const [id, off] = cont.split(':');
      const s = this.snapshots.get(id);
      if (!s) return this.answer(res, 410, status(410, 'Expired', 'The provided continue parameter is too old'));
      snap = s;
      offset = Number(off);
    } else {
      const items = [...this.objects.entries()]
        .filter(([k]) => this.inScope(k, `${ref.prefix}/${ref.resource}`, ref.namespace))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, o]) => o);
      snap = { items, rv: this.rv };
    }
    const items = limit > 0 ? snap.items.slice(offset, offset + limit) : snap.items.slice(offset);
    const metadata: Record<string, string> = { resourceVersion: String(snap.rv) };
    if (limit > 0 && offset + limit < snap.items.length) {
      const id = cont ? cont.split(':')[0] : String(this.snapshots.size + 1);
      this.snapshots.set(id, snap);
      metadata.continue = `${id}:${offset + limit}`;
    }
    this.answer(res, 200, { kind: 'List', apiVersion: 'v1', metadata, items });
  }

  /** Expire every continue token handed out so far. */
  expireContinueTokens(): void {
    this.snapshots.clear();
  }

  private watch(ref: Ref, q: URLSearchParams, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const coll = `${ref.prefix}/${ref.resource}`;
    const from = q.get('resourceVersion') ?? '';
    const w: Watcher = { coll, namespace: ref.namespace, res, bookmarks: q.get('allowWatchBookmarks') === 'true' };
    if (from === '' || from === '0') {
      for (const [k, o] of this.objects) if (this.inScope(k, coll, ref.namespace)) this.write(res, { type: 'ADDED', object: o });
    } else {
      const n = Number(from);
      if (n < this.compactedRV) {
        this.write(res, { type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${n} (${this.compactedRV})`) });
        res.end();
        return;
      }
      for (const ev of this.history) {
        if (ev.rv > n && ev.coll === coll && (!ref.namespace || ev.namespace === ref.namespace)) this.write(res, { type: ev.type, object: ev.object });
      }
    }
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
  }

  private record(type: HistoryEvent['type'], coll: string, namespace: string, object: KubeObject): void {
    const ev: HistoryEvent = { rv: this.rv, type, coll, namespace, object };
    this.history.push(ev);
    for (const w of this.watchers) {
      if (w.coll === coll && (!w.namespace || w.namespace === namespace)) this.write(w.res, { type, object });
    }
  }

  private write(res: ServerResponse, ev: unknown): void {
    const line = JSON.stringify(ev) + '\n';
    const n = Math.max(1, this.splitWatchLines);
    const size = Math.ceil(line.length / n);
    for (let i = 0; i < line.length; i += size) res.write(line.slice(i, i + size));
  }

  private answer(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private parse(path: string): Ref | undefined {
    const m = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)\/(.*)$/.exec(path);
    if (!m) return undefined;
    const segs = m[2].split('/').filter(Boolean).map(decodeURIComponent);
    let namespace = '';
    if (segs[0] === 'namespaces' && segs.length >= 3) {
      namespace = segs[1];
      segs.splice(0, 2);
    }
    const [resource, name, subresource] = segs;
    if (!resource) return undefined;
    return { prefix: m[1], resource, namespace, name, subresource };
  }

  private splitColl(coll: string): { prefix: string; resource: string } {
    const i = coll.lastIndexOf('/');
    return { prefix: coll.slice(0, i), resource: coll.slice(i + 1) };
  }

  private key(ref: Pick<Ref, 'prefix' | 'resource' | 'namespace' | 'name'>): string {
    return `${ref.prefix}/${ref.resource}|${ref.namespace}|${ref.name}`;
  }

  private inScope(key: string, coll: string, namespace: string): boolean {
    const [c, ns] = key.split('|');
    return c === coll && (!namespace || ns === namespace);
  }
}
