// Runs a daemon the way every Kubernetes component runs: build the client from
// --kubeconfig/--master, serve /healthz and /metrics, campaign for leadership when
// --leader-elect, run the work while leading, and shut down gracefully on SIGTERM/SIGINT.
//
// Shutdown order (SIGTERM/SIGINT, or the work returning by itself):
//  1. ctx.signal aborts: queues made with ctx.newQueue are shut down (their workers' get()
//     answers shutdown once they are empty) and the informers of ctx.informerFactory stop.
//  2. Once the work returned, those queues are drained (every key handed out is done), events
//     of ctx.eventRecorder are written (at most eventFlushTimeoutMs) and the informers stop.
//  3. Only then is the Lease released, so a standby takes over at once without overlap.
//  4. The health server and the client's connections are closed, and the process exits 0.
// Lost leadership exits 1 at once (the work may still be mid-flight: see LeaderElector on
// fencing), as does work that throws. A second signal, or shutdownTimeoutMs, exits 1 at once.

import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { RestClient } from '../client/rest-client.ts';
import { buildConfigFromFlags } from '../client/kubeconfig.ts';
import { SharedInformerFactory } from '../informer/shared-informer-factory.ts';
import { LeaderElector } from '../leaderelection/leader-elector.ts';
import { LeaseLock } from '../leaderelection/lease-lock.ts';
import { RateLimitingQueue } from '../workqueue/rate-limiting-queue.ts';
import { EventRecorder } from '../events/event-recorder.ts';
import type { RateLimitingQueueOptions } from '../workqueue/rate-limiting-queue.ts';
import type { CommonOptions } from './flags.ts';
import { createLogger } from './logger.ts';
import { createComponentRegistry } from './metrics.ts';
import type { HealthCheck } from './health-server.ts';
import { buildHealthServer, listenHealthServer } from './health-server.ts';

export interface ComponentContext {
  name: string;
  options: CommonOptions;
  logger: Logger;
  client: RestClient;
  /** Informers of this run; they stop when `signal` aborts. */
  informerFactory: SharedInformerFactory;
  registry: Registry;
  /** Aborts when the work must stop (shutdown, lost leadership). */
  signal: AbortSignal;
  /** This process' leader election identity (hostname_uuid). */
  identity: string;
  /**
   * A named rate-limiting queue (metrics under `name`) that is shut down when `signal` aborts
   * and drained before the Lease is released.
   */
  newQueue<T>(name: string, opts?: Omit<RateLimitingQueueOptions<T>, 'name'>): RateLimitingQueue<T>;
  /**
   * The EventRecorder reporting as `source.component` (one per component name for this run).
   * Events it still holds when the work returns are written before the Lease is released
   * (for at most eventFlushTimeoutMs), so the last things a leader did are not lost.
   */
  eventRecorder(component: string): EventRecorder;
}

export interface ComponentSpec {
  /** e.g. "kube-scheduler": names the logger, User-Agent and default Lease. */
  name: string;
  options: CommonOptions;
  /**
   * The component's work, run while leading (at once with --leader-elect=false). It must
   * return once ctx.signal aborts, after stopping its informers and draining its queues.
   */
  run(ctx: ComponentContext): Promise<void>;
  /** Extra checks for /healthz and /readyz. */
  livenessChecks?: HealthCheck[];
  readinessChecks?: HealthCheck[];
  /** Call process.exit() with the result (default true). */
  exit?: boolean;
  /** Listen for SIGTERM/SIGINT (default true). */
  handleSignals?: boolean;
  /** An external stop, besides signals (tests). */
  signal?: AbortSignal;
  /** Give up on a graceful shutdown after this long and exit 1 (default 30 s). */
  shutdownTimeoutMs?: number;
  /** How long a shutdown waits for queued events to be written (default 3 s). */
  eventFlushTimeoutMs?: number;
  logger?: Logger;
  /** Receives the health server's port once it listens (tests). */
  onListening?(port: number): void;
}

/** Resolves when `signal` aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Writes what the recorders still hold, giving up after `timeoutMs` (the apiserver may be gone). */
async function flushEvents(recorders: EventRecorder[], timeoutMs: number, logger: Logger): Promise<void> {
  if (recorders.length === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flushed = await Promise.race([
    Promise.all(recorders.map((r) => r.flush())).then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!flushed) logger.warn({ timeoutMs }, 'gave up writing the remaining events');
  for (const r of recorders) {
    if (r.dropped > 0) logger.warn({ component: r.component, dropped: r.dropped }, 'events dropped because the API could not keep up');
  }
}

/** Runs the component; resolves the exit code (after exiting the process, unless exit: false). */
export async function runComponent(spec: ComponentSpec): Promise<number> {
  const { name, options } = spec;
  const logger = spec.logger ?? createLogger(name, options.v);
  const registry = createComponentRegistry();
  const identity = `${hostname()}_${randomUUID()}`;
  const stop = new AbortController();
  let exitCode = 0;
  let forced: ReturnType<typeof setTimeout> | undefined;

  const finish = (code: number): number => {
    if (forced) clearTimeout(forced);
    if (spec.exit ?? true) process.exit(code);
    return code;
  };
  const beginShutdown = (why: string, code = 0) => {
    if (stop.signal.aborted) return;
    exitCode = Math.max(exitCode, code);
    logger.info({ reason: why }, 'shutting down');
    stop.abort(new Error(why));
    forced = setTimeout(() => {
      logger.error('graceful shutdown timed out');
      finish(1);
    }, spec.shutdownTimeoutMs ?? 30_000);
    forced.unref();
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      logger.warn({ signal: sig }, 'second signal, exiting now');
      finish(1);
      return;
    }
    beginShutdown(sig);
  };
  if (spec.handleSignals ?? true) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  spec.signal?.addEventListener('abort', () => beginShutdown('stopped'), { once: true });

  let client: RestClient;
  try {
    client = new RestClient({
      config: buildConfigFromFlags(options.master, options.kubeconfig),
      component: name,
      qps: options.kubeApiQps,
      burst: options.kubeApiBurst,
    });
  } catch (err) {
    logger.error({ err }, 'cannot build the API client');
    return finish(1);
  }

  let elector: LeaderElector | undefined;
  const app = buildHealthServer({
    registry,
    livenessChecks: spec.livenessChecks,
    readinessChecks: spec.readinessChecks,
  });
  try {
    const port = await listenHealthServer(app, options.bindAddress, options.port);
    logger.info({ address: options.bindAddress, port }, `serving healthz and metrics on ${options.bindAddress}:${port}`);
    spec.onListening?.(port);
  } catch (err) {
    logger.error({ err }, 'cannot listen for health and metrics');
    await client.close();
    return finish(1);
  }

  const runWork = async (signal: AbortSignal): Promise<void> => {
    const informerFactory = new SharedInformerFactory(client, { logger });
    const queues: RateLimitingQueue<unknown>[] = [];
    const newQueue = <T>(queueName: string, opts: Omit<RateLimitingQueueOptions<T>, 'name'> = {}): RateLimitingQueue<T> => {
      const q = new RateLimitingQueue<T>({ ...opts, name: queueName });
      queues.push(q as RateLimitingQueue<unknown>);
      if (signal.aborted) q.shutDown();
      return q;
    };
    const shutDownQueues = () => {
      for (const q of queues) q.shutDown();
    };
    signal.addEventListener('abort', shutDownQueues, { once: true });
    const recorders = new Map<string, EventRecorder>();
    const eventRecorder = (component: string): EventRecorder => {
      let r = recorders.get(component);
      if (!r) {
        r = new EventRecorder({ client, component, instance: identity, logger });
        recorders.set(component, r);
      }
      return r;
    };
    try {
      await spec.run({ name, options, logger, client, informerFactory, registry, signal, identity, newQueue, eventRecorder });
      if (!signal.aborted) beginShutdown('the work returned');
    } catch (err) {
      if (signal.aborted) logger.warn({ err }, 'work failed while stopping');
      else {
        logger.error({ err }, 'work failed');
        beginShutdown('the work failed', 1);
      }
    } finally {
      signal.removeEventListener('abort', shutDownQueues);
      await Promise.all(queues.map((q) => q.shutDownWithDrain()));
      await flushEvents([...recorders.values()], spec.eventFlushTimeoutMs ?? 3_000, logger);
      // Work that returned by itself has started the shutdown; the elector aborts `signal`
      // as soon as it sees it (before it waits for this function), then informers stop.
      await untilAborted(signal);
      await informerFactory.shutdown();
    }
  };

  if (options.leaderElect) {
    elector = new LeaderElector({
      lock: new LeaseLock(client, options.leaderElectResourceNamespace, options.leaderElectResourceName, identity),
      leaseDurationMs: options.leaderElectLeaseDuration,
      renewDeadlineMs: options.leaderElectRenewDeadline,
      retryPeriodMs: options.leaderElectRetryPeriod,
      releaseOnCancel: true,
      name,
      logger,
      callbacks: {
        onStartedLeading: (signal) => runWork(signal),
        onStoppedLeading: () => logger.info({ identity }, 'stopped leading'),
        onNewLeader: (id) => {
          if (id !== identity) logger.info({ leader: id }, 'new leader elected');
        },
      },
    });
    const result = await elector.run(stop.signal);
    if (result === 'lost') {
      logger.error('leaderelection lost');
      exitCode = 1;
      stop.abort(new Error('leaderelection lost'));
      await app.close().catch(() => {});
      await client.close().catch(() => {});
      return finish(1);
    }
  } else {
    await runWork(stop.signal);
  }

  await app.close().catch((err) => logger.warn({ err }, 'closing the health server'));
  await client.close().catch(() => {});
  if (spec.handleSignals ?? true) {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  logger.info({ exitCode }, 'stopped');
  return finish(exitCode);
}
