// The node's heartbeat Lease (component-helpers nodelease controller): `kube-node-lease/<node>`,
// holderIdentity = the node, leaseDurationSeconds = --node-lease-duration-seconds (40), renewed
// every quarter of it (10 s) by setting spec.renewTime. The node lifecycle controller reads
// renewTime to decide whether the node is alive.
//
// The Lease is owned by the Node (ownerReferences), so it goes when the Node is deleted. A
// failed renewal is retried with back-off from 200 ms up to 7 s, never longer than the renew
// interval; a conflict re-reads the Lease.

import type { Logger } from 'pino';
import { isConflict, isNotFound, realClock, type KubeObject, type RestClient } from '@minik8s/shared';
import { rfc3339Micro } from '../api/pod.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeLeaseOptions {
  client: Pick<RestClient, 'get' | 'create' | 'update'>;
  nodeName: string;
  leaseDurationSeconds: number;
  /** The Node, for the owner reference (the Lease is created without one until it is known). */
  node(): KubeObject | undefined;
  logger?: Logger;
  now?: () => number;
}

export class NodeLeaseController {
  readonly renewIntervalMs: number;
  private readonly opts: NodeLeaseOptions;
  private readonly now: () => number;
  private lease: KubeObject | undefined;

  constructor(opts: NodeLeaseOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.renewIntervalMs = opts.leaseDurationSeconds * 250;
  }

  /** The Lease as last written. */
  get current(): KubeObject | undefined {
    return this.lease;
  }

  private ownerReferences(): KubeObject['metadata']['ownerReferences'] {
    const node = this.opts.node();
    if (!node?.metadata.uid) return undefined;
    return [{ apiVersion: 'v1', kind: 'Node', name: this.opts.nodeName, uid: node.metadata.uid }];
  }

  /** Creates the Lease or renews it once; throws on failure. */
  async renew(): Promise<void> {
    const { client, nodeName } = this.opts;
    const renewTime = rfc3339Micro(this.now());
    if (!this.lease) {
      try {
        this.lease = await client.get('leases.coordination.k8s.io', nodeName, { namespace: NODE_LEASE_NAMESPACE });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const owners = this.ownerReferences();
        this.lease = await client.create('leases.coordination.k8s.io', {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: nodeName, namespace: NODE_LEASE_NAMESPACE, ...(owners ? { ownerReferences: owners } : {}) },
          spec: { holderIdentity: nodeName, leaseDurationSeconds: this.opts.leaseDurationSeconds, renewTime },
        });
        return;
      }
    }
    const next = structuredClone(this.lease!);
    next.spec = { ...next.spec, holderIdentity: nodeName, leaseDurationSeconds: this.opts.leaseDurationSeconds, renewTime };
    const owners = this.ownerReferences();
    if (owners && !(next.metadata.ownerReferences ?? []).some((o) => o.uid === owners[0].uid)) next.metadata.ownerReferences = owners;
    try {
      this.lease = await client.update('leases.coordination.k8s.io', next, { namespace: NODE_LEASE_NAMESPACE });
    } catch (err) {
      // Re-read on the next try: someone else wrote it, or it is gone.
      if (isConflict(err) || isNotFound(err)) this.lease = undefined;
      throw err;
    }
  }

  /** Renews every renewIntervalMs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let backoff = 200;
    while (!signal.aborted) {
      let wait = this.renewIntervalMs;
      try {
        await this.renew();
        backoff = 200;
      } catch (err) {
        this.opts.logger?.warn({ err: (err as Error).message }, 'failed to update lease, will retry');
        wait = Math.min(backoff, this.renewIntervalMs);
        backoff = Math.min(backoff * 2, 7_000);
      }
      if (!(await realClock.sleep(wait, signal))) return;
    }
  }
}
