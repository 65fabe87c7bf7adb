// The node lifecycle controller (upstream pkg/controller/nodelifecycle), taint-based:
//
// Every --node-monitor-period (monitorNodeHealth):
//  1. For each node: heard from it within --node-monitor-grace-period (a Lease renewal in
//     kube-node-lease or a new Ready heartbeat; --node-startup-grace-period for a node that
//     never posted)? If not, its Ready (and pressure) conditions become Unknown,
//     "Kubelet stopped posting node status.".
//  2. Ready False -> queue taint node.kubernetes.io/not-ready:NoExecute; Unknown -> queue
//     node.kubernetes.io/unreachable:NoExecute (or swap one for the other); True -> remove both.
//     Queued taints are applied per zone at --node-eviction-rate nodes per second; the
//     taint eviction controller then evicts the node's pods as their tolerations allow.
//  3. A node that stopped being Ready: event NodeNotReady; its pods' Ready condition -> False.
//  4. Zones: all nodes of every zone not Ready means the control plane is more likely cut off
//     than the nodes dead, so NoExecute taints are removed and tainting stops; a zone with
//     many (> 2, >= --unhealthy-zone-threshold) not Ready nodes taints at the secondary rate
//     (0 for small clusters).
// Keys of its queue are node names: NoSchedule taints follow node conditions and
// spec.unschedulable (TaintNodesByCondition), so the scheduler keeps off unfit nodes.

import type { KubeObject, SharedIndexInformer } from '@minik8s/shared';
import { NODE_NAME_INDEX, isConflict, isNotFound, nodeNameIndexFunc } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import type { EventRecorder } from '@minik8s/shared';
import { objectReference, rfc3339 } from '@minik8s/shared';
import {
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
  sameTaint,
  type Taint,
} from '../../util/taints.ts';
import { isPodReady } from '../../util/pod-util.ts';
import { getNodeCondition, observeNodeHealth, silencedConditions, type NodeCondition, type NodeHealth } from './node-health.ts';
import { hasTaint, swapNodeTaints } from './node-taints.ts';
import { RateLimitedTimedQueue } from './rate-limited-timed-queue.ts';

export const NODE_LIFECYCLE_CONTROLLER = 'node-lifecycle-controller';
/** Events say source.component "node-controller", as upstream's. */
const EVENT_SOURCE = 'node-controller';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** upstream NodeEvictionPeriod: how often queued NoExecute taints are tried. */
const TAINTING_PERIOD_MS = 100;

export const UNREACHABLE_TAINT: Taint = { key: TAINT_NODE_UNREACHABLE, effect: 'NoExecute' };
export const NOT_READY_TAINT: Taint = { key: TAINT_NODE_NOT_READY, effect: 'NoExecute' };

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption' | 'Initial';

/** Which NoSchedule taint each condition status means (upstream nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NODE_NOT_READY, Unknown: TAINT_NODE_UNREACHABLE },
  MemoryPressure: { True: TAINT_NODE_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_NODE_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NODE_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_NODE_PID_PRESSURE },
};
const NO_SCHEDULE_KEYS = new Set([...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)), TAINT_NODE_UNSCHEDULABLE]);

/** upstream GetZoneKey: region and zone labels; "" when the node has neither. */
export function zoneKey(node: KubeObject): string {
  const l = node.metadata.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

export class NodeLifecycleController extends Controller {
  private readonly nodes: SharedIndexInformer;
  private readonly leases: SharedIndexInformer;
  private readonly pods: SharedIndexInformer;
  private readonly recorder: EventRecorder;
  private readonly health = new Map<string, NodeHealth>();
  private readonly known = new Set<string>();
  private readonly tainters = new Map<string, RateLimitedTimedQueue>();
  private zoneStates = new Map<string, ZoneState>();
  private loops: Promise<void>[] = [];

  constructor(ctx: ControllerContext) {
    super(ctx, { name: NODE_LIFECYCLE_CONTROLLER, workers: 1 });
    this.recorder = ctx.eventRecorder(EVENT_SOURCE);
    this.nodes = ctx.informerFactory.informerFor('nodes');
    this.leases = this.uses(ctx.informerFactory.informerFor('leases.coordination.k8s.io', { namespace: NODE_LEASE_NAMESPACE }));
    this.pods = this.uses(ctx.informerFactory.informerFor('pods', { indexers: { [NODE_NAME_INDEX]: nodeNameIndexFunc } }));
    this.watch(this.nodes, {
      onAdd: (n) => this.enqueue(n.metadata.name!),
      onUpdate: (_o, n) => this.enqueue(n.metadata.name!),
    });
  }

  override async run(signal: AbortSignal): Promise<void> {
    await super.run(signal);
    await Promise.all(this.loops);
  }

  protected override async onStart(signal: AbortSignal): Promise<void> {
    this.loops.push(this.every(this.ctx.options.nodeMonitorPeriod, signal, () => this.monitorNodeHealth()));
    this.loops.push(this.every(TAINTING_PERIOD_MS, signal, () => this.doNoExecuteTaintingPass()));
  }

  private async every(periodMs: number, signal: AbortSignal, fn: () => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      try {
        await fn();
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'node lifecycle pass failed');
      }
      if (!(await this.clock.sleep(periodMs, signal))) return;
    }
  }

  private event(node: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event(objectReference('Node', node), type, reason, message);
  }

  // ---- NoSchedule taints from conditions (the queue) -------------------------------------

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.nodes.get('', name);
    if (!node) return;
    const want: Taint[] = [];
    for (const c of (node.status?.conditions ?? []) as NodeCondition[]) {
      const key = CONDITION_TAINTS[c.type]?.[c.status];
      if (key) want.push({ key, effect: 'NoSchedule' });
    }
    if (node.spec?.unschedulable) want.push({ key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
    const have = ((node.spec?.taints ?? []) as Taint[]).filter((t) => t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key));
    const add = want.filter((w) => !have.some((h) => sameTaint(h, w)));
    const remove = have.filter((h) => !want.some((w) => sameTaint(w, h)));
    if (add.length === 0 && remove.length === 0) return;
    await swapNodeTaints(this.ctx.client, name, add, remove, this.clock.now());
  }

  // ---- health monitoring (periodic) ------------------------------------------------------

  private tainter(zone: string): RateLimitedTimedQueue {
    let q = this.tainters.get(zone);
    if (!q) {
      q = new RateLimitedTimedQueue(this.ctx.options.nodeEvictionRate, this.clock);
      this.tainters.set(zone, q);
      this.zoneStates.set(zone, 'Initial');
    }
    return q;
  }

  private async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.list();
    const names = new Set(nodes.map((n) => n.metadata.name!));
    for (const n of nodes) {
      if (this.known.has(n.metadata.name!)) continue;
      this.known.add(n.metadata.name!);
      this.tainter(zoneKey(n));
      this.event(n, 'Normal', 'RegisteredNode', `Node ${n.metadata.name} event: Registered Node ${n.metadata.name} in Controller`);
    }
    for (const name of [...this.known]) {
      if (names.has(name)) continue;
      this.known.delete(name);
      this.health.delete(name);
      for (const q of this.tainters.values()) q.remove(name);
      this.event({ metadata: { name } }, 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
    }

    const zoneConditions = new Map<string, (NodeCondition | undefined)[]>();
    for (const cached of nodes) {
      let node = cached;
      let observed: NodeCondition | undefined;
      let current: NodeCondition | undefined;
      try {
        ({ node, observed, current } = await this.tryUpdateNodeHealth(cached));
      } catch (err) {
        this.logger.warn({ node: cached.metadata.name, err: (err as Error).message }, 'updating node health failed');
        continue;
      }
      const zone = zoneKey(node);
      if (!zoneConditions.has(zone)) zoneConditions.set(zone, []);
      zoneConditions.get(zone)!.push(current);
      if (!current) continue;
      if (current.status !== 'True' && observed?.status === 'True') {
        this.event(node, 'Normal', 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`);
      }
      // One node's failure must not stop the pass for the others: the next pass retries it.
      try {
        await this.processTaintBasedEviction(node, current);
        if (current.status !== 'True') await this.markPodsNotReady(node);
      } catch (err) {
        this.logger.warn({ node: node.metadata.name, err: (err as Error).message }, 'node health actions failed');
      }
    }
    await this.handleDisruption(zoneConditions, nodes);
  }

  /** Step 1; resolves the Ready condition before (observed) and after (current) this pass. */
  private async tryUpdateNodeHealth(node: KubeObject): Promise<{ node: KubeObject; observed: NodeCondition | undefined; current: NodeCondition | undefined }> {
    const name = node.metadata.name!;
    const now = this.clock.now();
    const lease = this.leases.get(NODE_LEASE_NAMESPACE, name);
    const h = observeNodeHealth(this.health.get(name), node, lease, now);
    this.health.set(name, h);
    const observed = getNodeCondition(node, 'Ready');
    const grace = observed ? this.ctx.options.nodeMonitorGracePeriod : this.ctx.options.nodeStartupGracePeriod;
    if (now <= h.probeTimestamp + grace) return { node, observed, current: observed };

    // Silent past the grace period: its conditions become Unknown.
    for (let attempt = 0; ; attempt++) {
      const conditions = silencedConditions(node, rfc3339(now));
      if (!conditions) return { node, observed, current: getNodeCondition(node, 'Ready') };
      try {
        const updated = await this.ctx.client.updateStatus<KubeObject>('nodes', { ...node, status: { ...(node.status ?? {}), conditions } });
        this.logger.info({ node: name, silentForMs: now - h.probeTimestamp }, 'node stopped posting status, its conditions are now Unknown');
        this.health.set(name, { ...h, readyCondition: getNodeCondition(updated, 'Ready'), readyTransitionTimestamp: now });
        return { node: updated, observed, current: getNodeCondition(updated, 'Ready') };
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
        node = await this.ctx.client.get('nodes', name);
        // It may have just posted: look again next pass.
        if (getNodeCondition(node, 'Ready')?.lastHeartbeatTime !== h.readyCondition?.lastHeartbeatTime) return { node, observed, current: getNodeCondition(node, 'Ready') };
      }
    }
  }

  /** Step 2 (upstream processTaintBaseEviction). */
  private async processTaintBasedEviction(node: KubeObject, ready: NodeCondition): Promise<void> {
    const name = node.metadata.name!;
    const q = this.tainter(zoneKey(node));
    const now = this.clock.now();
    switch (ready.status) {
      case 'False':
        if (hasTaint(node, UNREACHABLE_TAINT)) await swapNodeTaints(this.ctx.client, name, [NOT_READY_TAINT], [UNREACHABLE_TAINT], now);
        else if (!hasTaint(node, NOT_READY_TAINT)) q.add(name, node.metadata.uid!);
        break;
      case 'Unknown':
        if (hasTaint(node, NOT_READY_TAINT)) await swapNodeTaints(this.ctx.client, name, [UNREACHABLE_TAINT], [NOT_READY_TAINT], now);
        else if (!hasTaint(node, UNREACHABLE_TAINT)) q.add(name, node.metadata.uid!);
        break;
      case 'True':
        q.remove(name);
        await this.markNodeAsReachable(node);
        break;
    }
  }

  private async markNodeAsReachable(node: KubeObject): Promise<void> {
    if (!hasTaint(node, UNREACHABLE_TAINT) && !hasTaint(node, NOT_READY_TAINT)) return;
    await swapNodeTaints(this.ctx.client, node.metadata.name!, [], [UNREACHABLE_TAINT, NOT_READY_TAINT], this.clock.now());
  }

  /** Applies queued NoExecute taints, per zone, at the zone's rate (upstream doNoExecuteTaintingPass). */
  private async doNoExecuteTaintingPass(): Promise<void> {
    for (const q of this.tainters.values()) {
      await q.try(async (v) => {
        const node = this.nodes.get('', v.value);
        if (!node || node.metadata.uid !== v.uid) return { ok: true };
        const ready = getNodeCondition(node, 'Ready');
        let add: Taint;
        let opposite: Taint;
        if (ready?.status === 'False') [add, opposite] = [NOT_READY_TAINT, UNREACHABLE_TAINT];
        else if (ready?.status === 'Unknown' || !ready) [add, opposite] = [UNREACHABLE_TAINT, NOT_READY_TAINT];
        else return { ok: true }; // Ready again meanwhile
        try {
          await swapNodeTaints(this.ctx.client, v.value, [add], [opposite], this.clock.now());
          this.logger.info({ node: v.value, taint: add.key }, 'tainted node NoExecute');
          return { ok: true };
        } catch (err) {
          this.logger.warn({ node: v.value, err: (err as Error).message }, 'failed to taint node');
          return { ok: false, retryAfterMs: 50 };
        }
      });
    }
  }

  /** Step 3: pods on a node that is not Ready are not Ready either (upstream MarkPodsNotReady). */
  private async markPodsNotReady(node: KubeObject): Promise<void> {
    const now = rfc3339(this.clock.now());
    for (const pod of this.pods.getIndexer().byIndex(NODE_NAME_INDEX, node.metadata.name!)) {
      if (!isPodReady(pod)) continue;
      // Patch the one condition (merge key "type"), so no other status field is overwritten.
      const ready = { type: 'Ready', status: 'False', lastTransitionTime: now };
      try {
        await this.ctx.client.patch('pods', pod.metadata.name!, { metadata: { uid: pod.metadata.uid }, status: { conditions: [ready] } }, {
          namespace: pod.metadata.namespace,
          subresource: 'status',
          type: 'strategic',
        });
        this.recorder.event(objectReference('Pod', pod), 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err; // gone, or replaced by a namesake
      }
    }
  }

  // ---- zones (step 4) --------------------------------------------------------------------

  computeZoneState(conditions: (NodeCondition | undefined)[]): ZoneState {
    let ready = 0;
    let notReady = 0;
    for (const c of conditions) {
      if (c?.status === 'True') ready++;
      else notReady++;
    }
    if (ready === 0 && notReady > 0) return 'FullDisruption';
    if (notReady > 2 && notReady / (notReady + ready) >= this.ctx.options.unhealthyZoneThreshold) return 'PartialDisruption';
    return 'Normal';
  }

  private rateFor(state: ZoneState, zoneSize: number): number {
    const o = this.ctx.options;
    if (state === 'PartialDisruption') return zoneSize > o.largeClusterSizeThreshold ? o.secondaryNodeEvictionRate : 0;
    return o.nodeEvictionRate;
  }

  private async handleDisruption(zoneConditions: Map<string, (NodeCondition | undefined)[]>, nodes: KubeObject[]): Promise<void> {
    const next = new Map<string, ZoneState>();
    for (const [zone, conds] of zoneConditions) next.set(zone, this.computeZoneState(conds));
    const allAre = next.size > 0 && [...next.values()].every((s) => s === 'FullDisruption');
    const allWere = this.zoneStates.size > 0 && [...this.zoneStates.values()].every((s) => s === 'FullDisruption');

    if (allAre && !allWere) {
      this.logger.warn('all nodes are not Ready: entering master disruption mode (no NoExecute tainting)');
      for (const n of nodes) await this.markNodeAsReachable(n).catch(() => undefined);
      for (const q of this.tainters.values()) {
        q.swapLimiter(0);
        q.clear();
      }
      this.zoneStates = next;
      return;
    }
    if (allWere && !allAre) {
      this.logger.info('some nodes are Ready again: exiting master disruption mode');
      // Nobody was watching the others: give every node a fresh grace period.
      const now = this.clock.now();
      for (const [name, h] of this.health) this.health.set(name, { ...h, probeTimestamp: now, readyTransitionTimestamp: now });
    }
    if (allAre) {
      this.zoneStates = next;
      return;
    }
    for (const [zone, state] of next) {
      if (!allWere && this.zoneStates.get(zone) === state) continue;
      this.tainter(zone).swapLimiter(this.rateFor(state, zoneConditions.get(zone)!.length));
      this.zoneStates.set(zone, state);
    }
  }
}
