// PATCH: json-patch, merge-patch, strategic-merge-patch and apply-patch (server-side apply).
// The patch is applied to the stored object inside the store's guaranteedUpdate, so a patch
// without a resourceVersion retries on conflict and one with it fails with 409.

import { StatusError, badRequest, groupVersion, notFound, unsupportedMediaType, type KubeObject } from '@minik8s/shared';
import { PATCH_TYPES, checkObject, mediaType, parseBody, type PatchType } from '../decode-body.ts';
import { checkFields, goSprint, type PatchContext } from '../field-validation.ts';
import { fieldManager, isDryRun, q1, qBool, sendObject, withTypeMeta, type RequestScope } from '../scope.ts';
import { serverSideApply } from '../../registry/managed-fields.ts';
import { listKeysFor } from '../../registry/list-keys.ts';
import { rfc3339 } from '../../registry/generic-store.ts';
import { PatchError, applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../patch/index.ts';
import { resolveRef, schemaForKind } from '../../openapi/index.ts';

export function applyPatchTo(type: PatchType, current: KubeObject, patch: unknown, kind: string, group: string, version: string): unknown {
  try {
    switch (type) {
      case 'application/json-patch+json':
        if (!Array.isArray(patch)) throw badRequest('json patch must be an array of operations');
        return applyJsonPatch(current, patch);
      case 'application/merge-patch+json':
        return applyMergePatch(current, patch);
      case 'application/strategic-merge-patch+json':
      case 'application/apply-patch+yaml':
        return applyStrategicMergePatch(current, patch, schemaForKind(group, version, kind), resolveRef);
    }
  } catch (e) {
    if (e instanceof PatchError) {
      if (e.code === 400) throw badRequest(e.message);
      throw StatusError.from(422, 'Invalid', 'the server rejected our request due to an error in our request', {
        causes: [{ reason: 'UnexpectedServerResponse', message: e.message }],
      });
    }
    throw e;
  }
  return undefined;
}

export async function patchHandler(scope: RequestScope): Promise<void> {
  const type = mediaType(scope.req.headers['content-type']) as PatchType;
  if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(type);
  const patch = parseBody(scope.body, type);
  const { info } = scope;
  const gv = groupVersion(info);
  const sub = scope.path.subresource;
  const apply = type === 'application/apply-patch+yaml';
  if (apply) {
    if (!q1(scope.query, 'fieldManager')) throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    checkObject(structuredClone(patch), info.kind, gv);
  }
  if (patch === null || typeof patch !== 'object') throw badRequest('the body of the request was in an unknown format');
  const manager = fieldManager(scope);
  const force = qBool(scope.query, 'force');
  const { object, created } = await scope.store.update(
    scope.path.namespace,
    scope.path.name!,
    (existing) => {
      if (apply) {
        // Server-side apply: merge the applied configuration, then settle field ownership.
        const applied = checkObject(structuredClone(patch), info.kind, gv);
        delete applied.metadata.managedFields;
        checkFields(scope, applied);
        const live = existing ? withTypeMeta(info, existing) : undefined;
        const merged = live ? checkObject(applyPatchTo(type, live, applied, info.kind, info.group, info.version), info.kind, gv) : structuredClone(applied);
        return serverSideApply({
          live,
          applied,
          merged,
          manager,
          force,
          apiVersion: gv,
          now: rfc3339(scope.now()),
          listKeysAt: listKeysFor(info.group, info.version, info.kind),
        });
      }
      if (!existing) throw notFound({ group: info.group, resource: info.resource }, scope.path.name!);
      const base = withTypeMeta(info, existing);
      const result = checkObject(applyPatchTo(type, base, patch, info.kind, info.group, info.version), info.kind, gv);
      if (!sub) {
        // Strict blames unknown fields on the patch: the patch itself (strategic) or the patched
        // object (json, merge), read when the error is raised, before any field is dropped.
        const context: PatchContext = { value: () => (type === 'application/strategic-merge-patch+json' ? goSprint(patch) : JSON.stringify(result)) };
        checkFields(scope, result, context);
      }
      return result;
    },
    { dryRun: isDryRun(scope.query), forceAllowCreate: apply, manager, apply, ...(sub ? { subresource: sub } : {}) },
  );
  sendObject(scope, created ? 201 : 200, withTypeMeta(info, object));
}

