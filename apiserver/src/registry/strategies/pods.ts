import type { KubeObject, ResourceInfo } from '@minik8s/shared';
import { baseStrategy } from '../base-strategy.ts';
import type { DeleteRequest, Strategy } from '../strategy.ts';

export function podStrategy(info: ResourceInfo): Strategy {
  const base = baseStrategy(info);
  return {
    ...base,
    returnDeletedObject: true,
    selectableFields: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
    prepareForCreate(obj) {
      base.prepareForCreate(obj);
      obj.status = { phase: 'Pending', qosClass: qosClass(obj) };
    },
    fieldValue(obj, field) {
      if (field === 'spec.hostNetwork') return String(obj.spec?.hostNetwork === true);
      return base.fieldValue(obj, field);
    },
    /**
     * As upstream: a pod not yet on a node, or already finished, goes at once; otherwise the
     * kubelet gets the grace period to stop it and then deletes it with grace 0.
     */
    gracePeriodSeconds(obj: KubeObject, req: DeleteRequest): number {
      if (!obj.spec?.nodeName) return 0;
      const phase = obj.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return 0;
      const grace = req.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
      return Math.max(0, grace);
    },
  };
}

/** Guaranteed when every container has equal cpu and memory requests and limits; BestEffort when none has any. */
function qosClass(pod: KubeObject): string {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])] as Array<{
    resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  }>;
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
