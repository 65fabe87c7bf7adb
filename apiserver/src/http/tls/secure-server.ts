// The secure port: an HTTPS server in front of the same fastify app the plain port serves.
//
// A fastify instance owns one server of one protocol, so the HTTPS server is a plain Node one
// whose requests go to the app's router (`app.routing`, the very handler fastify gives its own
// server: the same routes, hooks, error and not-found handlers) and whose upgrades (pods/exec
// WebSockets) go to the same upgrade handler as the plain server's.
//
// No authentication or authorization yet: a request over HTTPS, anonymous included, may do
// everything, exactly as on the insecure port. TLS here gives clients (kubectl with only
// certificate-authority-data) an encrypted, server-authenticated channel, nothing more.

import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';

export interface SecureServingOptions {
  /** --bind-address. */
  host: string;
  /** --secure-port; 0 picks a free one. */
  port: number;
  /** PEM chain, serving certificate first. */
  cert: string;
  /** PEM private key. */
  key: string;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Creates (does not listen) the HTTPS server. `app` must be ready (`await app.ready()`): its
 * router exists only then. The timeouts are the ones fastify set on the app's own server, so
 * a watch lasts as long on either port.
 */
export function createSecureServer(app: FastifyInstance, tls: { cert: string; key: string }, onUpgrade: UpgradeHandler): https.Server {
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => app.routing(req, res));
  server.keepAliveTimeout = app.server.keepAliveTimeout;
  server.requestTimeout = app.server.requestTimeout;
  server.headersTimeout = app.server.headersTimeout;
  server.on('upgrade', onUpgrade);
  return server;
}

/** Listens on host:port and resolves with the address bound; rejects with the listen error (EADDRINUSE, EACCES). */
export function listenSecure(server: https.Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Stops accepting and ends every connection now, watches and keep-alive ones included (as the
 * app's `forceCloseConnections` does for the plain port); upgraded sockets are not the
 * server's any more and are closed by their owner. Resolves once the server is closed.
 */
export function closeSecureServer(server: https.Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** `https://host:port` with an IPv6 host in brackets; an unspecified host (0.0.0.0, ::) shows as the loopback address, which it includes. */
export function secureUrl(address: AddressInfo): string {
  let host = address.address;
  if (host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '::') host = '::1';
  return `https://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}
