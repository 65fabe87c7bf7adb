// Prometheus metrics of a component, on its own prom-client registry: process/Node defaults
// plus the client machinery's (REST client, workqueues, reflectors, leader election), with
// upstream's metric names so dashboards for the real components read these too.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { setRestClientMetrics } from '../client/metrics.ts';
import { setWorkqueueMetrics } from '../workqueue/metrics.ts';
import { setInformerMetrics } from '../informer/metrics.ts';
import { setLeaderElectionMetrics } from '../leaderelection/metrics.ts';

const LATENCY_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];
const QUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10];

/**
 * Creates a registry with every metric of the client machinery and makes it the process'
 * metrics provider (the machinery reports through global hooks, as client-go's).
 */
export function createComponentRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requests = new Counter({
    name: 'rest_client_requests_total',
    help: 'Number of HTTP requests, partitioned by status code, method, and host.',
    labelNames: ['code', 'method', 'host'],
    registers,
  });
  const requestLatency = new Histogram({
    name: 'rest_client_request_duration_seconds',
    help: 'Request latency in seconds. Broken down by verb and host.',
    labelNames: ['verb', 'host'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const limiterLatency = new Histogram({
    name: 'rest_client_rate_limiter_duration_seconds',
    help: 'Client side rate limiter latency in seconds. Broken down by verb and host.',
    labelNames: ['verb', 'host'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  setRestClientMetrics({
    requestResult: (method, host, code) => requests.inc({ code, method, host }),
    requestLatency: (verb, host, s) => requestLatency.observe({ verb, host }, s),
    rateLimiterLatency: (verb, host, s) => limiterLatency.observe({ verb, host }, s),
  });

  const depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers });
  const adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers });
  const retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers });
  const queueLatency = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested.',
    labelNames: ['name'],
    buckets: QUEUE_BUCKETS,
    registers,
  });
  const workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes.',
    labelNames: ['name'],
    buckets: QUEUE_BUCKETS,
    registers,
  });
  setWorkqueueMetrics({
    depth: (name, n) => depth.set({ name }, n),
    add: (name) => adds.inc({ name }),
    retry: (name) => retries.inc({ name }),
    queueLatency: (name, s) => queueLatency.observe({ name }, s),
    workDuration: (name, s) => workDuration.observe({ name }, s),
  });

  const lists = new Counter({ name: 'reflector_lists_total', help: 'Total number of API lists done by the reflectors', labelNames: ['name'], registers });
  const watches = new Counter({ name: 'reflector_watches_total', help: 'Total number of API watches done by the reflectors', labelNames: ['name'], registers });
  const watchEvents = new Counter({
    name: 'reflector_watch_events_total',
    help: 'Total number of watch events received by the reflectors, by type',
    labelNames: ['name', 'type'],
    registers,
  });
  setInformerMetrics({
    list: (name) => lists.inc({ name }),
    watch: (name) => watches.inc({ name }),
    watchEvent: (name, type) => watchEvents.inc({ name, type }),
  });

  const master = new Gauge({
    name: 'leader_election_master_status',
    help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
    labelNames: ['name'],
    registers,
  });
  setLeaderElectionMetrics({
    leaderOn: (name) => master.set({ name }, 1),
    leaderOff: (name) => master.set({ name }, 0),
  });

  return registry;
}
