// Checks on writes to /status (the *StatusUpdate validators upstream): counters that cannot be
// negative or exceed the replica count, the pod and namespace rules.

import type { FieldError, KubeObject } from '@minik8s/shared';
import { invalid, nonNegative } from './field-error.ts';
import { validateNamespaceStatusUpdate } from './namespace.ts';
import { validateObjectMetaUpdate } from './object-meta.ts';
import { validatePodStatusUpdate } from './pod.ts';

type Obj = Record<string, any>;

function counters(status: Obj, fields: readonly string[]): FieldError[] {
  return fields.flatMap((f) => nonNegative(`status.${f}`, status[f]));
}

function notAbove(status: Obj, fields: readonly string[], limit: string, message: string): FieldError[] {
  return fields.filter((f) => typeof status[f] === 'number' && status[f] > (status[limit] ?? 0)).map((f) => invalid(`status.${f}`, status[f], message));
}

function collisionCount(obj: KubeObject, old: KubeObject): FieldError[] {
  const n = obj.status?.collisionCount;
  const o = old.status?.collisionCount;
  if (typeof o === 'number' && (n === undefined || n === null || n < o)) return [invalid('status.collisionCount', n ?? 0, 'cannot be decremented')];
  return [];
}

const BY_KIND: Record<string, (obj: KubeObject, old: KubeObject) => FieldError[]> = {
  '/Pod': validatePodStatusUpdate,
  '/Namespace': (obj, old) => validateNamespaceStatusUpdate(obj, old),
  'apps/Deployment': (obj, old) => {
    const s: Obj = obj.status ?? {};
    return [
      ...counters(s, ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount']),
      ...notAbove(s, ['updatedReplicas', 'readyReplicas', 'availableReplicas'], 'replicas', 'cannot be greater than status.replicas'),
      ...notAbove(s, ['availableReplicas'], 'readyReplicas', 'cannot be greater than readyReplicas'),
      ...collisionCount(obj, old),
    ];
  },
  'apps/ReplicaSet': (obj) => {
    const s: Obj = obj.status ?? {};
    return [
      ...counters(s, ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']),
      ...notAbove(s, ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'], 'replicas', 'cannot be greater than status.replicas'),
      ...notAbove(s, ['availableReplicas'], 'readyReplicas', 'cannot be greater than readyReplicas'),
    ];
  },
  'apps/StatefulSet': (obj, old) => {
    const s: Obj = obj.status ?? {};
    return [
      ...counters(s, ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount']),
      ...notAbove(s, ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'], 'replicas', 'cannot be greater than status.replicas'),
      ...notAbove(s, ['availableReplicas'], 'readyReplicas', 'cannot be greater than status.readyReplicas'),
      ...collisionCount(obj, old),
    ];
  },
  'apps/DaemonSet': (obj, old) => [
    ...counters(obj.status ?? {}, [
      'currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration',
      'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount',
    ]),
    ...collisionCount(obj, old),
  ],
  'batch/Job': (obj) => counters(obj.status ?? {}, ['active', 'succeeded', 'failed', 'terminating', 'ready']),
};

/** What a /status write must satisfy; the store keeps spec and metadata from the old object. */
export function validateStatusUpdate(group: string, kind: string, obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  const f = BY_KIND[`${group}/${kind}`];
  if (f) errs.push(...f(obj, old));
  return errs;
}
