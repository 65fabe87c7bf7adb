// The `kubernetes` Service controller (upstream pkg/controlplane/controller/kubernetesservice):
// the apiserver itself keeps Service `default/kubernetes`, through which pods reach the API at
// the first address of --service-cluster-ip-range, port 443, and its endpoints.
//
// One pass (sync), at start-up and then every interval (upstream: 10 s):
//  1. Service `default/kubernetes`: created when missing (a user may delete it; it comes back on
//     the next pass), with clusterIP = the first address of the range, which the IP allocator
//     never hands out to anyone else (allocators/service-allocators.ts reserves it); its type and
//     port (https 443/TCP -> the secure port) are reset when changed. Nothing else is looked at:
//     labels, selector and the rest are the user's to break, as upstream.
//  2. Its Endpoints and EndpointSlice (endpoint-reconciler.ts): the advertise address and the
//     secure port, when the secure port is served and the address can be held by Endpoints.
//     Otherwise they are left as they are, and why is logged (once, until the reason changes).
//
// Every write goes through the registry (strategy, validation, admission, allocation), exactly
// the path of a client's create or update, never to etcd directly.
//
// Several apiservers on one etcd all run this, uncoordinated: upstream's lease reconciler is not
// built (see endpoint-reconciler.ts for the endpoints). For the Service that costs nothing, as
// all want the same object. A write that loses a race to another apiserver is not an error: a
// create answered AlreadyExists (or 422 for 10.96.0.1 taken by the other's create a moment
// earlier), an update answered Conflict (the object changed since this pass read it) ends the
// pass's work on that object, and the next pass re-reads what the other wrote.
//
// Upstream resets the Service's ports and type only on a path it no longer runs
// (`reconcile` is false since 1.17); here every pass repairs them, so a Service whose port a
// user changed is back within one interval.

import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound, isStatusError, type KubeObject } from '@minik8s/shared';
import type { GenericStore } from '../registry/generic-store.ts';
import type { Registry } from '../registry/registry.ts';
import { EndpointReconciler, type Write } from './endpoint-reconciler.ts';
import { deepEqual } from '../validation/index.ts';
import { unusableAdvertiseAddress } from './advertise-address.ts';

export const KUBERNETES_SERVICE_NAME = 'kubernetes';
export const KUBERNETES_SERVICE_NAMESPACE = 'default';
/** Upstream's DefaultEndpointReconcilerInterval. */
export const DEFAULT_KUBERNETES_SERVICE_INTERVAL_MS = 10_000;
/** The Service's port (upstream: 443, not configurable). */
export const KUBERNETES_SERVICE_PORT = 443;
/** --secure-port's default: the targetPort while no secure port is served. */
export const DEFAULT_SECURE_PORT = 6443;
const PORT_NAME = 'https';
/** The field manager of the writes, as upstream's loopback client (user agent kube-apiserver/...). */
const MANAGER = 'kube-apiserver';

export interface KubernetesServiceControllerOptions {
  registry: Registry;
  /** The first address of --service-cluster-ip-range. */
  serviceIP: string;
  logger: Logger;
  intervalMs?: number;
}

/** Where the secure port is served, once it is. */
export interface SecureServing {
  port: number;
  /** --advertise-address, or its default; undefined when none could be found. */
  advertiseAddress: string | undefined;
  /** How the address was chosen, for the log line when it cannot be used. */
  advertiseSource: string;
}

type Obj = Record<string, any>;

export class KubernetesServiceController {
  private readonly services: GenericStore;
  private readonly endpoints: EndpointReconciler;
  private readonly serviceIP: string;
  private readonly intervalMs: number;
  private readonly log: Logger;
  private secure: SecureServing | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  /** The pass running now: passes never overlap (a pass asked for meanwhile runs after it). */
  private running: Promise<void> | undefined;
  private again = false;
  /** The last create found the Service's IP allocated (see ensureService). */
  private ipTakenLastPass = false;
  /** The last reason the endpoints were skipped: logged when it changes, so once. */
  private skipped: string | undefined;

  constructor(opts: KubernetesServiceControllerOptions) {
    this.services = opts.registry.store({ group: '', resource: 'services' })!;
    this.endpoints = new EndpointReconciler({
      registry: opts.registry,
      namespace: KUBERNETES_SERVICE_NAMESPACE,
      serviceName: KUBERNETES_SERVICE_NAME,
      portName: PORT_NAME,
      manager: MANAGER,
    });
    this.serviceIP = opts.serviceIP;
    this.intervalMs = opts.intervalMs ?? DEFAULT_KUBERNETES_SERVICE_INTERVAL_MS;
    this.log = opts.logger;
  }

  /**
   * The secure port is served (or no longer: undefined): the Service's targetPort and the
   * endpoints follow from the next pass, which runs now when the controller is started.
   */
  setSecureServing(secure: SecureServing | undefined): void {
    this.secure = secure;
    if (this.started && !this.stopped) void this.syncLogged();
  }

  /** Runs a pass now and then every interval, until stop(). Resolves after that first pass (whatever its outcome: errors are logged). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.syncLogged();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One pass (see the file comment); passes never overlap. Rejects with the first failure. */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async () => {
      try {
        do {
          this.again = false;
          await this.ensureService();
          await this.ensureEndpoints();
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    };
    this.running = run();
    return this.running;
  }

  private async syncLogged(): Promise<void> {
    try {
      await this.sync();
    } catch (err) {
      // A pass cut short by stop() (storage closed under it) is no news.
      if (!this.stopped) this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'unable to sync the kubernetes service');
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.syncLogged().then(() => this.schedule()), this.intervalMs);
    this.timer.unref();
  }

  private targetPort(): number {
    return this.secure?.port ?? DEFAULT_SECURE_PORT;
  }

  private desiredPorts(): Obj[] {
    return [{ name: PORT_NAME, port: KUBERNETES_SERVICE_PORT, protocol: 'TCP', targetPort: this.targetPort() }];
  }

  /** Step 1: create the Service, or reset its type and ports. */
  async ensureService(): Promise<Write> {
    const ns = KUBERNETES_SERVICE_NAMESPACE;
    const name = KUBERNETES_SERVICE_NAME;
    const current = await this.services.get(ns, name).catch((e) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
    if (!current) {
      const svc: KubeObject = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns, labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: {
          type: 'ClusterIP',
          // Maintained by this controller, not by a pod selector.
          clusterIP: this.serviceIP,
          ipFamilyPolicy: 'SingleStack',
          sessionAffinity: 'None',
          ports: this.desiredPorts(),
        },
      };
      try {
        await this.services.create(ns, svc, { manager: MANAGER });
        this.ipTakenLastPass = false;
        this.log.info({ clusterIP: this.serviceIP, targetPort: this.targetPort() }, 'created the kubernetes service');
        return 'created';
      } catch (e) {
        // Another apiserver was first: its create made ours AlreadyExists, or took 10.96.0.1
        // before ours could (422: already allocated) and may still be writing the Service. The
        // next pass checks what it wrote. The IP taken and still no Service a pass later is no
        // race: that error is reported.
        if (isAlreadyExists(e)) return 'lost-race';
        if (ipAlreadyAllocated(e) && !this.ipTakenLastPass) {
          this.ipTakenLastPass = true;
          return 'lost-race';
        }
        throw e;
      }
    }
    this.ipTakenLastPass = false;
    if (current.spec?.type === 'ClusterIP' && samePorts(current.spec?.ports, this.desiredPorts())) return 'unchanged';
    this.log.warn({ type: current.spec?.type, ports: current.spec?.ports }, 'resetting the type and ports of the kubernetes service');
    try {
      await this.services.update(
        ns,
        name,
        () => {
          // The stored resourceVersion stays: a change made since it was read is a Conflict.
          const next = structuredClone(current);
          next.spec.type = 'ClusterIP';
          next.spec.ports = this.desiredPorts();
          return next;
        },
        { manager: MANAGER },
      );
      return 'updated';
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) return 'lost-race';
      throw e;
    }
  }

  /** Step 2: the endpoints, when there is something valid to advertise. */
  async ensureEndpoints(): Promise<void> {
    const why = this.endpointsSkippedBecause();
    if (why !== this.skipped) {
      this.skipped = why;
      if (why) this.log.info(`not writing the kubernetes endpoints: ${why}`);
    }
    if (why || !this.secure?.advertiseAddress) return;
    const { endpoints, endpointSlice } = await this.endpoints.reconcile({ ip: this.secure.advertiseAddress, port: this.secure.port });
    if (endpoints === 'created' || endpoints === 'updated' || endpointSlice === 'created' || endpointSlice === 'updated') {
      this.log.info({ address: this.secure.advertiseAddress, port: this.secure.port, endpoints, endpointSlice }, 'kubernetes endpoints written');
    }
  }

  private endpointsSkippedBecause(): string | undefined {
    if (!this.secure) return 'no secure port is served (--secure-port=-1)';
    const ip = this.secure.advertiseAddress;
    if (ip === undefined) return `no advertise address: ${this.secure.advertiseSource}; set --advertise-address`;
    const bad = unusableAdvertiseAddress(ip);
    return bad ? `the advertise address ${ip} (${this.secure.advertiseSource}) cannot be used: ${bad}` : undefined;
  }
}

/** The create's 422 for a cluster IP held already (allocators/service-allocators.ts). */
function ipAlreadyAllocated(e: unknown): boolean {
  return isStatusError(e) && e.reason === 'Invalid' && /provided IP is already allocated/.test(e.message);
}

/** Upstream's checkServiceFormat on ports: the same ports, field for field, in order. */
function samePorts(stored: unknown, want: Obj[]): boolean {
  if (!Array.isArray(stored) || stored.length !== want.length) return false;
  const fields = ['name', 'protocol', 'appProtocol', 'port', 'targetPort', 'nodePort'];
  return want.every((w, i) => fields.every((f) => deepEqual((stored[i] as Obj | undefined)?.[f], w[f])));
}
