export { runKubeProxy, createProxier, nodeNameOf, SERVICE_PROXY_NAME_LABEL, HEADLESS_LABEL, type KubeProxyOptions } from './proxy-server.ts';
export { kubeProxyCommand, parseKubeProxyFlags, type ParsedKubeProxyFlags } from './options.ts';
export { BoundedFrequencyRunner, type BoundedFrequencyRunnerOptions } from './runner/bounded-frequency-runner.ts';
export { buildProxyState, servicePortsOf, SERVICE_NAME_LABEL } from './state/build-proxy-state.ts';
export { categorizeEndpoints, type CategorizedEndpoints } from './state/categorize-endpoints.ts';
export { servicePortNameString, endpointString, type ProxyState, type ServicePort, type ServicePortName, type Endpoint } from './state/proxy-state.ts';
export type { Proxier, ProxyMode } from './proxier/proxier.ts';
export { UserspaceProxier, type UserspaceProxierOptions } from './proxier/userspace/userspace-proxier.ts';
export { LoadBalancerRR, type LoadBalancerOptions } from './proxier/userspace/load-balancer-rr.ts';
export { TcpProxySocket, ENDPOINT_DIAL_TIMEOUTS_MS } from './proxier/userspace/tcp-proxy-socket.ts';
export { IptablesProxier, SYSCTL_ROUTE_LOCALNET, type IptablesProxierOptions } from './proxier/iptables/iptables-proxier.ts';
export {
  buildIptablesRules,
  jumpRules,
  isServiceChainName,
  KUBE_NAT_CHAINS,
  KUBE_FILTER_CHAINS,
  portProtoHash,
  servicePortChainName,
  servicePortEndpointChainName,
  serviceExternalChainName,
  type IptablesRules,
  type IptablesRulesOptions,
} from './proxier/iptables/iptables-rules.ts';
export { buildCleanupRules, cleanupLeftovers, isOwnChain, type CleanupPlan } from './proxier/iptables/iptables-cleanup.ts';
export { iptablesSave, iptablesRestore, iptablesPresent, chainsOf, getSysctl, ensureSysctl, type IptablesTable } from './proxier/iptables/iptables.ts';
export { ProxierHealth, buildProxierHealthServer } from './healthz/proxier-health.ts';
export { createProxyMetrics, type ProxyMetrics } from './metrics.ts';
