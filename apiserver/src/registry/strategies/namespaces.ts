import type { ResourceInfo } from '@minik8s/shared';
import { baseStrategy } from '../base-strategy.ts';
import type { Strategy } from '../strategy.ts';

export function namespaceStrategy(info: ResourceInfo): Strategy {
  const base = baseStrategy(info);
  return {
    ...base,
    selectableFields: ['status.phase'],
    prepareForCreate(obj) {
      base.prepareForCreate(obj);
      obj.status = { phase: 'Active' };
    },
    prepareForUpdate(obj, old) {
      base.prepareForUpdate(obj, old);
      obj.spec = old.spec; // spec.finalizers change only through namespaces/<name>/finalize
    },
    // Deleting a namespace makes it Terminating; the namespace controller empties it and
    // removes the `kubernetes` finalizer, and only then is it gone.
    beforeDelete(obj) {
      obj.status = { ...(obj.status ?? {}), phase: 'Terminating' };
    },
    hasPendingFinalizers(obj) {
      return base.hasPendingFinalizers(obj) || (obj.spec?.finalizers?.length ?? 0) > 0;
    },
  };
}
