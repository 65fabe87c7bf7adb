// What every resource handler gets: the parsed request, the store, and helpers to answer.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { StatusError, badRequest, groupVersion, type KubeObject, type KubeList, type ResourceInfo } from '@minik8s/shared';
import { parseSelector } from '@minik8s/shared';
import { parseFieldSelector } from '@minik8s/shared';
import type { GenericStore, ListQuery } from '../registry/generic-store.ts';
import type { Registry } from '../registry/registry.ts';
import type { ResourceRequest } from './request-info.ts';
import { wantsTable, type TableRequest } from './negotiate.ts';
import { toTable } from '../printers/index.ts';
import { managerName } from '../registry/managed-fields.ts';
import { knownJson, rememberJson } from '../storage/object-json.ts';

export type Query = Record<string, string | string[] | undefined>;

export interface RequestScope {
  req: FastifyRequest;
  reply: FastifyReply;
  path: ResourceRequest;
  info: ResourceInfo;
  store: GenericStore;
  registry: Registry;
  query: Query;
  /** The request body as text ('' when none or when it is binary). */
  body: string;
  /** A binary (protobuf) request body. */
  bodyBytes?: Buffer;
  now: () => Date;
  table: TableRequest | undefined;
}

export function q1(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function qBool(query: Query, name: string): boolean {
  const v = q1(query, name);
  return v === 'true' || v === '1';
}

export function qInt(query: Query, name: string): number | undefined {
  const v = q1(query, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid value for ${name}: ${v}`);
  return n;
}

export function isDryRun(query: Query): boolean {
  const v = query.dryRun;
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  for (const x of all) if (x !== 'All') throw badRequest(`Invalid dryRun value: ${x}. Valid values are 'All'.`);
  return all.length > 0;
}

/** labelSelector / fieldSelector / limit / continue / resourceVersion from the query string. */
export function listQuery(scope: Pick<RequestScope, 'query' | 'store' | 'path'>): ListQuery {
  const { query, store, path } = scope;
  const q: ListQuery = {};
  if (path.namespace !== undefined) q.namespace = path.namespace;
  const ls = q1(query, 'labelSelector');
  if (ls) {
    let sel;
    try {
      sel = parseSelector(ls);
    } catch (e) {
      throw badRequest((e as Error).message);
    }
    q.labelSelector = (labels) => sel.matches(labels ?? {});
  }
  const fs = q1(query, 'fieldSelector');
  if (fs) {
    let sel;
    try {
      sel = parseFieldSelector(fs);
    } catch (e) {
      throw badRequest((e as Error).message);
    }
    const allowed = new Set(['metadata.name', 'metadata.namespace', ...store.strategy.selectableFields]);
    for (const r of sel.requirements) {
      if (!allowed.has(r.field)) throw badRequest(`field label not supported: ${r.field}`);
    }
    q.fieldSelector = (get) => sel.matches((f: string) => get(f));
  }
  const limit = qInt(query, 'limit');
  if (limit !== undefined) q.limit = limit;
  const cont = q1(query, 'continue');
  if (cont) q.continue = cont;
  const rv = q1(query, 'resourceVersion');
  if (rv !== undefined) q.resourceVersion = rv;
  const rvm = q1(query, 'resourceVersionMatch');
  if (rvm) {
    if (rvm !== 'Exact' && rvm !== 'NotOlderThan') throw badRequest(`resourceVersionMatch: Unsupported value: "${rvm}": supported values: "Exact", "NotOlderThan"`);
    if (!rv) throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    q.resourceVersionMatch = rvm;
  }
  return q;
}

/** The field manager of a write: ?fieldManager=, else derived from the User-Agent. */
export function fieldManager(scope: Pick<RequestScope, 'query' | 'req'>): string {
  return managerName(q1(scope.query, 'fieldManager'), scope.req.headers['user-agent']);
}

export function makeScope(req: FastifyRequest, reply: FastifyReply, path: ResourceRequest, store: GenericStore, registry: Registry, now: () => Date): RequestScope {
  const query = (req.query ?? {}) as Query;
  return {
    req,
    reply,
    path,
    info: path.info,
    store,
    registry,
    query,
    body: typeof req.body === 'string' ? req.body : '',
    ...(Buffer.isBuffer(req.body) ? { bodyBytes: req.body } : {}),
    now,
    table: wantsTable(req.headers.accept, q1(query, 'includeObject')),
  };
}

/** The body to decode as an object: bytes for protobuf, else text. */
export function objectBody(scope: Pick<RequestScope, 'body' | 'bodyBytes'>): string | Buffer {
  return scope.bodyBytes ?? scope.body;
}

/** Answer one object, as JSON or as a one-row Table when the client prints. */
export function sendObject(scope: RequestScope, code: number, obj: KubeObject): void {
  const body = scope.table && scope.path.subresource === undefined
    ? JSON.stringify(toTable(scope.info.group, scope.info.resource, [obj], { now: scope.now(), includeObject: scope.table.includeObject, listMeta: { resourceVersion: obj.metadata.resourceVersion ?? '' } }))
    : servedJson(scope.info, obj);
  scope.reply.code(code).header('content-type', 'application/json').send(body);
}

/**
 * The JSON of an object as served (with kind/apiVersion). Objects handed out by storage and the
 * watch cache are immutable and shared, so their JSON is computed once and reused by every
 * list and watch (storage/object-json.ts; a create's is known from the moment it is written).
 */
export function objectJson(info: ResourceInfo, obj: KubeObject): string {
  const typed = withTypeMeta(info, obj);
  // Stored objects carry their type; one that does not is served with it added, uncached.
  if (typed !== obj) return JSON.stringify(typed);
  let json = knownJson(obj);
  if (json === undefined) {
    json = JSON.stringify(obj);
    rememberJson(obj, json);
  }
  return json;
}

/**
 * The JSON of one object answered on its own: the known JSON when there is one, else computed
 * without remembering it. What a GET read from etcd returns, or an update, is not served again,
 * and a WeakMap entry for it would only be more work for the collector.
 */
function servedJson(info: ResourceInfo, obj: KubeObject): string {
  const typed = withTypeMeta(info, obj);
  return (typed === obj ? knownJson(obj) : undefined) ?? JSON.stringify(typed);
}

/** A list's JSON, assembled from the items' cached JSON. */
export function listJson(info: ResourceInfo, items: KubeObject[], meta: KubeList['metadata']): string {
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = objectJson(info, items[i]);
  return `{"kind":${JSON.stringify(info.listKind)},"apiVersion":${JSON.stringify(groupVersion(info))},"metadata":${JSON.stringify(meta)},"items":[${parts.join(',')}]}`;
}

export function listBody(info: ResourceInfo, items: KubeObject[], meta: KubeList['metadata']): KubeList {
  return { kind: info.listKind, apiVersion: groupVersion(info), metadata: meta, items: items.map((o) => withTypeMeta(info, o)) };
}

/** Objects are stored with kind/apiVersion; make sure what is served has them. */
export function withTypeMeta(info: ResourceInfo, obj: KubeObject): KubeObject {
  if (obj.kind === info.kind && obj.apiVersion === groupVersion(info)) return obj;
  return { apiVersion: groupVersion(info), kind: info.kind, ...obj };
}

export function errorBody(e: unknown): StatusError {
  return e instanceof StatusError ? e : StatusError.from(500, 'InternalError', `Internal error occurred: ${(e as Error)?.message ?? String(e)}`);
}
