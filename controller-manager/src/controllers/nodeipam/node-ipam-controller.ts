// The node IPAM controller with the range allocator (upstream pkg/controller/nodeipam):
// every node gets spec.podCIDR (and spec.podCIDRs) from --cluster-cidr, one subnet of
// --node-cidr-mask-size each ("node注册成功以后，分配一个CIDR给node"). A node that already has one
// keeps it (and it is marked used); a deleted node's subnet is free again.
//
// The allocator's state is rebuilt from the node cache before the first allocation, so a
// restarted (or newly elected) controller manager never hands out a subnet twice.

import type { KubeObject, SharedIndexInformer } from '@minik8s/shared';
import { isNotFound } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import type { EventRecorder } from '@minik8s/shared';
import { objectReference } from '@minik8s/shared';
import { CidrSet, parseCidr } from '../../util/cidr.ts';

export const NODE_IPAM_CONTROLLER = 'node-ipam-controller';
const EVENT_SOURCE = 'cidrAllocator';

export class NodeIpamController extends Controller {
  private readonly nodes: SharedIndexInformer;
  private readonly cidrs: CidrSet;
  private readonly recorder: EventRecorder;
  /** node name -> the subnet we hold for it (allocated, or occupied from its spec). */
  private readonly held = new Map<string, string>();

  constructor(ctx: ControllerContext) {
    // One worker: allocations are serialized, as upstream's allocator does under a lock.
    super(ctx, { name: NODE_IPAM_CONTROLLER, workers: 1 });
    this.cidrs = new CidrSet(parseCidr(ctx.options.clusterCidr), ctx.options.nodeCidrMaskSize);
    this.recorder = ctx.eventRecorder(EVENT_SOURCE);
    this.nodes = ctx.informerFactory.informerFor('nodes');
    this.watch(this.nodes, {
      onAdd: (n) => this.enqueue(n.metadata.name!),
      onUpdate: (o, n) => {
        if (o.spec?.podCIDR !== n.spec?.podCIDR) this.enqueue(n.metadata.name!);
      },
      onDelete: (n) => this.enqueue(n.metadata.name!),
    });
  }

  protected override async onStart(): Promise<void> {
    // Occupy what nodes already have before any allocation.
    for (const n of this.nodes.list()) this.occupy(n);
  }

  private occupy(node: KubeObject): void {
    const cidr: string | undefined = node.spec?.podCIDR;
    if (!cidr || this.held.get(node.metadata.name!) === cidr) return;
    if (this.cidrs.occupy(cidr)) this.held.set(node.metadata.name!, cidr);
    else this.logger.warn({ node: node.metadata.name, podCIDR: cidr }, 'node CIDR is outside the cluster CIDR');
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.nodes.get('', name);
    if (!node) {
      const cidr = this.held.get(name);
      if (cidr) {
        this.cidrs.release(cidr);
        this.held.delete(name);
        this.logger.info({ node: name, podCIDR: cidr }, 'released node CIDR');
      }
      return;
    }
    if (node.spec?.podCIDR) {
      this.occupy(node);
      return;
    }
    let cidr = this.held.get(name);
    if (!cidr) {
      cidr = this.cidrs.allocateNext();
      if (!cidr) {
        this.recorder.event(objectReference('Node', node), 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        return { requeueAfterMs: 30_000 };
      }
      this.held.set(name, cidr);
    }
    try {
      await this.ctx.client.patch('nodes', name, { metadata: { uid: node.metadata.uid }, spec: { podCIDR: cidr, podCIDRs: [cidr] } }, { type: 'merge' });
      this.logger.info({ node: name, podCIDR: cidr }, 'allocated node CIDR');
    } catch (err) {
      if (isNotFound(err)) {
        this.cidrs.release(cidr);
        this.held.delete(name);
        return;
      }
      this.recorder.event(objectReference('Node', node), 'Warning', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`);
      throw err; // keep holding the subnet for the retry
    }
  }
}
