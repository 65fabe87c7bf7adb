// What the Endpoints and EndpointSlice controllers share: which pods back a Service, on which
// port (upstream podutil.FindPort, endpointsliceutil.ShouldPodBeInEndpoints).

import type { KubeObject } from '@minik8s/shared';
import { selectorFromSet } from '@minik8s/shared';

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  appProtocol?: string;
}

/** The service's selector, or undefined when it has none (its endpoints are managed by hand). */
export function serviceSelects(svc: KubeObject): ((labels: Record<string, string> | undefined) => boolean) | undefined {
  const sel = svc.spec?.selector as Record<string, string> | undefined;
  if (!sel || svc.spec?.type === 'ExternalName') return undefined;
  const s = selectorFromSet(sel);
  return (labels) => s.matches(labels);
}

/** The services of the pod's namespace selecting it. */
export function servicesSelecting(services: KubeObject[], pod: KubeObject): KubeObject[] {
  return services.filter((svc) => serviceSelects(svc)?.(pod.metadata.labels) ?? false);
}

export function podIP(pod: KubeObject): string | undefined {
  return pod.status?.podIP || pod.status?.podIPs?.[0]?.ip || undefined;
}

/**
 * Whether the pod belongs in a service's endpoints at all: it has an IP, is not being deleted
 * (unless `includeTerminating`) and can still run by its restart policy.
 */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  if (!podIP(pod)) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return phase !== 'Failed' && phase !== 'Succeeded';
  if (policy === 'OnFailure') return phase !== 'Succeeded';
  return true;
}

/**
 * The pod's port for a service port: a numeric targetPort is itself, a named one is the
 * container port with that name and protocol; undefined when the pod has no such port.
 */
export function findPort(pod: KubeObject, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^[0-9]+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of (pod.spec?.containers ?? []) as { ports?: { name?: string; containerPort: number; protocol?: string }[] }[]) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** Whether the pod's hostname is published for this (headless) service (ShouldSetHostname). */
export function shouldSetHostname(pod: KubeObject, svc: KubeObject): boolean {
  return !!pod.spec?.hostname && !!pod.spec?.subdomain && pod.spec.subdomain === svc.metadata.name && svc.metadata.namespace === pod.metadata.namespace;
}

/** A reference to the pod as endpoints carry it. */
export function podTargetRef(pod: KubeObject): { kind: 'Pod'; namespace: string; name: string; uid: string } {
  return { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! };
}

/** Did something an endpoint shows change between two versions of a pod? */
export function podEndpointChanged(old: KubeObject, cur: KubeObject): boolean {
  const ready = (p: KubeObject) => (p.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready')?.status;
  return (
    podIP(old) !== podIP(cur) ||
    ready(old) !== ready(cur) ||
    old.spec?.nodeName !== cur.spec?.nodeName ||
    !!old.metadata.deletionTimestamp !== !!cur.metadata.deletionTimestamp ||
    old.status?.phase !== cur.status?.phase ||
    old.spec?.hostname !== cur.spec?.hostname ||
    old.spec?.subdomain !== cur.spec?.subdomain ||
    JSON.stringify(old.spec?.containers?.map((c: { ports?: unknown }) => c.ports)) !== JSON.stringify(cur.spec?.containers?.map((c: { ports?: unknown }) => c.ports))
  );
}
