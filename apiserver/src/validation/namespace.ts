// Namespaces (core validation: ValidateNamespace, ValidateNamespaceUpdate,
// ValidateNamespaceStatusUpdate). Names are DNS-1123 labels.

import type { FieldError, KubeObject } from '@minik8s/shared';
import { invalid } from './field-error.ts';
import { nameIsDNSLabel } from './names.ts';
import { validateFinalizerName, validateKubeFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';

function validateSpecFinalizers(ns: KubeObject, indexed: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const list: unknown[] = Array.isArray(ns.spec?.finalizers) ? ns.spec.finalizers : [];
  list.forEach((f, i) => {
    const field = indexed ? `spec.finalizers[${i}]` : 'spec.finalizers';
    errs.push(...validateFinalizerName(String(f), field), ...validateKubeFinalizerName(String(f), field));
  });
  return errs;
}

export function validateNamespace(ns: KubeObject): FieldError[] {
  return [...validateObjectMeta(ns.metadata, false, nameIsDNSLabel), ...validateSpecFinalizers(ns, false)];
}

/** Upstream checks only the metadata on update: spec changes go through /finalize. */
export function validateNamespaceUpdate(ns: KubeObject, old: KubeObject): FieldError[] {
  return validateObjectMetaUpdate(ns.metadata, old.metadata);
}

/** The status phase must follow the deletion timestamp. */
export function validateNamespaceStatusUpdate(ns: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  const phase = ns.status?.phase ?? '';
  if (!ns.metadata.deletionTimestamp) {
    if (phase !== 'Active') errs.push(invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') {
    errs.push(invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return errs;
}

/** /finalize: the new spec.finalizers must be valid names. */
export function validateNamespaceFinalizeUpdate(ns: KubeObject, old: KubeObject): FieldError[] {
  return [...validateObjectMetaUpdate(ns.metadata, old.metadata), ...validateSpecFinalizers(ns, true)];
}
