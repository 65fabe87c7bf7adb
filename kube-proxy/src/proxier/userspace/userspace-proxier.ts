// The userspace proxier: every TCP node port of the desired state gets a listener on
// --bind-address that forwards connections to the service port's endpoints, round-robin with
// ClientIP affinity (upstream's userspace mode, which forwarded through kube-proxy itself).
// Only node ports are served: reaching cluster IPs needs iptables (the iptables proxier).
// UDP node ports are not served yet.

import type { Logger } from 'pino';
import type { ProxyMetrics } from '../../metrics.ts';
import { categorizeEndpoints } from '../../state/categorize-endpoints.ts';
import { endpointString, type ProxyState, type ServicePort } from '../../state/proxy-state.ts';
import type { Proxier } from '../proxier.ts';
import { LoadBalancerRR } from './load-balancer-rr.ts';
import { TcpProxySocket } from './tcp-proxy-socket.ts';

export interface UserspaceProxierOptions {
  /** The address node ports listen on (--bind-address). */
  bindAddress: string;
  logger: Logger;
  metrics: ProxyMetrics;
  loadBalancer?: LoadBalancerRR;
  dialTimeoutsMs?: readonly number[];
}

export class UserspaceProxier implements Proxier {
  readonly mode = 'userspace' as const;
  private readonly opts: UserspaceProxierOptions;
  private readonly lb: LoadBalancerRR;
  private readonly log: Logger;
  /** Node port -> its listener. */
  private readonly sockets = new Map<number, TcpProxySocket>();
  /** Service ports the load balancer knows. */
  private balanced = new Set<string>();
  private readonly warnedUDP = new Set<string>();

  constructor(opts: UserspaceProxierOptions) {
    this.opts = opts;
    this.lb = opts.loadBalancer ?? new LoadBalancerRR();
    this.log = opts.logger;
  }

  async sync(state: ProxyState): Promise<void> {
    // 1. What should be served, and with which endpoints.
    const desired = new Map<number, ServicePort>();
    const balanced = new Set<string>();
    for (const sp of state.services.values()) {
      if (sp.nodePort <= 0) continue;
      if (sp.protocol !== 'TCP') {
        if (!this.warnedUDP.has(sp.key)) this.log.warn({ service: sp.key, protocol: sp.protocol, nodePort: sp.nodePort }, 'the userspace proxier serves TCP node ports only');
        this.warnedUDP.add(sp.key);
        continue;
      }
      desired.set(sp.nodePort, sp);
      const eps = categorizeEndpoints(sp, state.endpoints.get(sp.key) ?? []).externalEndpoints;
      this.lb.update(sp.key, eps.map(endpointString), sp.sessionAffinity.clientIP ? sp.sessionAffinity.timeoutSeconds : 0);
      balanced.add(sp.key);
    }
    // 2. Listeners of node ports no longer wanted go first: the port may be reused at once.
    for (const [port, sock] of this.sockets) {
      const sp = desired.get(port);
      if (!sp) {
        sock.close();
        this.sockets.delete(port);
        this.log.info({ nodePort: port, service: sock.service }, 'stopped listening on node port');
      } else if (sp.key !== sock.service) {
        sock.service = sp.key;
      }
    }
    for (const key of this.balanced) if (!balanced.has(key)) this.lb.delete(key);
    this.balanced = balanced;
    // 3. New listeners.
    const failed: string[] = [];
    for (const [port, sp] of desired) {
      if (this.sockets.has(port)) continue;
      const sock = new TcpProxySocket({
        host: this.opts.bindAddress,
        port,
        service: sp.key,
        loadBalancer: this.lb,
        metrics: this.opts.metrics,
        logger: this.log,
        ...(this.opts.dialTimeoutsMs ? { dialTimeoutsMs: this.opts.dialTimeoutsMs } : {}),
      });
      try {
        await sock.listen();
        this.sockets.set(port, sock);
        this.log.info({ nodePort: port, service: sp.key, address: this.opts.bindAddress }, 'listening on node port');
      } catch (err) {
        this.opts.metrics.listenErrors.inc({ port: String(port) });
        this.log.error({ nodePort: port, service: sp.key, err: (err as Error).message }, 'cannot listen on node port');
        failed.push(`${port} (${(err as Error).message})`);
      }
    }
    this.opts.metrics.listeners.set(this.sockets.size);
    if (failed.length) throw new Error(`could not listen on node ports ${failed.join(', ')}`);
  }

  async close(): Promise<void> {
    for (const sock of this.sockets.values()) {
      sock.close();
      sock.closeConnections();
    }
    this.sockets.clear();
    this.opts.metrics.listeners.set(0);
  }

  /** Node ports listened on now (tests, debugging). */
  listeningPorts(): number[] {
    return [...this.sockets.keys()].sort((a, b) => a - b);
  }
}
