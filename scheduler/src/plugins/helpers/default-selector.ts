// The selector of a pod's "siblings" (upstream helper.DefaultSelector): the labels every
// Service selecting the pod selects on, plus the selector of the ReplicaSet, StatefulSet or
// ReplicationController that controls it. Default topology spreading spreads exactly these.

import { LabelSelector, newLabelRequirement, selectorFromLabelSelector, type MetaLabelSelector } from '@minik8s/shared';
import type { WorkloadListers } from '../../framework/interfaces.ts';
import type { Pod } from '../../types.ts';

export function defaultSelector(pod: Pod, listers: WorkloadListers): LabelSelector {
  const ns = pod.metadata.namespace ?? '';
  const labels = pod.metadata.labels ?? {};
  const set: Record<string, string> = {};
  for (const svc of listers.services(ns)) {
    const sel = svc.spec?.selector as Record<string, string> | undefined;
    if (!sel || Object.keys(sel).length === 0) continue; // a selector-less service selects no pods
    if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) continue;
    Object.assign(set, sel);
  }
  let selector = LabelSelector.of(Object.entries(set).map(([k, v]) => newLabelRequirement(k, '=', [v])));
  const owner = (pod.metadata.ownerReferences ?? []).find((r) => r.controller);
  if (!owner) return selector;
  try {
    if (owner.apiVersion === 'v1' && owner.kind === 'ReplicationController') {
      const rc = listers.replicationController(ns, owner.name);
      const sel = rc?.spec?.selector as Record<string, string> | undefined;
      if (sel) {
        Object.assign(set, sel);
        selector = LabelSelector.of(Object.entries(set).map(([k, v]) => newLabelRequirement(k, '=', [v])));
      }
    } else if (owner.apiVersion === 'apps/v1' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
      const set2 = owner.kind === 'ReplicaSet' ? listers.replicaSet(ns, owner.name) : listers.statefulSet(ns, owner.name);
      if (set2?.spec?.selector) {
        const other = selectorFromLabelSelector(set2.spec.selector as MetaLabelSelector);
        if (!other.matchesNothing()) selector = selector.add(...other.requirements);
      }
    }
  } catch {
    // An invalid selector on the owner selects no siblings: keep what the services gave.
  }
  return selector;
}
