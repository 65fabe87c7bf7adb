// One node port of the userspace proxier (upstream's userspace tcpProxySocket): accepts TCP
// connections and forwards each to an endpoint the load balancer picks.
//
// Contract:
// - A connection is held (not read) until an endpoint accepted the forwarded connection, then
//   bytes flow both ways, half-closes included, until either side closes.
// - An endpoint that refuses or does not answer within the dial timeout is skipped: the next
//   one is tried (upstream's EndpointDialTimeouts 250ms, 500ms, 1s, 2s; at least one try per
//   endpoint). When none is ready, or all fail, the client's connection is closed.
// - close() stops accepting at once (the port is free); forwarded connections go on until they
//   end, unless closeConnections() ends them.

import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ProxyMetrics } from '../../metrics.ts';
import type { LoadBalancerRR } from './load-balancer-rr.ts';

export const ENDPOINT_DIAL_TIMEOUTS_MS = [250, 500, 1000, 2000];

export interface TcpProxySocketOptions {
  host: string;
  port: number;
  /** The service port key (`ns/name:port`) the connections go to. */
  service: string;
  loadBalancer: LoadBalancerRR;
  metrics: ProxyMetrics;
  logger: Logger;
  dialTimeoutsMs?: readonly number[];
}

export class TcpProxySocket {
  readonly host: string;
  readonly port: number;
  /** May change when a node port passes to another Service between two syncs. */
  service: string;
  private readonly lb: LoadBalancerRR;
  private readonly metrics: ProxyMetrics;
  private readonly log: Logger;
  private readonly dialTimeoutsMs: readonly number[];
  private readonly server: Server;
  private readonly open = new Set<Socket>();
  /** Metric children of the current service (label lookups cost per connection otherwise). */
  private counters: { service: string; connections: { inc(): void }; active: { inc(): void; dec(): void } } | undefined;

  constructor(opts: TcpProxySocketOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.service = opts.service;
    this.lb = opts.loadBalancer;
    this.metrics = opts.metrics;
    this.log = opts.logger;
    this.dialTimeoutsMs = opts.dialTimeoutsMs ?? ENDPOINT_DIAL_TIMEOUTS_MS;
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (client) => void this.forward(client));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.host, port: this.port, backlog: 1024 }, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.log.error({ err, port: this.port }, 'node port listener failed'));
        resolve();
      });
    });
  }

  /**
   * Stops accepting: the port is free when this returns. (server.close()'s callback would
   * also wait for every forwarded connection to end.)
   */
  close(): void {
    if (this.server.listening) this.server.close();
  }

  /** Ends every connection being forwarded (shutdown). */
  closeConnections(): void {
    for (const s of this.open) s.destroy();
  }

  private async forward(client: Socket): Promise<void> {
    const service = this.service;
    if (this.counters?.service !== service) {
      this.counters = { service, connections: this.metrics.connections.labels({ service }), active: this.metrics.activeConnections.labels({ service }) };
    }
    const counters = this.counters;
    counters.connections.inc();
    this.open.add(client);
    client.on('error', () => client.destroy());
    client.once('close', () => this.open.delete(client));
    // remoteAddress costs a getpeername(2): only affinity needs it.
    const upstream = await this.dial(service, this.lb.usesClientIP(service) ? (client.remoteAddress ?? '') : '');
    if (!upstream) {
      client.destroy();
      return;
    }
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    this.open.add(upstream);
    counters.active.inc();
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      counters.active.dec();
      client.destroy();
      upstream.destroy();
      this.open.delete(upstream);
    };
    upstream.on('error', finish);
    client.on('error', finish);
    upstream.once('close', finish);
    client.once('close', finish);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Connects to an endpoint of `service`, trying the next one when one fails. */
  private async dial(service: string, clientIP: string): Promise<Socket | undefined> {
    const tries = Math.max(this.dialTimeoutsMs.length, this.lb.endpointCount(service));
    for (let i = 0; i < tries; i++) {
      const endpoint = this.lb.nextEndpoint(service, clientIP, i > 0);
      if (!endpoint) {
        this.metrics.connectionErrors.inc({ service, reason: 'no_endpoints' });
        this.log.debug({ service, port: this.port }, 'no endpoints for a connection');
        return undefined;
      }
      const timeout = this.dialTimeoutsMs[Math.min(i, this.dialTimeoutsMs.length - 1)]!;
      try {
        return await connectTo(endpoint, timeout);
      } catch (err) {
        this.metrics.endpointDialErrors.inc({ service });
        this.log.debug({ service, endpoint, err: (err as Error).message }, 'dialing an endpoint failed; trying the next one');
      }
    }
    this.metrics.connectionErrors.inc({ service, reason: 'endpoints_unreachable' });
    this.log.warn({ service, port: this.port }, 'failed to connect to an endpoint');
    return undefined;
  }
}

function connectTo(endpoint: string, timeoutMs: number): Promise<Socket> {
  const sep = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, sep);
  const port = Number(endpoint.slice(sep + 1));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true, noDelay: true });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`dial ${endpoint}: timed out after ${timeoutMs}ms`)));
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}
