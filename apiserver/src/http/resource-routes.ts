// Routes every resource URL to the handler for its verb. Handlers do not know the kind: what
// differs per resource lives in the store's strategy.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StatusError, badRequest, methodNotAllowed } from '@minik8s/shared';
import type { Registry } from '../registry/registry.ts';
import { parseResourcePath } from './request-info.ts';
import { makeScope, qBool, type RequestScope } from './scope.ts';
import { getHandler } from './handlers/get.ts';
import { listHandler } from './handlers/list.ts';
import { watchHandler } from './handlers/watch.ts';
import { createHandler } from './handlers/create.ts';
import { updateHandler } from './handlers/update.ts';
import { patchHandler } from './handlers/patch.ts';
import { deleteCollectionHandler, deleteHandler } from './handlers/delete.ts';
import { bindingHandler, evictionHandler, finalizeHandler, scaleHandler } from './handlers/subresources.ts';
import { podLogHandler } from './pod-proxy.ts';

function upgradeRequired(): never {
  throw badRequest('Upgrade request required');
}
import { componentStatusesHandler, type ComponentProbe } from './handlers/component-statuses.ts';
import { requestMetrics } from './metrics.ts';
import { wantsTable } from './negotiate.ts';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

type Handler = (scope: RequestScope) => Promise<void>;

const SUBRESOURCE_HANDLERS: Record<string, Partial<Record<string, Handler>>> = {
  status: { GET: getHandler, PUT: updateHandler, PATCH: patchHandler },
  scale: { GET: scaleHandler, PUT: scaleHandler, PATCH: scaleHandler },
  binding: { POST: bindingHandler },
  eviction: { POST: evictionHandler },
  finalize: { PUT: finalizeHandler },
  log: { GET: podLogHandler },
  // exec arrives as a WebSocket upgrade (pod-proxy.ts handleUpgrade); a plain request cannot stream.
  exec: { GET: async () => upgradeRequired(), POST: async () => upgradeRequired() },
};

export function verbOf(method: string, hasName: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case 'GET':
      return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST':
      return hasName ? undefined : 'create';
    case 'PUT':
      return hasName ? 'update' : undefined;
    case 'PATCH':
      return hasName ? 'patch' : undefined;
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
  }
  return undefined;
}

/** The verb label of request metrics, as upstream's cleanVerb: LIST, WATCH and APPLY, else the HTTP method. */
function metricVerb(method: string, verb: Verb | undefined, contentType: string | undefined): string {
  if (verb === 'list') return 'LIST';
  if (verb === 'watch') return 'WATCH';
  if (verb === 'patch' && (contentType ?? '').startsWith('application/apply-patch')) return 'APPLY';
  return method;
}

const HANDLERS: Record<Verb, Handler> = {
  get: getHandler,
  list: listHandler,
  watch: watchHandler,
  create: createHandler,
  update: updateHandler,
  patch: patchHandler,
  delete: deleteHandler,
  deletecollection: deleteCollectionHandler,
};

export function registerResourceRoutes(app: FastifyInstance, registry: Registry, now: () => Date, probes: ComponentProbe[]): void {
  const handle = async (req: FastifyRequest, reply: FastifyReply, group: string, version: string, rest: string) => {
    const started = process.hrtime.bigint();
    let labels = { verb: req.method, group, resource: '', subresource: '' };
    try {
      const path = parseResourcePath(group, version, rest.split('/'));
      const query = (req.query ?? {}) as Record<string, string>;
      const watch = qBool(query, 'watch');
      const verb = verbOf(req.method, path.name !== undefined, watch);
      labels = { verb: metricVerb(req.method, verb, req.headers['content-type']), group, resource: path.info.resource, subresource: path.subresource ?? '' };
      if (path.info.resource === 'componentstatuses' && req.method === 'GET') {
        const table = wantsTable(req.headers.accept, undefined);
        await componentStatusesHandler({ req, reply, path, info: path.info, registry, query, body: '', now, table }, probes);
        return;
      }
      const store = registry.store(path.info);
      if (!store) throw methodNotAllowed();
      const scope = makeScope(req, reply, path, store, registry, now);
      let handler: Handler | undefined;
      if (path.subresource) handler = SUBRESOURCE_HANDLERS[path.subresource]?.[req.method];
      else if (verb) handler = HANDLERS[verb];
      if (!handler) throw methodNotAllowed();
      await handler(scope);
    } catch (e) {
      if (reply.sent || reply.raw.headersSent) throw e;
      const err = e instanceof StatusError ? e : undefined;
      if (!err) throw e;
      reply.code(err.code).header('content-type', 'application/json').send(JSON.stringify(err.status));
    } finally {
      const code = String(reply.raw.statusCode);
      requestMetrics.total.inc({ ...labels, code });
      if (labels.verb !== 'WATCH') requestMetrics.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
  app.route({
    method: [...methods],
    url: '/api/v1/*',
    handler: (req, reply) => handle(req, reply, '', 'v1', (req.params as { '*': string })['*']),
  });
  app.route({
    method: [...methods],
    url: '/apis/:group/:version/*',
    handler: (req, reply) => {
      const p = req.params as { group: string; version: string; '*': string };
      return handle(req, reply, p.group, p.version, p['*']);
    },
  });
}
