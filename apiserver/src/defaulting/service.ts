// Service defaults: core/v1 SetDefaults_Service, plus what the service registry fills before
// allocating IPs on this single-stack IPv4 cluster (clusterIP/clusterIPs kept in step, the IP
// family policy and families), and the update-time carry-over of allocated values.
//
// Family defaults, as upstream's allocator sets them when the client sent none:
// - ExternalName: none (validation forbids them).
// - headless (clusterIP None) without selector: RequireDualStack, [IPv4, IPv6].
// - everything else: SingleStack; families from the given cluster IPs, else [IPv4].

import { isIP } from 'node:net';

type Obj = Record<string, any>;

const CLIENT_IP_TIMEOUT = 10800;

function externallyAccessible(spec: Obj): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
}

/** NormalizeClusterIPs: clusterIP and clusterIPs[0] say the same thing. */
function normalizeClusterIPs(spec: Obj): void {
  const ips: unknown[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  if (spec.clusterIP && ips.length === 0) spec.clusterIPs = [spec.clusterIP];
  else if (!spec.clusterIP && ips.length > 0 && typeof ips[0] === 'string') spec.clusterIP = ips[0];
}

function defaultIPFamilies(spec: Obj): void {
  if (spec.type === 'ExternalName') return;
  const headless = spec.clusterIP === 'None';
  const selectorless = !spec.selector || Object.keys(spec.selector).length === 0;
  if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = headless && selectorless ? 'RequireDualStack' : 'SingleStack';
  if (Array.isArray(spec.ipFamilies) && spec.ipFamilies.length > 0) return;
  if (headless) {
    spec.ipFamilies = spec.ipFamilyPolicy === 'RequireDualStack' ? ['IPv4', 'IPv6'] : ['IPv4'];
    return;
  }
  const ips: string[] = (Array.isArray(spec.clusterIPs) ? spec.clusterIPs : []).filter((ip: unknown) => typeof ip === 'string' && isIP(ip) !== 0);
  if (ips.length > 0) spec.ipFamilies = ips.map((ip) => (isIP(ip) === 6 ? 'IPv6' : 'IPv4'));
  else if (spec.ipFamilyPolicy !== 'RequireDualStack') spec.ipFamilies = ['IPv4'];
}

export function defaultService(svc: Obj): void {
  if (!svc.spec || typeof svc.spec !== 'object') svc.spec = {};
  const spec = svc.spec as Obj;
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: CLIENT_IP_TIMEOUT } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!p || typeof p !== 'object') continue;
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (!spec.internalTrafficPolicy && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null)) {
    spec.allocateLoadBalancerNodePorts = true;
  }
  normalizeClusterIPs(spec);
  defaultIPFamilies(spec);
}

/**
 * For the Service strategy's prepareForUpdate (upstream patchAllocatedValues): a PUT that
 * leaves out what the server allocated keeps the old values (cluster IPs, families and their
 * policy, node ports, health check node port), so `kubectl replace` of a manifest without
 * clusterIP does not look like an attempt to change it. Call before applyDefaults.
 */
export function keepAllocatedServiceValues(svc: Obj, old: Obj): void {
  const ns: Obj = svc.spec ?? (svc.spec = {});
  const os: Obj = old.spec ?? {};
  const needsIP = (s: Obj) => (s.type ?? 'ClusterIP') !== 'ExternalName';
  if (needsIP(ns) && needsIP(os)) {
    if (!ns.clusterIP && (!Array.isArray(ns.clusterIPs) || ns.clusterIPs.length === 0)) {
      if (os.clusterIP !== undefined) ns.clusterIP = os.clusterIP;
      if (os.clusterIPs !== undefined) ns.clusterIPs = structuredClone(os.clusterIPs);
    }
    if (!ns.ipFamilyPolicy && os.ipFamilyPolicy) ns.ipFamilyPolicy = os.ipFamilyPolicy;
    if ((!Array.isArray(ns.ipFamilies) || ns.ipFamilies.length === 0) && Array.isArray(os.ipFamilies)) ns.ipFamilies = [...os.ipFamilies];
  }
  const keepsNodePorts = (s: Obj) => s.type === 'NodePort' || s.type === 'LoadBalancer';
  if (keepsNodePorts(ns) && keepsNodePorts(os)) {
    const oldPorts: Obj[] = Array.isArray(os.ports) ? os.ports : [];
    for (const p of Array.isArray(ns.ports) ? ns.ports : []) {
      if (!p || p.nodePort) continue;
      const match = oldPorts.find((o) => o?.port === p.port && (o?.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (match?.nodePort) p.nodePort = match.nodePort;
    }
    if (!ns.healthCheckNodePort && os.healthCheckNodePort && ns.externalTrafficPolicy === os.externalTrafficPolicy) ns.healthCheckNodePort = os.healthCheckNodePort;
  }
}
