// The Endpoints controller (upstream pkg/controller/endpoint): for each Service with a
// selector, an Endpoints object of the same name listing the matching pods' IPs, ready ones
// in `addresses` and the others in `notReadyAddresses`, per port (a named targetPort resolved
// in each pod). Services without a selector keep hand-made Endpoints; a deleted Service
// loses its Endpoints.

import type { KubeObject, SharedIndexInformer } from '@minik8s/shared';
import { isAlreadyExists, isConflict, isNotFound, isStatusError, splitMetaNamespaceKey } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import { deepEqual } from '../../util/equality.ts';
import { isPodReady } from '../../util/pod-util.ts';
import {
  findPort,
  podIP,
  podTargetRef,
  serviceSelects,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  type ServicePort,
} from '../../util/service-endpoints.ts';
import { rfc3339 } from '@minik8s/shared';
import { servicePodHandlers } from './service-pod-handlers.ts';
import { repackSubsets, type EndpointAddress, type EndpointPort, type EndpointSubset } from './repack-subsets.ts';

export const ENDPOINTS_CONTROLLER = 'endpoints-controller';
export const HEADLESS_SERVICE_LABEL = 'service.kubernetes.io/headless';
export const LAST_CHANGE_TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

export class EndpointsController extends Controller {
  private readonly services: SharedIndexInformer;
  private readonly pods: SharedIndexInformer;
  private readonly endpoints: SharedIndexInformer;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: ENDPOINTS_CONTROLLER, workers: ctx.options.concurrentEndpointSyncs });
    this.services = ctx.informerFactory.informerFor('services');
    this.pods = ctx.informerFactory.informerFor('pods');
    this.endpoints = ctx.informerFactory.informerFor('endpoints');
    const handlers = servicePodHandlers(this.services, (k) => this.enqueue(k));
    this.watch(this.services, handlers.service);
    this.watch(this.pods, handlers.pod);
    // Someone else changed or deleted our Endpoints: put them back.
    this.watch(this.endpoints, {
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) this.enqueueIfService(cur);
      },
      onDelete: (ep) => this.enqueueIfService(ep),
    });
  }

  private enqueueIfService(ep: KubeObject): void {
    if (this.services.get(ep.metadata.namespace!, ep.metadata.name!)) this.enqueue(ep);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const svc = this.services.get(namespace, name);
    if (!svc) {
      // The service is gone; its Endpoints go too (the garbage collector cannot: no owner ref).
      try {
        await this.ctx.client.delete('endpoints', name, { namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    const selects = serviceSelects(svc);
    if (!selects) return;

    const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
    const ports = (svc.spec?.ports ?? []) as ServicePort[];
    const headless = svc.spec?.clusterIP === 'None';
    const raw: EndpointSubset[] = [];
    for (const pod of this.pods.list(namespace)) {
      if (!selects(pod.metadata.labels)) continue;
      if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
      const addr: EndpointAddress = { ip: podIP(pod)!, targetRef: podTargetRef(pod) };
      if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
      if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec.hostname;
      const ready = publishNotReady || isPodReady(pod);
      const place = (epPorts: EndpointPort[] | undefined) => {
        const subset: EndpointSubset = ready ? { addresses: [addr] } : { notReadyAddresses: [addr] };
        if (epPorts) subset.ports = epPorts;
        raw.push(subset);
      };
      if (ports.length === 0) {
        if (headless) place(undefined); // a headless service may have no ports
        continue;
      }
      for (const sp of ports) {
        const port = findPort(pod, sp);
        if (port === undefined) continue;
        const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
        if (sp.name) ep.name = sp.name;
        if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
        place([ep]);
      }
    }
    const subsets = repackSubsets(raw);

    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (headless) labels[HEADLESS_SERVICE_LABEL] = '';
    else delete labels[HEADLESS_SERVICE_LABEL];

    const current = this.endpoints.get(namespace, name);
    if (current && deepEqual(projectSubsets((current.subsets ?? []) as EndpointSubset[]), projectSubsets(subsets)) && deepEqual(current.metadata.labels ?? {}, labels)) return;

    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}), [LAST_CHANGE_TRIGGER_TIME_ANNOTATION]: rfc3339(this.clock.now()) };
    const ep: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: current
        ? { ...current.metadata, labels, annotations }
        : { name, namespace, labels, annotations },
      subsets,
    };
    try {
      if (current) await this.ctx.client.update('endpoints', ep);
      else await this.ctx.client.create('endpoints', ep, { namespace });
    } catch (err) {
      // A terminating namespace refuses new content (a PUT of a deleted object is a create).
      if (isStatusError(err) && err.code === 403) return;
      // Our cache was behind (created, changed or deleted meanwhile): its event brings us back.
      if (isAlreadyExists(err) || isConflict(err) || isNotFound(err)) return { requeue: true };
      throw err;
    }
  }
}

/** The fields this controller sets, so server defaults never make an unchanged service write. */
function projectSubsets(subsets: EndpointSubset[]): unknown {
  const addr = (a: EndpointAddress) => ({
    ip: a.ip,
    hostname: a.hostname,
    nodeName: a.nodeName,
    targetRef: a.targetRef && { kind: a.targetRef.kind, namespace: a.targetRef.namespace, name: a.targetRef.name, uid: a.targetRef.uid },
  });
  return subsets.map((s) => ({
    addresses: (s.addresses ?? []).map(addr),
    notReadyAddresses: (s.notReadyAddresses ?? []).map(addr),
    ports: (s.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol })),
  }));
}
