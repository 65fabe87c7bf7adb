// The fastify application, built apart from listen() so tests can use inject().

import Fastify, { LogController, type FastifyInstance, type FastifyBaseLogger } from 'fastify';
import { StatusError, badRequest, requestEntityTooLarge, unsupportedMediaType } from '@minik8s/shared';
import type { Registry } from '../registry/registry.ts';
import { registerResourceRoutes } from './resource-routes.ts';
import { registerDiscoveryRoutes } from './discovery.ts';
import { registerHealthRoutes, type HealthState } from './health.ts';
import { registerOpenAPIRoutes } from '../openapi/index.ts';
import { MAX_BODY_BYTES } from './decode-body.ts';
import { handleUpgrade } from './pod-proxy.ts';
import type { ComponentProbe } from './handlers/component-statuses.ts';

export interface AppOptions {
  registry: Registry;
  health: HealthState;
  logger: FastifyBaseLogger;
  logRequests?: boolean;
  /** Serve /debug/memory. */
  profiling?: boolean;
  now?: () => Date;
  componentProbes?: ComponentProbe[];
}

export function buildApp(opts: AppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger,
    // One line per request is logged by our own hook at --v>=3, in upstream's shape.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    // Watches stay open for up to an hour; kubectl keeps connections alive.
    keepAliveTimeout: 120_000,
    // On shutdown, idle keep-alive connections (kubectl's, informers' after a watch) must not hold close().
    forceCloseConnections: true,
    requestTimeout: 0,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
  });
  const now = opts.now ?? (() => new Date());

  // Bodies are read as text and decoded by the handlers, which know what the verb accepts
  // (kubectl sends JSON whatever the Content-Type says; `kubectl scale` sends none at all).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/vnd.kubernetes.protobuf', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    let status: StatusError;
    if (err instanceof StatusError) status = err;
    else if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') status = requestEntityTooLarge(`the request body is larger than the limit of ${MAX_BODY_BYTES} bytes`);
    else if (err.statusCode === 415) status = unsupportedMediaType(String(req.headers['content-type'] ?? ''));
    else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) status = badRequest(err.message);
    else {
      req.log.error({ err, url: req.url, method: req.method }, 'internal error');
      status = StatusError.from(500, 'InternalError', `Internal error occurred: ${err.message}`);
    }
    if (reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    reply.code(status.code).header('content-type', 'application/json').send(JSON.stringify(status.status));
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).header('content-type', 'application/json').send(
      JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 }),
    );
  });

  if (opts.logRequests) {
    app.addHook('onResponse', (req, reply, done) => {
      req.log.info({ verb: req.method, uri: req.url, code: reply.statusCode, latencyMs: Math.round(reply.elapsedTime * 1000) / 1000, userAgent: req.headers['user-agent'] }, 'request');
      done();
    });
  }

  registerHealthRoutes(app, opts.health, opts.registry, opts.profiling ?? false);
  registerDiscoveryRoutes(app);
  registerOpenAPIRoutes(app);
  registerResourceRoutes(app, opts.registry, now, opts.componentProbes ?? []);
  app.server.on('upgrade', (req, socket, head) => handleUpgrade(opts.registry, req, socket, head));
  return app;
}
