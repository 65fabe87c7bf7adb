// Which endpoints traffic may go to (upstream's pkg/proxy/topology.go CategorizeEndpoints):
// - ready endpoints; when a Service port has none, its serving-and-terminating ones, so
//   connections still drain to pods that are shutting down (ProxyTerminatingEndpoints);
// - a traffic policy of Local keeps only this node's endpoints, for that kind of traffic.

import type { Endpoint, ServicePort } from './proxy-state.ts';

export interface CategorizedEndpoints {
  /** For traffic to the cluster IPs. */
  clusterEndpoints: Endpoint[];
  /** For traffic to node ports, external IPs and load balancer IPs. */
  externalEndpoints: Endpoint[];
  /** Whether any endpoint at all (even not ready) exists. */
  hasAnyEndpoints: boolean;
}

export function categorizeEndpoints(sp: ServicePort, endpoints: readonly Endpoint[]): CategorizedEndpoints {
  const usable = (eps: readonly Endpoint[]) => {
    const ready = eps.filter((e) => e.ready);
    return ready.length > 0 ? ready : eps.filter((e) => e.serving && e.terminating);
  };
  const all = usable(endpoints);
  const local = usable(endpoints.filter((e) => e.isLocal));
  return {
    clusterEndpoints: sp.internalPolicyLocal ? local : all,
    externalEndpoints: sp.externalPolicyLocal ? local : all,
    hasAnyEndpoints: endpoints.length > 0,
  };
}
