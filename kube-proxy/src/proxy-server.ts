// The mode-independent kube-proxy (upstream's cmd/kube-proxy/app ProxyServer + pkg/proxy/config):
// informers for Services and EndpointSlices whose handlers only note that something changed,
// and a bounded-frequency runner that rebuilds the desired ProxyState from the informer caches
// and hands it to the proxier of the chosen mode.

import { hostname } from 'node:os';
import type { ComponentContext, KubeObject, SharedIndexInformer } from '@minik8s/shared';
import { realClock, type Clock } from '@minik8s/shared';
import type { FastifyInstance } from 'fastify';
import { buildProxierHealthServer, ProxierHealth } from './healthz/proxier-health.ts';
import { createProxyMetrics, type ProxyMetrics } from './metrics.ts';
import type { Proxier, ProxyMode } from './proxier/proxier.ts';
import { UserspaceProxier } from './proxier/userspace/userspace-proxier.ts';
import { IptablesProxier } from './proxier/iptables/iptables-proxier.ts';
import { BoundedFrequencyRunner } from './runner/bounded-frequency-runner.ts';
import { buildProxyState } from './state/build-proxy-state.ts';

/** Services another proxy implementation handles carry this label (upstream's LabelServiceProxyName). */
export const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';
/** EndpointSlices of headless Services carry this label: nothing to proxy. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export interface KubeProxyOptions {
  /** The node this proxy runs on (--hostname-override, else the host name). */
  hostnameOverride?: string;
  proxyMode: ProxyMode;
  /** Where node ports listen in userspace mode (--bind-address). */
  bindAddress: string;
  healthzBindAddress: string;
  /** 0 picks a free port (logged). */
  healthzPort: number;
  /** --sync-period: the longest time between two syncs. */
  syncPeriodMs: number;
  /** --min-sync-period: the shortest time between two syncs (a burst of 2 is allowed). */
  minSyncPeriodMs: number;
  /** --config-sync-period: how often the informers re-deliver everything (0: never). */
  configSyncPeriodMs: number;
  /** --iptables-localhost-nodeports (iptables mode): node ports answer on 127.0.0.1 too. Default true. */
  iptablesLocalhostNodePorts?: boolean;
  /** Tests: the bound healthz port. */
  onHealthzListening?(port: number): void;
  clock?: Clock;
}

export function nodeNameOf(opts: Pick<KubeProxyOptions, 'hostnameOverride'>): string {
  return (opts.hostnameOverride?.trim() || hostname()).toLowerCase();
}

export function createProxier(mode: ProxyMode, opts: KubeProxyOptions, ctx: Pick<ComponentContext, 'logger'>, metrics: ProxyMetrics, nodeName: string): Proxier {
  if (mode === 'iptables') return new IptablesProxier({ logger: ctx.logger, nodeName, localhostNodePorts: opts.iptablesLocalhostNodePorts ?? true });
  return new UserspaceProxier({ bindAddress: opts.bindAddress, logger: ctx.logger, metrics });
}

/** The component's work: runs until ctx.signal aborts, then closes what it opened. */
export async function runKubeProxy(ctx: ComponentContext, opts: KubeProxyOptions): Promise<void> {
  const log = ctx.logger;
  const clock = opts.clock ?? realClock;
  const nodeName = nodeNameOf(opts);
  const metrics = createProxyMetrics(ctx.registry);
  const health = new ProxierHealth(2 * opts.syncPeriodMs, clock);
  const proxier = createProxier(opts.proxyMode, opts, ctx, metrics, nodeName);

  const services = ctx.informerFactory.informerFor('services', { labelSelector: `!${SERVICE_PROXY_NAME_LABEL}` });
  const slices = ctx.informerFactory.informerFor('endpointslices.discovery.k8s.io', { labelSelector: `!${HEADLESS_LABEL},!${SERVICE_PROXY_NAME_LABEL}` });

  const runner: BoundedFrequencyRunner = new BoundedFrequencyRunner({
    name: 'sync-runner',
    minIntervalMs: opts.minSyncPeriodMs,
    maxIntervalMs: opts.syncPeriodMs,
    burstRuns: 2,
    clock,
    fn: async () => {
      // Upstream's isInitialized: never program a half-listed world.
      if (!services.hasSynced() || !slices.hasSynced()) return;
      const started = clock.now();
      const state = buildProxyState(services.list(), slices.list(), nodeName);
      await proxier.sync(state);
      health.updated(started);
      metrics.syncDuration.observe((clock.now() - started) / 1000);
      metrics.lastSyncTimestamp.set(clock.now() / 1000);
      log.debug({ servicePorts: state.services.size }, 'synced proxy rules');
    },
    onError: (err) => {
      log.error({ err: (err as Error).message }, 'sync failed; retrying');
      runner.retryAfter(Math.max(opts.minSyncPeriodMs, 1000));
    },
  });
  watchChanges(services, () => metrics.serviceChanges.inc(), health, runner, opts.configSyncPeriodMs);
  watchChanges(slices, () => metrics.endpointChanges.inc(), health, runner, opts.configSyncPeriodMs);

  const healthz = buildProxierHealthServer(health);
  await listen(healthz, opts.healthzBindAddress, opts.healthzPort).then((port) => {
    log.info({ address: opts.healthzBindAddress, port }, `serving proxier health on ${opts.healthzBindAddress}:${port}`);
    opts.onHealthzListening?.(port);
  });

  log.info({ nodeName, mode: proxier.mode, bindAddress: opts.bindAddress }, 'starting kube-proxy');
  const loop = runner.loop(ctx.signal);
  ctx.informerFactory.start(ctx.signal);
  if (await ctx.informerFactory.waitForCacheSync(ctx.signal)) runner.run();
  await loop;
  await proxier.close();
  await healthz.close();
}

/** Handlers only record that something changed and ask the runner for a sync. */
function watchChanges(informer: SharedIndexInformer<KubeObject>, count: () => void, health: ProxierHealth, runner: BoundedFrequencyRunner, resyncMs: number): void {
  const changed = () => {
    count();
    health.queuedUpdate();
    runner.run();
  };
  informer.addEventHandler(
    {
      onAdd: changed,
      onUpdate: (oldObj, newObj) => {
        // A resync re-delivers unchanged objects: still a reason to sync (level-based), not a change.
        if (oldObj.metadata.resourceVersion === newObj.metadata.resourceVersion) runner.run();
        else changed();
      },
      onDelete: changed,
    },
    resyncMs,
  );
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  const addr = app.server.address();
  if (addr && typeof addr === 'object') return addr.port;
  throw new Error('healthz server has no TCP address');
}
