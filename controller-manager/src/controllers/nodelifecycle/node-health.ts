// When did we last hear from a node? (upstream tryUpdateNodeHealth's bookkeeping)
//
// A node is heard from when its Ready condition's lastHeartbeatTime changes (the kubelet
// posted status) or its Lease in kube-node-lease is renewed. The times kept are OUR clock's
// when we noticed, never the kubelet's timestamps, so clock skew does not matter.

import type { KubeObject } from '@minik8s/shared';

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface NodeHealth {
  /** The Ready condition as last seen (undefined: the kubelet never posted one). */
  readyCondition: NodeCondition | undefined;
  /** Our time when we last heard from the node. */
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  /** The node Lease's spec.renewTime as last seen. */
  leaseRenewTime: string | undefined;
}

export function getNodeCondition(node: KubeObject, type: string): NodeCondition | undefined {
  return ((node.status?.conditions ?? []) as NodeCondition[]).find((c) => c.type === type);
}

/**
 * The node's health after looking at its current status and Lease; `prev` is what we knew.
 * Pure: the caller stores the result.
 */
export function observeNodeHealth(prev: NodeHealth | undefined, node: KubeObject, lease: KubeObject | undefined, now: number): NodeHealth {
  const current = getNodeCondition(node, 'Ready');
  const created = Date.parse(node.metadata.creationTimestamp ?? '') || now;
  let h: NodeHealth;
  if (!current) {
    // Never posted: count from its creation, as upstream fakes the condition at creation time.
    h = prev ? { ...prev, readyCondition: undefined } : { readyCondition: undefined, probeTimestamp: created, readyTransitionTimestamp: created, leaseRenewTime: undefined };
  } else if (!prev || !prev.readyCondition) {
    h = { readyCondition: { ...current }, probeTimestamp: now, readyTransitionTimestamp: now, leaseRenewTime: prev?.leaseRenewTime };
  } else if (prev.readyCondition.lastHeartbeatTime !== current.lastHeartbeatTime) {
    const transitioned = prev.readyCondition.lastTransitionTime !== current.lastTransitionTime;
    h = {
      readyCondition: { ...current },
      probeTimestamp: now,
      readyTransitionTimestamp: transitioned ? now : prev.readyTransitionTimestamp,
      leaseRenewTime: prev.leaseRenewTime,
    };
  } else {
    h = { ...prev, readyCondition: { ...current } };
  }
  const renew: string | undefined = lease?.spec?.renewTime ?? undefined;
  if (renew && (!h.leaseRenewTime || Date.parse(renew) > Date.parse(h.leaseRenewTime))) {
    h = { ...h, leaseRenewTime: renew, probeTimestamp: now };
  }
  return h;
}

/** Conditions the node controller sets Unknown when a node goes silent (NetworkUnavailable is not its). */
export const SILENCED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/**
 * The node's conditions after `gracePeriodMs` of silence: each of SILENCED_CONDITIONS becomes
 * Unknown (NodeStatusUnknown, "Kubelet stopped posting node status."), or is added as Unknown
 * (NodeStatusNeverUpdated) when the kubelet never posted it. Resolves undefined when nothing changes.
 */
export function silencedConditions(node: KubeObject, nowTime: string): NodeCondition[] | undefined {
  const conds = ((node.status?.conditions ?? []) as NodeCondition[]).map((c) => ({ ...c }));
  let changed = false;
  for (const type of SILENCED_CONDITIONS) {
    const c = conds.find((x) => x.type === type);
    if (!c) {
      conds.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata.creationTimestamp,
        lastTransitionTime: nowTime,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = nowTime;
      changed = true;
    }
  }
  return changed ? conds : undefined;
}
