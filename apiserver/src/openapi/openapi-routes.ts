// GET /openapi/v3, /openapi/v3/<group-version> and /openapi/v2, answered the way
// kube-openapi's handler does: JSON only (a client asking for protobuf alone gets 406), an
// ETag of the content hash, and for a request carrying `?hash=`: the immutable caching
// headers when it matches, a 301 to the current URL when it does not.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notAcceptable, StatusError } from '@minik8s/shared';
import { groupVersionDocument, v2Document, v3IndexDocument, type SerializedDocument } from './openapi-documents.ts';

/** Answers a Status itself, so the routes behave the same in any fastify app. */
function sendStatus(reply: FastifyReply, err: StatusError): FastifyReply {
  return reply.code(err.code).header('content-type', 'application/json').send(JSON.stringify(err.status));
}

/** Whether the Accept header admits JSON (`application/json`, `application/*`, `*\/*`, or none). */
function acceptsJSON(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((clause) => {
    const [range, ...params] = clause.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) return false;
    const [type, subtype] = range.trim().toLowerCase().split('/');
    return (type === '*' || type === 'application') && (subtype === '*' || subtype === 'json');
  });
}

function send(req: FastifyRequest, reply: FastifyReply, doc: SerializedDocument, cacheable: boolean): FastifyReply {
  if (!acceptsJSON(req.headers.accept)) {
    return sendStatus(reply, notAcceptable('only the following media types are accepted: application/json'));
  }
  reply.header('content-type', 'application/json').header('etag', `"${doc.hash}"`).header('vary', 'Accept');
  if (cacheable) {
    reply.header('cache-control', 'public, immutable');
    reply.header('expires', new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString());
  }
  if (req.headers['if-none-match'] === `"${doc.hash}"`) return reply.code(304).send();
  return reply.code(200).send(doc.bytes);
}

/** Registers the OpenAPI routes on `app` (a fastify app whose error handler renders StatusErrors). */
export function registerOpenAPIRoutes(app: FastifyInstance): void {
  app.get('/openapi/v3', (req, reply) => send(req, reply, v3IndexDocument(), false));

  app.get('/openapi/v3/*', (req, reply) => {
    const path = (req.params as { '*': string })['*'];
    const doc = groupVersionDocument(path);
    if (!doc) return sendStatus(reply, StatusError.from(404, 'NotFound', 'the server could not find the requested resource', {}));
    const hash = (req.query as Record<string, unknown>).hash;
    if (typeof hash === 'string' && hash !== '') {
      if (hash !== doc.hash) return reply.redirect(`/openapi/v3/${path.replace(/^\/+|\/+$/g, '')}?hash=${doc.hash}`, 301);
      return send(req, reply, doc, true);
    }
    return send(req, reply, doc, false);
  });

  app.get('/openapi/v2', (req, reply) => send(req, reply, v2Document(), false));
}
