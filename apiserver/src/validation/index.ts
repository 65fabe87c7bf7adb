// Validation of every built-in resource, as the registry strategies call it.
//
// Contract (mirrors the generic registry's BeforeCreate/BeforeUpdate upstream):
// - validateCreate runs the resource's own validation; only when that passes does it run the
//   generic metadata check every object gets (a name usable as a URL path segment, the
//   namespace as the scope requires). Events rely on the latter alone for their names.
// - validateUpdate runs the generic metadata checks (including immutable uid, name,
//   creationTimestamp) and then the resource's own update validation.
// - Results are FieldErrors in upstream's words; exact duplicates are dropped as upstream's
//   error aggregation does. An empty list means the object is valid.
// - Objects are expected to be defaulted (applyDefaults) first, as upstream validates after
//   defaulting: required-but-defaulted fields are reported missing otherwise.

import type { FieldError, KubeObject } from '@minik8s/shared';
import { RESOURCES } from '@minik8s/shared';
import { validateDaemonSet, validateDaemonSetUpdate, validateDeployment, validateDeploymentUpdate, validateReplicaSet, validateReplicaSetUpdate, validateStatefulSet, validateStatefulSetUpdate } from './apps.ts';
import { validateCronJob, validateCronJobUpdate, validateJob, validateJobUpdate } from './batch.ts';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config-data.ts';
import { validateEndpointSlice, validateEndpointSliceUpdate, validateEndpoints, validateEndpointsUpdate } from './endpoints.ts';
import { validateEvent } from './event.ts';
import { dedupe } from './field-error.ts';
import { validateLease, validateLeaseUpdate } from './lease.ts';
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, validatePathSegmentName } from './names.ts';
import type { NameValidator } from './names.ts';
import { validateNamespace, validateNamespaceUpdate } from './namespace.ts';
import { validateNode, validateNodeUpdate } from './node.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { validatePod } from './pod.ts';
import { validatePodUpdate } from './pod-update.ts';
import { validateService, validateServiceUpdate } from './service.ts';
import { validateStatusUpdate as statusUpdate } from './status.ts';

interface KindValidation {
  create(obj: KubeObject): FieldError[];
  update(obj: KubeObject, old: KubeObject): FieldError[];
}

/** A resource whose only rules are its metadata's. */
function metadataOnly(namespaced: boolean, nameFn: NameValidator): KindValidation {
  return {
    create: (obj) => validateObjectMeta(obj.metadata, namespaced, nameFn),
    update: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateObjectMeta(obj.metadata, namespaced, nameFn)],
  };
}

const VALIDATION: Record<string, KindValidation> = {
  '/Namespace': { create: validateNamespace, update: validateNamespaceUpdate },
  '/Pod': { create: validatePod, update: validatePodUpdate },
  '/Node': { create: validateNode, update: validateNodeUpdate },
  '/Service': { create: validateService, update: validateServiceUpdate },
  '/Endpoints': { create: validateEndpoints, update: validateEndpointsUpdate },
  '/Event': { create: validateEvent, update: (obj) => validateEvent(obj) },
  '/ConfigMap': { create: validateConfigMap, update: validateConfigMapUpdate },
  '/Secret': { create: validateSecret, update: validateSecretUpdate },
  '/ServiceAccount': metadataOnly(true, nameIsDNSSubdomain),
  '/ComponentStatus': metadataOnly(false, nameIsDNSSubdomain),
  'apps/Deployment': { create: validateDeployment, update: validateDeploymentUpdate },
  'apps/ReplicaSet': { create: validateReplicaSet, update: validateReplicaSetUpdate },
  'apps/DaemonSet': { create: validateDaemonSet, update: validateDaemonSetUpdate },
  'apps/StatefulSet': { create: validateStatefulSet, update: validateStatefulSetUpdate },
  'batch/Job': { create: validateJob, update: validateJobUpdate },
  'batch/CronJob': { create: validateCronJob, update: validateCronJobUpdate },
  'coordination.k8s.io/Lease': { create: validateLease, update: validateLeaseUpdate },
  'discovery.k8s.io/EndpointSlice': { create: validateEndpointSlice, update: validateEndpointSliceUpdate },
};

const NAME_VALIDATORS: Record<string, NameValidator> = {
  '/namespaces': nameIsDNSLabel,
  '/services': nameIsDNS1035Label,
  '/events': validatePathSegmentName,
  'apps/statefulsets': nameIsDNSLabel,
};

/**
 * The rule a resource's names follow (`prefix` true for a generateName). Most are DNS-1123
 * subdomains; namespaces and StatefulSets are DNS-1123 labels, Services DNS-1035 labels, and
 * Events any name that fits in a URL path segment.
 */
export function nameValidatorFor(group: string, resource: string): NameValidator {
  return NAME_VALIDATORS[`${group}/${resource}`] ?? nameIsDNSSubdomain;
}

function isNamespaced(group: string, kind: string): boolean {
  return RESOURCES.find((r) => r.group === group && r.kind === kind)?.namespaced ?? true;
}

export function validateCreate(group: string, kind: string, obj: KubeObject): FieldError[] {
  const v = VALIDATION[`${group}/${kind}`];
  const namespaced = isNamespaced(group, kind);
  const errs = v ? v.create(obj) : validateObjectMeta(obj.metadata, namespaced, nameIsDNSSubdomain);
  if (errs.length) return dedupe(errs);
  return dedupe(validateObjectMeta(obj.metadata, namespaced, validatePathSegmentName));
}

export function validateUpdate(group: string, kind: string, obj: KubeObject, old: KubeObject): FieldError[] {
  const v = VALIDATION[`${group}/${kind}`];
  const namespaced = isNamespaced(group, kind);
  const errs = [
    ...validateObjectMeta(obj.metadata, namespaced, validatePathSegmentName),
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...(v ? v.update(obj, old) : []),
  ];
  return dedupe(errs);
}

/** Validation for a /status write (spec and metadata are the stored ones). */
export function validateStatusUpdate(group: string, kind: string, obj: KubeObject, old: KubeObject): FieldError[] {
  return dedupe(statusUpdate(group, kind, obj, old));
}

export type { NameValidator } from './names.ts';
export { parseCronSchedule, timeZoneError } from '@minik8s/shared';
export type { CronFields, CronSchedule, CronParseResult } from '@minik8s/shared';
export { validatePodBinding } from './pod.ts';
export { validateNamespaceFinalizeUpdate } from './namespace.ts';
export { compileLabelSelector, deepEqual } from './object-meta.ts';
export { decodeBase64Strict } from './config-data.ts';
export { decodeError } from './decode-error.ts';
export { parseQuantity, canonicalQuantity, isQuantity } from './quantity.ts';
