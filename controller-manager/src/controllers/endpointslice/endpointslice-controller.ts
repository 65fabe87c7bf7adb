// The EndpointSlice controller (upstream pkg/controller/endpointslice): for each Service with
// a selector, discovery.k8s.io/v1 EndpointSlices labelled kubernetes.io/service-name=<svc> and
// endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io, owned by the
// Service (so the garbage collector removes them with it).
//
// reconcile("ns/svc"):
//  1. Desired: every pod the service selects that has an IP (terminating ones included, with
//     conditions ready/serving/terminating), grouped by its resolved port list: pods whose
//     named targetPorts resolve differently land in different slices.
//  2. Each group fills slices of at most 100 endpoints, reusing the existing slices of that
//     port list (update only when different), creating the missing ones; leftovers go.
//  3. The slice cache lags our own writes: until it shows what we wrote (the tracker), the
//     service is looked at again shortly instead of acting on stale slices.

import type { KubeObject, SharedIndexInformer } from '@minik8s/shared';
import { isNotFound, isStatusError, splitMetaNamespaceKey } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import { deepEqual } from '../../util/equality.ts';
import { isPodReady } from '../../util/pod-util.ts';
import { newControllerRef } from '../../util/controller-ref.ts';
import { findPort, podIP, podTargetRef, serviceSelects, shouldPodBeInEndpoints, shouldSetHostname, type ServicePort } from '../../util/service-endpoints.ts';
import { rfc3339 } from '@minik8s/shared';
import { servicePodHandlers } from '../endpoint/service-pod-handlers.ts';
import { HEADLESS_SERVICE_LABEL, LAST_CHANGE_TRIGGER_TIME_ANNOTATION } from '../endpoint/endpoints-controller.ts';
import { SliceTracker } from './slice-tracker.ts';

export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'endpointslice-controller.k8s.io';
/** upstream --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  targetRef: ReturnType<typeof podTargetRef>;
  nodeName?: string;
}

export class EndpointSliceController extends Controller {
  private readonly services: SharedIndexInformer;
  private readonly pods: SharedIndexInformer;
  private readonly slices: SharedIndexInformer;
  private readonly tracker = new SliceTracker();

  constructor(ctx: ControllerContext) {
    super(ctx, { name: ENDPOINTSLICE_CONTROLLER, workers: ctx.options.concurrentServiceEndpointSyncs });
    this.services = ctx.informerFactory.informerFor('services');
    this.pods = ctx.informerFactory.informerFor('pods');
    this.slices = ctx.informerFactory.informerFor('endpointslices.discovery.k8s.io', { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` });
    const handlers = servicePodHandlers(this.services, (k) => this.enqueue(k));
    this.watch(this.services, handlers.service);
    this.watch(this.pods, handlers.pod);
    const bySlice = (slice: KubeObject) => {
      const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc) this.enqueue(`${slice.metadata.namespace}/${svc}`);
    };
    this.watch(this.slices, { onAdd: bySlice, onUpdate: (_o, cur) => bySlice(cur), onDelete: bySlice });
  }

  private slicesOf(namespace: string, service: string): KubeObject[] {
    return this.slices.list(namespace).filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === service);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const existing = this.slicesOf(namespace, name);
    if (!this.tracker.caughtUp(key, existing, this.clock.now())) return { requeueAfterMs: 100 };
    const svc = this.services.get(namespace, name);
    const selects = svc ? serviceSelects(svc) : undefined;
    if (!svc || !selects) {
      // No service (the garbage collector would remove them too) or no selector: none of ours.
      await Promise.all(existing.map((s) => this.deleteSlice(key, s)));
      return;
    }

    // 1. Desired endpoints by port list.
    const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
    const ports = (svc.spec?.ports ?? []) as ServicePort[];
    const groups = new Map<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }>();
    for (const pod of this.pods.list(namespace)) {
      if (!selects(pod.metadata.labels) || !shouldPodBeInEndpoints(pod, true)) continue;
      const slicePorts: SlicePort[] = [];
      for (const sp of ports) {
        const port = findPort(pod, sp);
        if (port === undefined) continue;
        const p: SlicePort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
        if (sp.appProtocol) p.appProtocol = sp.appProtocol;
        slicePorts.push(p);
      }
      const terminating = !!pod.metadata.deletionTimestamp;
      const serving = publishNotReady || isPodReady(pod);
      const ep: SliceEndpoint = {
        addresses: [podIP(pod)!],
        conditions: { ready: serving && !terminating, serving, terminating },
        targetRef: podTargetRef(pod),
      };
      if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname;
      if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
      const gk = portsKey(slicePorts);
      let g = groups.get(gk);
      if (!g) groups.set(gk, (g = { ports: slicePorts, endpoints: [] }));
      g.endpoints.push(ep);
    }
    // A service with ports but no endpoints still gets one (empty) slice, as upstream.
    if (groups.size === 0) groups.set(portsKey(placeholderPorts(ports)), { ports: placeholderPorts(ports), endpoints: [] });

    // 2. Fill slices group by group, reusing existing slices with the same ports.
    const unused = new Set(existing);
    const labels = sliceLabels(svc);
    for (const [gk, g] of groups) {
      g.endpoints.sort((a, b) => (a.targetRef.name < b.targetRef.name ? -1 : a.targetRef.name > b.targetRef.name ? 1 : 0));
      const candidates = existing.filter((s) => unused.has(s) && portsKey((s.ports ?? []) as SlicePort[]) === gk).sort(byName);
      const chunks: SliceEndpoint[][] = [];
      for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) chunks.push(g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE));
      if (chunks.length === 0) chunks.push([]);
      for (const chunk of chunks) {
        const reuse = candidates.shift();
        if (reuse) {
          unused.delete(reuse);
          await this.updateSlice(key, reuse, labels, g.ports, chunk);
        } else {
          await this.createSlice(key, svc, labels, g.ports, chunk);
        }
      }
    }
    await Promise.all([...unused].map((s) => this.deleteSlice(key, s)));
  }

  private async createSlice(key: string, svc: KubeObject, labels: Record<string, string>, ports: SlicePort[], endpoints: SliceEndpoint[]): Promise<void> {
    const slice: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: `${svc.metadata.name}-`,
        namespace: svc.metadata.namespace,
        labels,
        annotations: { [LAST_CHANGE_TRIGGER_TIME_ANNOTATION]: rfc3339(this.clock.now()) },
        ownerReferences: [newControllerRef(svc, 'v1', 'Service')],
      },
      addressType: 'IPv4',
      endpoints,
      ports,
    };
    try {
      const created = await this.ctx.client.create<KubeObject>('endpointslices.discovery.k8s.io', slice, { namespace: svc.metadata.namespace });
      this.tracker.wrote(key, created, this.clock.now());
    } catch (err) {
      if (isStatusError(err) && err.code === 403) return; // namespace terminating
      throw err;
    }
  }

  private async updateSlice(key: string, slice: KubeObject, labels: Record<string, string>, ports: SlicePort[], endpoints: SliceEndpoint[]): Promise<void> {
    const sameLabels = deepEqual(slice.metadata.labels ?? {}, labels);
    // Compare only what we set: server defaults must not make every sync write again.
    if (sameLabels && deepEqual(projectPorts((slice.ports ?? []) as SlicePort[]), projectPorts(ports)) && deepEqual(projectEndpoints((slice.endpoints ?? []) as SliceEndpoint[]), projectEndpoints(endpoints))) return;
    const next: KubeObject = {
      ...slice,
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { ...slice.metadata, labels, annotations: { ...(slice.metadata.annotations ?? {}), [LAST_CHANGE_TRIGGER_TIME_ANNOTATION]: rfc3339(this.clock.now()) } },
      endpoints,
      ports,
    };
    try {
      const updated = await this.ctx.client.update<KubeObject>('endpointslices.discovery.k8s.io', next);
      this.tracker.wrote(key, updated, this.clock.now());
    } catch (err) {
      // Deleted meanwhile (garbage collector, namespace teardown): its delete event brings us back.
      if (isNotFound(err) || (isStatusError(err) && err.code === 403)) return;
      throw err;
    }
  }

  private async deleteSlice(key: string, slice: KubeObject): Promise<void> {
    try {
      await this.ctx.client.delete('endpointslices.discovery.k8s.io', slice.metadata.name!, { namespace: slice.metadata.namespace, preconditions: { uid: slice.metadata.uid! } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.tracker.deleted(key, slice, this.clock.now());
  }
}

/** With no pods, the service's ports as they would be for a numeric targetPort (upstream keeps them). */
function placeholderPorts(ports: ServicePort[]): SlicePort[] {
  return ports
    .filter((sp) => typeof sp.targetPort !== 'string' || /^[0-9]+$/.test(sp.targetPort))
    .map((sp) => {
      const p: SlicePort = { name: sp.name ?? '', port: Number(sp.targetPort ?? sp.port), protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) p.appProtocol = sp.appProtocol;
      return p;
    });
}

function projectPorts(ports: SlicePort[]): unknown {
  return ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol }));
}

function projectEndpoints(eps: SliceEndpoint[]): unknown {
  return eps.map((e) => ({
    addresses: e.addresses,
    conditions: { ready: e.conditions?.ready, serving: e.conditions?.serving, terminating: e.conditions?.terminating },
    hostname: e.hostname,
    nodeName: e.nodeName,
    targetRef: e.targetRef && { kind: e.targetRef.kind, namespace: e.targetRef.namespace, name: e.targetRef.name, uid: e.targetRef.uid },
  }));
}

function portsKey(ports: SlicePort[]): string {
  return JSON.stringify(
    ports.map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
  );
}

function sliceLabels(svc: KubeObject): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries((svc.metadata.labels ?? {}) as Record<string, string>)) {
    if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL) labels[k] = v;
  }
  labels[SERVICE_NAME_LABEL] = svc.metadata.name!;
  labels[MANAGED_BY_LABEL] = MANAGED_BY_VALUE;
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_SERVICE_LABEL] = '';
  return labels;
}

function byName(a: KubeObject, b: KubeObject): number {
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}
