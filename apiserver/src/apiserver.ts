// Wires storage, registry, admission and the HTTP app together, and runs the post-start work:
// etcd health polling, the system namespaces and the `kubernetes` Service with its endpoints.

import type { Server as HttpsServer } from 'node:https';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { isStatusError } from '@minik8s/shared';
import { EtcdStore } from './storage/etcd-store.ts';
import type { Storage } from './storage/interface.ts';
import { Registry } from './registry/registry.ts';
import { AllocationRepair, ServiceAllocators } from './registry/allocators/index.ts';
import { AdmissionChain } from './admission/admission.ts';
import { NamespaceLifecycle } from './admission/namespace-lifecycle.ts';
import { DefaultTolerationSeconds } from './admission/default-toleration-seconds.ts';
import { buildApp } from './http/app.ts';
import { closeUpgradedConnections, handleUpgrade } from './http/pod-proxy.ts';
import { closeSecureServer, createSecureServer, listenSecure, secureUrl, type SecureServingOptions } from './http/tls/secure-server.ts';
import type { HealthState } from './http/health.ts';
import { storageMetrics } from './http/metrics.ts';
import { httpProbe, type ComponentProbe } from './http/handlers/component-statuses.ts';
import { KubernetesServiceController, defaultAdvertiseAddress } from './controlplane/index.ts';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface ApiServerOptions {
  etcdServers: string[];
  etcdPrefix?: string;
  logger?: Logger;
  logRequests?: boolean;
  profiling?: boolean;
  watchCacheSize?: number;
  componentProbes?: ComponentProbe[];
  /** How often etcd's health is checked (ms). */
  etcdHealthIntervalMs?: number;
  /** DefaultTolerationSeconds admission: seconds pods tolerate not-ready / unreachable nodes. */
  defaultNotReadyTolerationSeconds?: number;
  defaultUnreachableTolerationSeconds?: number;
  /** --service-cluster-ip-range (default 10.96.0.0/12). */
  serviceClusterIPRange?: string;
  /** --service-node-port-range (default 30000-32767). */
  serviceNodePortRange?: string;
  /** How often the service IP and node port allocations are repaired (default 3 min). */
  serviceRepairIntervalMs?: number;
  /**
   * --advertise-address: the address the `kubernetes` Endpoints carry once listenSecure()
   * serves the secure port. Default: its host unless unspecified or loopback, else the host's
   * first non-loopback IPv4 address (controlplane/advertise-address.ts).
   */
  advertiseAddress?: string;
  /** How often the `kubernetes` Service and its endpoints are ensured (default 10 s, as upstream). */
  kubernetesServiceIntervalMs?: number;
}

export class ApiServer {
  readonly app: FastifyInstance;
  readonly registry: Registry;
  readonly storage: Storage;
  readonly serviceAllocators: ServiceAllocators;
  readonly kubernetesService: KubernetesServiceController;
  private readonly allocationRepair: AllocationRepair;
  readonly health: HealthState = { etcdHealthy: false, bootstrapped: false };
  private readonly log: Logger;
  private healthTimer: NodeJS.Timeout | undefined;
  private secureServer: HttpsServer | undefined;
  private advertise: string | undefined;
  private stopped = false;
  private readonly opts: ApiServerOptions;

  constructor(opts: ApiServerOptions) {
    this.opts = opts;
    this.log = opts.logger ?? pino({ level: 'info' });
    this.storage = new EtcdStore({ endpoints: opts.etcdServers });
    const namespaces = () => this.registry.store({ group: '', resource: 'namespaces' })!;
    const admission = new AdmissionChain([
      new DefaultTolerationSeconds({
        ...(opts.defaultNotReadyTolerationSeconds !== undefined ? { notReadySeconds: opts.defaultNotReadyTolerationSeconds } : {}),
        ...(opts.defaultUnreachableTolerationSeconds !== undefined ? { unreachableSeconds: opts.defaultUnreachableTolerationSeconds } : {}),
      }),
      new NamespaceLifecycle(async (name) => {
        const ns = namespaces();
        const key = ns.keys.object(undefined, name);
        return ns.cache.get(key) ?? (await this.storage.get(key));
      }),
    ]);
    const etcdPrefix = opts.etcdPrefix ?? '/registry';
    this.serviceAllocators = new ServiceAllocators({
      storage: this.storage,
      etcdPrefix,
      serviceClusterIPRange: opts.serviceClusterIPRange,
      serviceNodePortRange: opts.serviceNodePortRange,
      onError: (message, err) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, message),
    });
    this.registry = new Registry({
      storage: this.storage,
      serviceAllocators: this.serviceAllocators,
      etcdPrefix,
      admission,
      ...(opts.watchCacheSize ? { cacheCapacity: opts.watchCacheSize } : {}),
      onCacheError: (resource, e) => this.log.warn({ resource, err: e instanceof Error ? e.message : String(e) }, 'watch cache relisting'),
    });
    this.allocationRepair = new AllocationRepair({
      storage: this.storage,
      servicesPrefix: this.registry.store({ group: '', resource: 'services' })!.keys.root,
      allocators: this.serviceAllocators,
      intervalMs: opts.serviceRepairIntervalMs,
      logger: this.log,
    });
    this.kubernetesService = new KubernetesServiceController({
      registry: this.registry,
      // The range's first address, which the allocator keeps for this Service alone.
      serviceIP: this.serviceAllocators.cidr.ipAt(0),
      logger: this.log,
      ...(opts.kubernetesServiceIntervalMs !== undefined ? { intervalMs: opts.kubernetesServiceIntervalMs } : {}),
    });
    this.app = buildApp({
      registry: this.registry,
      health: this.health,
      logger: this.log,
      logRequests: opts.logRequests ?? false,
      profiling: opts.profiling ?? false,
      componentProbes: opts.componentProbes ?? [
        { name: 'etcd-0', probe: async () => ((await this.storage.healthy()) ? { healthy: true, message: 'ok' } : { healthy: false, message: '', error: 'etcd does not answer' }) },
        { name: 'scheduler', probe: httpProbe('http://127.0.0.1:10259/healthz') },
        { name: 'controller-manager', probe: httpProbe('http://127.0.0.1:10257/healthz') },
      ],
    });
  }

  /** Start caches and post-start hooks in the background; the server answers meanwhile. */
  start(): void {
    this.pollEtcd();
    // Nothing can be allocated before the first repair created the ranges: ready only after it.
    void this.registry.start().then(async () => {
      await this.allocationRepair.start();
      await this.bootstrap();
    });
  }

  /**
   * Serves the app over HTTPS too (--secure-port), beside whatever `app.listen()` serves; the
   * same routes, and pods/exec upgrades proxied as on the plain port. Resolves with the URL
   * (e.g. https://127.0.0.1:6443) once listening; rejects with the listen error. stop() closes it.
   */
  async listenSecure(opts: SecureServingOptions): Promise<string> {
    if (this.secureServer) throw new Error('the secure port is already served');
    await this.app.ready();
    const server = createSecureServer(this.app, opts, (req, socket, head) => handleUpgrade(this.registry, req, socket, head));
    this.secureServer = server;
    const address = await listenSecure(server, opts.host, opts.port);
    const explicit = this.opts.advertiseAddress;
    this.advertise = explicit ?? defaultAdvertiseAddress(opts.host);
    this.kubernetesService.setSecureServing({
      port: address.port,
      advertiseAddress: this.advertise,
      advertiseSource:
        explicit !== undefined
          ? '--advertise-address'
          : this.advertise === undefined
            ? `--bind-address=${opts.host} is unspecified or loopback and the host has no other IPv4 address`
            : `the default for --bind-address=${opts.host}`,
    });
    return secureUrl(address);
  }

  /** The address the `kubernetes` Endpoints advertise (known once listenSecure() resolved; undefined when none was found). */
  get advertiseAddress(): string | undefined {
    return this.advertise;
  }

  private pollEtcd(): void {
    const tick = async () => {
      const ok = await this.storage.healthy();
      if (ok !== this.health.etcdHealthy) this.log.info({ etcdHealthy: ok }, ok ? 'etcd is reachable' : 'etcd is unreachable');
      this.health.etcdHealthy = ok;
      storageMetrics.etcdUp.set(ok ? 1 : 0);
      if (!this.stopped) this.healthTimer = setTimeout(tick, this.opts.etcdHealthIntervalMs ?? 1_000);
    };
    void tick();
  }

  private async bootstrap(): Promise<void> {
    const namespaces = this.registry.store({ group: '', resource: 'namespaces' })!;
    for (let delay = 100; !this.stopped; delay = Math.min(delay * 2, 5_000)) {
      try {
        for (const name of SYSTEM_NAMESPACES) {
          try {
            await namespaces.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
          } catch (e) {
            if (!(isStatusError(e) && e.reason === 'AlreadyExists')) throw e;
          }
        }
        this.log.info('system namespaces present');
        // Its first pass before ready, so a client never sees a fresh cluster without the
        // `kubernetes` Service; a failure is logged and the periodic passes retry.
        await this.kubernetesService.start();
        this.health.bootstrapped = true;
        return;
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'bootstrap of system namespaces failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.healthTimer);
    this.kubernetesService.stop();
    this.allocationRepair.stop();
    this.registry.stop();
    closeUpgradedConnections();
    if (this.secureServer) await closeSecureServer(this.secureServer);
    await this.app.close();
    await this.storage.close();
  }
}
