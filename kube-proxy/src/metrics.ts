// kube-proxy's metrics on the component's prom-client registry: upstream's sync metrics
// (kubeproxy_sync_proxy_rules_*) plus the userspace data path's connection counters.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ProxyMetrics {
  syncDuration: Histogram<string>;
  lastSyncTimestamp: Gauge<string>;
  serviceChanges: Counter<string>;
  endpointChanges: Counter<string>;
  /** Connections accepted on a node port, by service port (`ns/name:port`). */
  connections: Counter<'service'>;
  /**
   * Connections closed without reaching an endpoint, by reason: `no_endpoints` (none ready),
   * `endpoints_unreachable` (every endpoint tried refused or timed out).
   */
  connectionErrors: Counter<'service' | 'reason'>;
  /** Single dials to an endpoint that failed (the connection then tries the next one). */
  endpointDialErrors: Counter<'service'>;
  activeConnections: Gauge<'service'>;
  /** Node ports this proxy listens on. */
  listeners: Gauge<string>;
  /** Node ports it failed to listen on at the last sync. */
  listenErrors: Counter<'port'>;
}

export function createProxyMetrics(registry: Registry): ProxyMetrics {
  const registers = [registry];
  return {
    syncDuration: new Histogram({
      name: 'kubeproxy_sync_proxy_rules_duration_seconds',
      help: 'SyncProxyRules latency in seconds',
      buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384],
      registers,
    }),
    lastSyncTimestamp: new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced', registers }),
    serviceChanges: new Counter({ name: 'kubeproxy_sync_proxy_rules_service_changes_total', help: 'Cumulative proxy rules Service changes', registers }),
    endpointChanges: new Counter({ name: 'kubeproxy_sync_proxy_rules_endpoint_changes_total', help: 'Cumulative proxy rules EndpointSlice changes', registers }),
    connections: new Counter({ name: 'kubeproxy_userspace_connections_total', help: 'Connections accepted on node ports by the userspace proxier', labelNames: ['service'], registers }),
    connectionErrors: new Counter({
      name: 'kubeproxy_userspace_connection_errors_total',
      help: 'Accepted connections that reached no endpoint, by reason (no_endpoints, endpoints_unreachable)',
      labelNames: ['service', 'reason'],
      registers,
    }),
    endpointDialErrors: new Counter({
      name: 'kubeproxy_userspace_endpoint_dial_errors_total',
      help: 'Dials to an endpoint that failed; the connection was retried on the next endpoint',
      labelNames: ['service'],
      registers,
    }),
    activeConnections: new Gauge({ name: 'kubeproxy_userspace_active_connections', help: 'Connections being forwarded now', labelNames: ['service'], registers }),
    listeners: new Gauge({ name: 'kubeproxy_userspace_listeners', help: 'Node ports the userspace proxier listens on', registers }),
    listenErrors: new Counter({ name: 'kubeproxy_userspace_listen_errors_total', help: 'Failures to listen on a node port', labelNames: ['port'], registers }),
  };
}
