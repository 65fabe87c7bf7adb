// Prometheus metrics of the apiserver, with upstream's names where they exist.

import { Counter, Gauge, Histogram, Registry as PromRegistry, collectDefaultMetrics } from 'prom-client';

export const promRegistry = new PromRegistry();
collectDefaultMetrics({ register: promRegistry });

export const requestMetrics = {
  total: new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, group, resource and HTTP response code.',
    labelNames: ['verb', 'group', 'resource', 'subresource', 'code'],
    registers: [promRegistry],
  }),
  duration: new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, group and resource.',
    labelNames: ['verb', 'group', 'resource', 'subresource'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [promRegistry],
  }),
};

export const watchMetrics = {
  watchers: new Gauge({
    name: 'apiserver_registered_watchers',
    help: 'Number of currently registered watchers for a given resource.',
    labelNames: ['group', 'resource'],
    registers: [promRegistry],
  }),
};

export const storageMetrics = {
  objects: new Gauge({
    name: 'apiserver_storage_objects',
    help: 'Number of stored objects at the time of last check split by kind.',
    labelNames: ['resource'],
    registers: [promRegistry],
  }),
  etcdUp: new Gauge({ name: 'apiserver_etcd_up', help: '1 while etcd answers health checks.', registers: [promRegistry] }),
};
