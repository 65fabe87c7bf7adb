// apps/v1 ControllerRevisions (upstream pkg/registry/apps/controllerrevision): an immutable
// snapshot of a controller's state. The DaemonSet and StatefulSet controllers keep their
// rollout history in them and `kubectl rollout history/undo` reads them back.
//
// Rules, as upstream's ValidateControllerRevision / ValidateControllerRevisionUpdate:
// - the name is a DNS-1123 subdomain (the generic metadata check);
// - `data` is required (any JSON value but null: it is a RawExtension the server never
//   interprets) and may never change once created;
// - `revision` is a non-negative integer. A missing one is 0, as Go's decoding of the int64
//   field leaves it; the controllers change it to mark a revision current again.
// There is no status and no spec, so nothing is cleared on create or kept on update, and
// metadata.generation is not maintained (upstream's strategy does not set it either).

import type { FieldError, KubeObject, ResourceInfo } from '@minik8s/shared';
import { goValue, IMMUTABLE, invalid, NEGATIVE, required } from '../../validation/field-error.ts';
import { deepEqual } from '../../validation/object-meta.ts';
import { baseStrategy } from '../base-strategy.ts';
import type { Strategy } from '../strategy.ts';

/** The rules on the object's own fields (metadata is the generic check's). */
export function validateControllerRevisionFields(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.data === undefined || obj.data === null) errs.push(required('data', 'data is mandatory'));
  const revision = obj.revision;
  if (typeof revision === 'number' && revision < 0) errs.push(invalid('revision', revision, NEGATIVE));
  return errs;
}

export function controllerRevisionStrategy(info: ResourceInfo): Strategy {
  const base = baseStrategy(info);
  return {
    ...base,
    prepareForCreate() {},
    prepareForUpdate() {},
    applyDefaults(obj) {
      if (obj.revision === undefined || obj.revision === null) obj.revision = 0;
    },
    validate(obj) {
      return [...base.validate(obj), ...validateControllerRevisionFields(obj)];
    },
    validateUpdate(obj, old) {
      const errs = [...base.validateUpdate(obj, old), ...validateControllerRevisionFields(obj)];
      // Upstream prints the decoded runtime.Unknown here; its bytes say nothing to a reader.
      if (!deepEqual(obj.data, old.data)) errs.push(invalid('data', goValue('runtime.Unknown{...}'), IMMUTABLE));
      return errs;
    },
  };
}
