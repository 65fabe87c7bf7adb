// The `kubernetes` Service's endpoints (upstream's reconcilers.EndpointsAdapter driven by an
// EndpointReconciler): Endpoints `default/kubernetes` and EndpointSlice `default/kubernetes`,
// both listing this apiserver's advertise address and secure port, written through the
// registry as any client would.
//
// Contract:
// - reconcile() makes both objects say exactly { advertise address : secure port } and writes
//   only when what is stored differs (addresses, ports or labels), so a steady state costs two
//   reads a pass.
// - Labels are upstream's: the Endpoints carry endpointslice.kubernetes.io/skip-mirror=true
//   (no mirroring controller copies them), the slice kubernetes.io/service-name=kubernetes and
//   no managed-by label, so the EndpointSlice controller leaves it alone.
// - Several apiservers on one etcd: upstream's lease reconciler keeps one TTL key per
//   apiserver and lists them all. We do not: each apiserver writes its own address, so
//   apiservers advertising different addresses take turns (the last pass wins); those
//   advertising the same one agree (upstream's master-count reconciler with
//   --apiserver-count=1 behaves alike). A write that loses a race (AlreadyExists on create,
//   Conflict on update) is not an error: the other writer's object stands until the next pass.
// - Nothing is removed on shutdown (upstream's lease reconciler drops the stopping apiserver's
//   address): the address stays until another apiserver writes its own.

import { isAlreadyExists, isConflict, isNotFound, type KubeObject } from '@minik8s/shared';
import type { GenericStore } from '../registry/generic-store.ts';
import type { Registry } from '../registry/registry.ts';
import { deepEqual } from '../validation/index.ts';

export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface ApiserverEndpoint {
  /** The advertise address (IPv4, not loopback: see advertise-address.ts). */
  ip: string;
  /** The secure port as bound. */
  port: number;
}

export interface EndpointReconcilerOptions {
  registry: Registry;
  namespace: string;
  serviceName: string;
  /** The service port's name, which the endpoint ports carry too (`https`). */
  portName: string;
  /** The field manager of every write (upstream's loopback client: `kube-apiserver`). */
  manager: string;
}

type Obj = Record<string, any>;

export class EndpointReconciler {
  private readonly endpoints: GenericStore;
  private readonly slices: GenericStore;
  private readonly opts: EndpointReconcilerOptions;

  constructor(opts: EndpointReconcilerOptions) {
    this.opts = opts;
    this.endpoints = opts.registry.store({ group: '', resource: 'endpoints' })!;
    this.slices = opts.registry.store({ group: 'discovery.k8s.io', resource: 'endpointslices' })!;
  }

  /** One pass over both objects; resolves with what it wrote. Throws only on outages and bugs. */
  async reconcile(ep: ApiserverEndpoint): Promise<{ endpoints: Write; endpointSlice: Write }> {
    const endpoints = await this.ensure(this.endpoints, this.desiredEndpoints(ep), (cur, want) => deepEqual(cur.subsets, want.subsets));
    const endpointSlice = await this.ensure(
      this.slices,
      this.desiredSlice(ep),
      (cur, want) => cur.addressType === want.addressType && deepEqual(cur.endpoints, want.endpoints) && deepEqual(cur.ports, want.ports),
    );
    return { endpoints, endpointSlice };
  }

  private desiredEndpoints(ep: ApiserverEndpoint): KubeObject {
    const { namespace, serviceName: name, portName } = this.opts;
    return {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace, labels: { [SKIP_MIRROR_LABEL]: 'true' } },
      subsets: [{ addresses: [{ ip: ep.ip }], ports: [{ name: portName, port: ep.port, protocol: 'TCP' }] }],
    };
  }

  private desiredSlice(ep: ApiserverEndpoint): KubeObject {
    const { namespace, serviceName: name, portName } = this.opts;
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, namespace, labels: { [SERVICE_NAME_LABEL]: name } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [ep.ip], conditions: { ready: true } }],
      ports: [{ name: portName, port: ep.port, protocol: 'TCP' }],
    };
  }

  /**
   * Creates `want`, or updates the stored object to it when `same` says the content differs or
   * the labels are not exactly `want`'s (upstream resets both).
   */
  private async ensure(store: GenericStore, want: KubeObject, same: (cur: Obj, want: Obj) => boolean): Promise<Write> {
    const { namespace, serviceName: name, manager } = this.opts;
    const current = await store.get(namespace, name).catch((e) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
    if (!current) {
      try {
        await store.create(namespace, structuredClone(want), { manager });
        return 'created';
      } catch (e) {
        if (isAlreadyExists(e)) return 'lost-race'; // another apiserver created it meanwhile
        throw e;
      }
    }
    if (same(current, want) && deepEqual(current.metadata.labels ?? {}, want.metadata.labels)) return 'unchanged';
    try {
      await store.update(
        namespace,
        name,
        () => {
          // Everything but metadata comes from `want`; the stored metadata is kept (its
          // resourceVersion makes a concurrent change a Conflict rather than overwritten).
          const { metadata: _m, ...body } = want;
          return { ...structuredClone(body), metadata: { ...current.metadata, labels: { ...want.metadata.labels } } } as KubeObject;
        },
        { manager },
      );
      return 'updated';
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) return 'lost-race'; // changed or deleted meanwhile: the next pass looks again
      throw e;
    }
  }
}

export type Write = 'created' | 'updated' | 'unchanged' | 'lost-race';
