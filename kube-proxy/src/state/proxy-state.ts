// The desired state every proxier programs: the service ports this node must serve and, for
// each, its endpoints (upstream's ServicePortMap and EndpointsMap). Built from the informer
// caches by buildProxyState(); a value, so a proxier can compare it with what it applied.

/** Upstream's proxy.ServicePortName: one port of one Service. */
export interface ServicePortName {
  namespace: string;
  name: string;
  /** The port's name ('' for a Service's only, unnamed port). */
  port: string;
  protocol: string;
}

/** `ns/name:port` (`ns/name` for an unnamed port), as upstream prints it in logs and rule comments. */
export function servicePortNameString(spn: Pick<ServicePortName, 'namespace' | 'name' | 'port'>): string {
  return `${spn.namespace}/${spn.name}${spn.port ? `:${spn.port}` : ''}`;
}

/** What one Service port asks of the proxy (upstream's BaseServicePortInfo). */
export interface ServicePort {
  name: ServicePortName;
  /** servicePortNameString(name): the key in ProxyState's maps. */
  key: string;
  clusterIPs: string[];
  /** The Service port (on the cluster IPs). */
  port: number;
  /** The node port, 0 when the Service has none. */
  nodePort: number;
  protocol: string;
  externalIPs: string[];
  /** ClientIP affinity: the same client goes to the same endpoint for timeoutSeconds. */
  sessionAffinity: { clientIP: boolean; timeoutSeconds: number };
  /** externalTrafficPolicy Local: node ports reach only this node's endpoints. */
  externalPolicyLocal: boolean;
  /** internalTrafficPolicy Local: cluster IPs reach only this node's endpoints. */
  internalPolicyLocal: boolean;
  healthCheckNodePort: number;
}

/** One endpoint of a Service port (upstream's BaseEndpointInfo). */
export interface Endpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  /** On this kube-proxy's node. */
  isLocal: boolean;
}

export function endpointString(ep: Pick<Endpoint, 'ip' | 'port'>): string {
  return `${ep.ip}:${ep.port}`;
}

export interface ProxyState {
  /** By ServicePort.key; Services by namespace/name, their ports in spec order. */
  services: Map<string, ServicePort>;
  /** By ServicePort.key: every endpoint the EndpointSlices list, sorted by ip:port. */
  endpoints: Map<string, Endpoint[]>;
}
