// Builds the desired ProxyState from the Services and EndpointSlices the informers hold
// (upstream's ServiceChangeTracker + EndpointSliceCache, computed whole at each sync: the
// runner coalesces changes, so a full rebuild per sync stays cheap at this scale).
//
// Rules, as upstream:
// - ExternalName Services and Services without a cluster IP (headless) are not proxied.
// - An EndpointSlice belongs to the Service named by its `kubernetes.io/service-name` label;
//   only IPv4 slices count. A slice port matches the Service port of the same name and protocol.
// - An endpoint's first address is used; unset `ready`/`serving` mean true, unset
//   `terminating` false. The same ip:port in two slices counts once (the ready copy wins).

import type { KubeObject } from '@minik8s/shared';
import { servicePortNameString, type Endpoint, type ProxyState, type ServicePort } from './proxy-state.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

type Obj = Record<string, any>;

export function buildProxyState(services: readonly KubeObject[], slices: readonly KubeObject[], nodeName: string): ProxyState {
  const state: ProxyState = { services: new Map(), endpoints: new Map() };
  const sorted = [...services].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  for (const svc of sorted) {
    for (const sp of servicePortsOf(svc)) state.services.set(sp.key, sp);
  }
  const byKey = new Map<string, Map<string, Endpoint>>();
  for (const slice of slices) {
    const svcName = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svcName || (slice as Obj).addressType !== 'IPv4') continue;
    const namespace = slice.metadata.namespace ?? '';
    for (const p of ((slice as Obj).ports ?? []) as Obj[]) {
      if (typeof p?.port !== 'number') continue;
      const key = servicePortNameString({ namespace, name: svcName, port: p.name ?? '' });
      const sp = state.services.get(key);
      if (!sp || sp.protocol !== (p.protocol ?? 'TCP')) continue;
      let eps = byKey.get(key);
      if (!eps) byKey.set(key, (eps = new Map()));
      for (const e of ((slice as Obj).endpoints ?? []) as Obj[]) {
        const ip = e?.addresses?.[0];
        if (typeof ip !== 'string' || !ip) continue;
        const c: Obj = e.conditions ?? {};
        const ep: Endpoint = {
          ip,
          port: p.port,
          ready: c.ready !== false,
          serving: c.serving !== false,
          terminating: c.terminating === true,
          isLocal: !!nodeName && e.nodeName === nodeName,
          ...(e.nodeName ? { nodeName: e.nodeName } : {}),
        };
        const id = `${ip}:${p.port}`;
        const seen = eps.get(id);
        if (!seen || (!seen.ready && ep.ready)) eps.set(id, ep);
      }
    }
  }
  for (const [key, eps] of byKey) {
    state.endpoints.set(key, [...eps.values()].sort((a, b) => compareEndpoints(a, b)));
  }
  return state;
}

/** The ServicePorts of one Service, or none when kube-proxy does not proxy it. */
export function servicePortsOf(svc: KubeObject): ServicePort[] {
  const spec: Obj = (svc as Obj).spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const clusterIP = spec.clusterIP;
  if (!clusterIP || clusterIP === 'None') return [];
  const clusterIPs: string[] = Array.isArray(spec.clusterIPs) && spec.clusterIPs.length ? spec.clusterIPs : [clusterIP];
  const clientIP = spec.sessionAffinity === 'ClientIP';
  const externallyReachable = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  return ((spec.ports ?? []) as Obj[])
    .filter((p) => typeof p?.port === 'number')
    .map((p) => {
      const name = { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', port: p.name ?? '', protocol: p.protocol ?? 'TCP' };
      return {
        name,
        key: servicePortNameString(name),
        clusterIPs: [...clusterIPs],
        port: p.port,
        nodePort: externallyReachable && typeof p.nodePort === 'number' ? p.nodePort : 0,
        protocol: name.protocol,
        externalIPs: Array.isArray(spec.externalIPs) ? [...spec.externalIPs] : [],
        sessionAffinity: { clientIP, timeoutSeconds: clientIP ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS) : 0 },
        externalPolicyLocal: spec.externalTrafficPolicy === 'Local',
        internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
        healthCheckNodePort: typeof spec.healthCheckNodePort === 'number' ? spec.healthCheckNodePort : 0,
      } satisfies ServicePort;
    });
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

function compareEndpoints(a: Endpoint, b: Endpoint): number {
  return a.ip === b.ip ? a.port - b.port : a.ip.localeCompare(b.ip, 'en', { numeric: true });
}
