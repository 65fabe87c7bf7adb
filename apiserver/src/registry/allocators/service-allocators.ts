// What a Service holds from the cluster's pools (upstream's service/storage Allocators): its
// cluster IP from --service-cluster-ip-range and its node ports (and health check node port)
// from --service-node-port-range, each pool a RangeRegistry in etcd.
//
// Rules (upstream's allocateCreate / allocateUpdate, single-stack IPv4):
// - ExternalName Services and headless ones (clusterIP None) get no IP; others get the IP they
//   ask for if it is in range and free (else 422 on spec.clusterIPs), or the next free one.
// - NodePort and LoadBalancer Services get a node port per port: the one asked for if in range
//   and free (else 422 on spec.ports[i].nodePort), or the next free one; ports with the same
//   port number (TCP and UDP 53) share one. A LoadBalancer with allocateLoadBalancerNodePorts
//   false gets only those asked for. LoadBalancer + externalTrafficPolicy Local also gets a
//   healthCheckNodePort.
// - An update takes only what the old object did not hold, and frees what the new one no longer
//   holds (NodePort -> ClusterIP frees the node ports; -> ExternalName frees the IP) when the
//   write lands: see update-transactions.ts.
// - Whatever throws leaves nothing allocated.

import { isIPv6 } from 'node:net';
import { internalError, invalid as invalidObject, type FieldError } from '@minik8s/shared';
import type { Storage } from '../../storage/interface.ts';
import { goStringSlice } from '../../validation/go-format.ts';
import { invalid } from '../../validation/field-error.ts';
import { NodePortRange } from './node-port-range.ts';
import { RangeNotReadyError, RangeRegistry, type RangeOutcome } from './range-registry.ts';
import { ServiceCIDR } from './service-cidr.ts';
import type { Transaction } from './update-transactions.ts';

type Obj = Record<string, any>;

export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/12';
export const DEFAULT_SERVICE_NODE_PORT_RANGE = '30000-32767';

export interface ServiceAllocatorsOptions {
  /** The storage the ranges live in (the apiserver's own, not wrapped). */
  storage: Storage;
  etcdPrefix: string;
  serviceClusterIPRange?: string;
  serviceNodePortRange?: string;
  /** Told about releases that failed (the values stay allocated until the repair frees them). */
  onError?: (message: string, err: unknown) => void;
}

/** One Service's work on the two pools. */
interface Plan {
  ipTake: number[];
  /** Allocate one IP and write it into spec.clusterIP/clusterIPs. */
  ipNext: boolean;
  portTake: { offset: number; port: number; field: string; healthCheck: boolean }[];
  /** Each entry is one port to allocate, written by the callback. */
  portNext: ((port: number) => void)[];
  /** Freed when an update commits. */
  ipFree: number[];
  portFree: number[];
}

const emptyPlan = (): Plan => ({ ipTake: [], ipNext: false, portTake: [], portNext: [], ipFree: [], portFree: [] });

export class ServiceAllocators {
  readonly cidr: ServiceCIDR;
  readonly nodePortRange: NodePortRange;
  readonly ips: RangeRegistry;
  readonly nodePorts: RangeRegistry;
  private readonly onError: (message: string, err: unknown) => void;

  constructor(opts: ServiceAllocatorsOptions) {
    this.cidr = ServiceCIDR.parse(opts.serviceClusterIPRange ?? DEFAULT_SERVICE_CLUSTER_IP_RANGE);
    this.nodePortRange = NodePortRange.parse(opts.serviceNodePortRange ?? DEFAULT_SERVICE_NODE_PORT_RANGE);
    const prefix = opts.etcdPrefix.replace(/\/+$/, '');
    this.ips = new RangeRegistry({
      storage: opts.storage,
      key: `${prefix}/ranges/serviceips`,
      range: this.cidr.cidr,
      size: this.cidr.size,
      dynamicOffset: this.cidr.dynamicOffset,
      // The first address is the `kubernetes` Service's (upstream's bootstrap controller).
      reserved: [0],
      resource: 'serviceipallocations',
    });
    this.nodePorts = new RangeRegistry({
      storage: opts.storage,
      key: `${prefix}/ranges/servicenodeports`,
      range: this.nodePortRange.toString(),
      size: this.nodePortRange.size,
      dynamicOffset: this.nodePortRange.dynamicOffset,
      resource: 'servicenodeportallocations',
    });
    this.onError = opts.onError ?? (() => {});
  }

  /** A new Service: fills spec.clusterIP(s) and node ports in `svc` and allocates them. */
  async allocateCreate(svc: Obj): Promise<void> {
    const plan = emptyPlan();
    this.planIPs(svc, plan);
    this.planCreatePorts(svc, plan);
    await this.execute(svc, plan);
  }

  /**
   * An update from `old` to `svc` (fills what `svc` needs): allocates now; the returned
   * transaction frees what `old` held and `svc` does not on commit, or gives back what this
   * call allocated on revert.
   */
  async allocateUpdate(svc: Obj, old: Obj): Promise<Transaction> {
    const plan = emptyPlan();
    const spec: Obj = svc.spec ?? {};
    const oldSpec: Obj = old.spec ?? {};
    if (!needsClusterIP(oldSpec) && needsClusterIP(spec)) this.planIPs(svc, plan);
    else if (needsClusterIP(oldSpec) && !needsClusterIP(spec) && !isHeadless(oldSpec)) plan.ipFree = this.ipOffsets(oldSpec);
    else if (needsClusterIP(spec) && !isHeadless(spec)) this.checkFamilies(svc);
    this.planUpdatePorts(svc, old, plan);
    const taken = await this.execute(svc, plan);
    return {
      commit: () => this.free(plan.ipFree, plan.portFree, `releasing what ${describe(old)} no longer holds`),
      revert: () => this.free(taken.ips, taken.ports, `giving back what a failed update of ${describe(svc)} allocated`),
    };
  }

  /** Frees everything `svc` holds (it was deleted, or its create failed). */
  async releaseAll(svc: Obj): Promise<void> {
    const spec: Obj = svc.spec ?? {};
    const ips = needsClusterIP(spec) && !isHeadless(spec) ? this.ipOffsets(spec) : [];
    const ports = [...serviceNodePorts(spec)].map((p) => this.nodePortRange.offsetOf(p)).filter((o): o is number => o !== undefined);
    await this.free(ips, ports, `releasing what ${describe(svc)} held`);
  }

  // ---- planning -------------------------------------------------------------------------

  private planIPs(svc: Obj, plan: Plan): void {
    const spec: Obj = svc.spec ?? {};
    if (!needsClusterIP(spec) || isHeadless(spec)) return;
    this.checkFamilies(svc);
    const ips: string[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
    if (ips.length === 0) {
      plan.ipNext = true;
      return;
    }
    const offset = this.cidr.offsetOf(ips[0]!);
    if (offset === undefined) {
      const why = `the provided IP (${ips[0]}) is not in the valid range. The range of valid IPs is ${this.cidr.cidr}`;
      throw this.invalid(svc, [invalid('spec.clusterIPs', goStringSlice(ips), `failed to allocate IP ${ips[0]}: ${why}`)]);
    }
    plan.ipTake.push(offset);
  }

  /**
   * Upstream's initIPFamilyFields, reduced to what a single-stack IPv4 cluster refuses (the
   * defaulting already filled families and policy).
   */
  private checkFamilies(svc: Obj): void {
    const spec: Obj = svc.spec ?? {};
    const selectorless = !spec.selector || Object.keys(spec.selector).length === 0;
    if (isHeadless(spec) && selectorless) return;
    const errs: FieldError[] = [];
    const ips: string[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
    const families: string[] = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
    ips.forEach((ip, i) => {
      if (ip !== 'None' && i >= families.length && isIPv6(ip)) errs.push(invalid(`spec.clusterIPs[${i}]`, goStringSlice(ips), 'IPv6 is not configured on this cluster'));
    });
    if (errs.length) throw this.invalid(svc, errs);
    if (spec.ipFamilyPolicy === 'RequireDualStack') errs.push(invalid('spec.ipFamilyPolicy', 'RequireDualStack', 'this cluster is not configured for dual-stack services'));
    families.forEach((f, i) => {
      if (f !== 'IPv4') errs.push(invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
    });
    if (errs.length) throw this.invalid(svc, errs);
  }

  private planCreatePorts(svc: Obj, plan: Plan): void {
    const spec: Obj = svc.spec ?? {};
    const taken = new Set<number>();
    if (needsNodePort(spec)) {
      const ports: Obj[] = Array.isArray(spec.ports) ? spec.ports : [];
      // Service port number -> its node port, or the ports still waiting for one.
      const byPort = new Map<number, number | Obj[]>();
      ports.forEach((sp, i) => {
        if (!sp.nodePort && !shouldAllocateNodePorts(spec)) return;
        const field = `spec.ports[${i}].nodePort`;
        const known = byPort.get(sp.port);
        if (known === undefined) {
          const requested = sp.nodePort || ports.find((p) => p.port === sp.port && p.nodePort)?.nodePort;
          if (requested) {
            this.takePort(svc, plan, taken, requested, field, false);
            sp.nodePort = requested;
            byPort.set(sp.port, requested);
          } else {
            const group = [sp];
            byPort.set(sp.port, group);
            plan.portNext.push((port) => group.forEach((p) => (p.nodePort = port)));
          }
        } else if (typeof known === 'number') {
          if (!sp.nodePort) sp.nodePort = known;
          else if (sp.nodePort !== known) this.takePort(svc, plan, taken, sp.nodePort, field, false);
        } else if (!sp.nodePort) {
          known.push(sp);
        } else {
          this.takePort(svc, plan, taken, sp.nodePort, field, false);
        }
      });
    }
    if (needsHealthCheckNodePort(spec)) this.planHealthCheckPort(svc, plan, taken);
  }

  private planUpdatePorts(svc: Obj, old: Obj, plan: Plan): void {
    const spec: Obj = svc.spec ?? {};
    const oldSpec: Obj = old.spec ?? {};
    const held = serviceNodePorts(oldSpec);
    const taken = new Set<number>(held);
    if (needsNodePort(spec)) {
      (Array.isArray(spec.ports) ? spec.ports : []).forEach((sp: Obj, i: number) => {
        if (!sp.nodePort && !shouldAllocateNodePorts(spec)) return;
        if (sp.nodePort) this.takePort(svc, plan, taken, sp.nodePort, `spec.ports[${i}].nodePort`, false);
        else plan.portNext.push((port) => (sp.nodePort = port));
      });
    }
    if (needsHealthCheckNodePort(spec) && !needsHealthCheckNodePort(oldSpec)) this.planHealthCheckPort(svc, plan, taken);
    const keeps = serviceNodePorts(spec);
    for (const port of held) {
      const offset = this.nodePortRange.offsetOf(port);
      if (!keeps.has(port) && offset !== undefined) plan.portFree.push(offset);
    }
  }

  private planHealthCheckPort(svc: Obj, plan: Plan, taken: Set<number>): void {
    const spec: Obj = svc.spec;
    if (spec.healthCheckNodePort) this.takePort(svc, plan, taken, spec.healthCheckNodePort, 'spec.healthCheckNodePort', true);
    else plan.portNext.push((port) => (spec.healthCheckNodePort = port));
  }

  /** Plans to take `port` unless this Service already holds or takes it. */
  private takePort(svc: Obj, plan: Plan, taken: Set<number>, port: number, field: string, healthCheck: boolean): void {
    if (taken.has(port)) return;
    const offset = this.nodePortRange.offsetOf(port);
    if (offset === undefined) {
      const why = `provided port is not in the valid range. The range of valid ports is ${this.nodePortRange}`;
      if (healthCheck) throw internalError(`failed to allocate requested HealthCheck NodePort ${port}: ${why}`);
      throw this.invalid(svc, [invalid(field, port, why)]);
    }
    taken.add(port);
    plan.portTake.push({ offset, port, field, healthCheck });
  }

  // ---- execution ------------------------------------------------------------------------

  /** Allocates what `plan` asks for and fills `svc`; returns the offsets taken. All or nothing. */
  private async execute(svc: Obj, plan: Plan): Promise<{ ips: number[]; ports: number[] }> {
    const ips: number[] = [];
    if (plan.ipTake.length || plan.ipNext) {
      const out = await this.applyOrFail(this.ips, { take: plan.ipTake, takeNext: plan.ipNext ? 1 : 0 }, 'serviceIP');
      if (!out.ok) {
        if (out.reason === 'Full') throw internalError('failed to allocate a serviceIP: range is full');
        const ip = this.cidr.ipAt(out.offset);
        throw this.invalid(svc, [invalid('spec.clusterIPs', goStringSlice(svc.spec.clusterIPs ?? [ip]), `failed to allocate IP ${ip}: provided IP is already allocated`)]);
      }
      ips.push(...plan.ipTake, ...out.taken);
      if (plan.ipNext) {
        const ip = this.cidr.ipAt(out.taken[0]!);
        svc.spec.clusterIP = ip;
        svc.spec.clusterIPs = [ip];
      }
    }
    const ports: number[] = [];
    if (plan.portTake.length || plan.portNext.length) {
      let out: RangeOutcome;
      try {
        out = await this.applyOrFail(this.nodePorts, { take: plan.portTake.map((t) => t.offset), takeNext: plan.portNext.length }, 'nodePort');
      } catch (e) {
        await this.free(ips, [], `giving back the IP of ${describe(svc)}`);
        throw e;
      }
      if (!out.ok) {
        await this.free(ips, [], `giving back the IP of ${describe(svc)}`);
        if (out.reason === 'Full') throw internalError('failed to allocate a nodePort: range is full');
        const failed = out.offset;
        const t = plan.portTake.find((x) => x.offset === failed)!;
        if (t.healthCheck) throw internalError(`failed to allocate requested HealthCheck NodePort ${t.port}: provided port is already allocated`);
        throw this.invalid(svc, [invalid(t.field, t.port, 'provided port is already allocated')]);
      }
      ports.push(...plan.portTake.map((t) => t.offset), ...out.taken);
      out.taken.forEach((offset, i) => plan.portNext[i]!(this.nodePortRange.portAt(offset)));
    }
    return { ips, ports };
  }

  private async applyOrFail(range: RangeRegistry, change: { take: number[]; takeNext: number }, what: string): Promise<RangeOutcome> {
    try {
      return await range.apply(change);
    } catch (e) {
      if (e instanceof RangeNotReadyError) throw internalError(`failed to allocate a ${what}: ${e.message}`);
      throw e;
    }
  }

  private async free(ips: number[], ports: number[], what: string): Promise<void> {
    try {
      if (ips.length) await this.ips.apply({ free: ips });
      if (ports.length) await this.nodePorts.apply({ free: ports });
    } catch (err) {
      this.onError(`${what} failed; the allocation repair will free it`, err);
    }
  }

  private ipOffsets(spec: Obj): number[] {
    const ips: string[] = Array.isArray(spec.clusterIPs) && spec.clusterIPs.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
    return ips.map((ip) => this.cidr.offsetOf(ip)).filter((o): o is number => o !== undefined);
  }

  private invalid(svc: Obj, errs: FieldError[]) {
    return invalidObject('Service', '', svc.metadata?.name ?? '', errs);
  }
}

export function needsClusterIP(spec: Obj): boolean {
  return spec.type !== 'ExternalName';
}

export function isHeadless(spec: Obj): boolean {
  return spec.clusterIP === 'None' || (Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] === 'None');
}

export function needsNodePort(spec: Obj): boolean {
  return spec.type === 'NodePort' || spec.type === 'LoadBalancer';
}

export function needsHealthCheckNodePort(spec: Obj): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

function shouldAllocateNodePorts(spec: Obj): boolean {
  if (spec.type === 'NodePort') return true;
  return spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false;
}

/** The node ports a Service holds (one number once, whatever its protocols), health check's too. */
export function serviceNodePorts(spec: Obj): Set<number> {
  const out = new Set<number>();
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) if (p?.nodePort) out.add(p.nodePort);
  if (spec.healthCheckNodePort) out.add(spec.healthCheckNodePort);
  return out;
}

function describe(svc: Obj): string {
  return `service ${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
}
