// Services: the base behaviour, plus what upstream's service strategy and REST storage add.
// - Updates: fields that only made sense for the old type and that the client left as they
//   were are dropped (dropTypeDependentFields), and values the server allocated are kept when
//   a PUT leaves them out (keepAllocatedServiceValues), so `kubectl patch -p
//   '{"spec":{"type":"ClusterIP"}}'` on a NodePort Service and `kubectl replace` both work.
// - Allocation (when the apiserver gives ServiceAllocators): cluster IPs and node ports are
//   taken in allocate() and given back in release(); see registry/allocators.

import type { ResourceInfo } from '@minik8s/shared';
import { keepAllocatedServiceValues } from '../../defaulting/index.ts';
import { enlistInUpdate } from '../allocators/update-transactions.ts';
import { needsClusterIP, needsHealthCheckNodePort, needsNodePort } from '../allocators/service-allocators.ts';
import { baseStrategy } from '../base-strategy.ts';
import type { Strategy } from '../strategy.ts';
import type { StrategyDeps } from './index.ts';

type Obj = Record<string, any>;

export function serviceStrategy(info: ResourceInfo, deps: StrategyDeps = {}): Strategy {
  const base = baseStrategy(info);
  const allocators = deps.serviceAllocators;
  return {
    ...base,
    prepareForUpdate(obj, old) {
      dropTypeDependentFields(obj, old);
      // A PUT of a manifest without clusterIP/nodePort keeps what was allocated (kubectl replace).
      keepAllocatedServiceValues(obj, old);
      base.prepareForUpdate(obj, old);
      // Upstream clears the load balancer status once the Service is no longer one.
      if (obj.spec?.type !== 'LoadBalancer' && obj.status?.loadBalancer) obj.status.loadBalancer = {};
    },
    async allocate(obj, old) {
      if (!allocators) return;
      if (!old) {
        await allocators.allocateCreate(obj);
        // A create inside an update attempt (PUT or apply creating the Service) whose write is
        // lost gives its values back; a plain create is undone by release(…, 'failed').
        const held = structuredClone(obj);
        enlistInUpdate({ commit: async () => {}, revert: () => allocators.releaseAll(held) });
        return;
      }
      const txn = await allocators.allocateUpdate(obj, old);
      // Outside an update attempt nobody would settle it: the write is about to happen.
      if (!enlistInUpdate(txn)) await txn.commit();
    },
    async release(obj, old, outcome) {
      if (!allocators) return;
      // A failed update is undone by its own transaction (allocators/update-transactions.ts).
      if (outcome === 'deleted' || old === undefined) await allocators.releaseAll(obj);
    },
  };
}

/**
 * Upstream's dropTypeDependentFields: after a type change, wipe the fields the new type does not
 * use, but only those the client did not change itself (a change is for validation to judge).
 * The values wiped here are freed when the update is written.
 */
export function dropTypeDependentFields(svc: Obj, old: Obj): void {
  const ns: Obj = svc.spec ?? (svc.spec = {});
  const os: Obj = old.spec ?? {};
  if (needsClusterIP(os) && !needsClusterIP(ns)) {
    if (ns.clusterIP === os.clusterIP && sameList(ns.clusterIPs, os.clusterIPs)) {
      delete ns.clusterIP;
      delete ns.clusterIPs;
    }
    if (sameList(ns.ipFamilies, os.ipFamilies)) delete ns.ipFamilies;
    if ((ns.ipFamilyPolicy ?? '') === (os.ipFamilyPolicy ?? '')) delete ns.ipFamilyPolicy;
  }
  if (needsNodePort(os) && !needsNodePort(ns) && nodePortsSubsetOf(ns, os)) {
    for (const p of Array.isArray(ns.ports) ? ns.ports : []) if (p && typeof p === 'object') delete p.nodePort;
  }
  if (needsHealthCheckNodePort(os) && !needsHealthCheckNodePort(ns) && (ns.healthCheckNodePort ?? 0) === (os.healthCheckNodePort ?? 0)) {
    delete ns.healthCheckNodePort;
  }
  if (os.type === 'LoadBalancer' && ns.type !== 'LoadBalancer') {
    if (typeof ns.allocateLoadBalancerNodePorts === 'boolean' && ns.allocateLoadBalancerNodePorts === os.allocateLoadBalancerNodePorts) delete ns.allocateLoadBalancerNodePorts;
    if ((ns.loadBalancerClass ?? null) === (os.loadBalancerClass ?? null)) delete ns.loadBalancerClass;
  }
  if (needsNodePort(os) && !needsNodePort(ns) && (ns.externalTrafficPolicy ?? '') === (os.externalTrafficPolicy ?? '')) {
    delete ns.externalTrafficPolicy;
  }
}

function sameList(a: unknown, b: unknown): boolean {
  const x = Array.isArray(a) ? a : [];
  const y = Array.isArray(b) ? b : [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The new object adds no node port the old one did not have (upstream's sameNodePorts). */
function nodePortsSubsetOf(ns: Obj, os: Obj): boolean {
  const held = new Set((Array.isArray(os.ports) ? os.ports : []).map((p: Obj) => p?.nodePort).filter(Boolean));
  return (Array.isArray(ns.ports) ? ns.ports : []).every((p: Obj) => !p?.nodePort || held.has(p.nodePort));
}
