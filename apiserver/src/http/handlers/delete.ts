// DELETE of one object: 200 with the object when it is gone, 202 with it when deletion has
// only started (graceful pod deletion, finalizers), as upstream.

import { badRequest, successStatus, type KubeObject } from '@minik8s/shared';
import type { DeleteRequest } from '../../registry/strategy.ts';
import { parseBody } from '../decode-body.ts';
import { isDryRun, listBody, listQuery, q1, qInt, sendObject, withTypeMeta, type RequestScope } from '../scope.ts';

interface DeleteOptionsBody {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export function deleteOptions(scope: RequestScope): DeleteRequest & { preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: boolean } {
  let body: DeleteOptionsBody = {};
  if (scope.body.trim() !== '') {
    const parsed = parseBody(scope.body, scope.req.headers['content-type']);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('the body of a delete must be a DeleteOptions object');
    body = parsed as DeleteOptionsBody;
  }
  const out: DeleteRequest & { preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: boolean } = {};
  const grace = qInt(scope.query, 'gracePeriodSeconds') ?? body.gracePeriodSeconds;
  if (grace !== undefined) out.gracePeriodSeconds = grace;
  const policy = q1(scope.query, 'propagationPolicy') ?? body.propagationPolicy;
  if (policy !== undefined) {
    if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
      throw badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
    }
    out.propagationPolicy = policy;
  }
  if (body.orphanDependents !== undefined) out.orphanDependents = body.orphanDependents;
  if (body.preconditions) out.preconditions = body.preconditions;
  if (isDryRun(scope.query) || (body.dryRun?.length ?? 0) > 0) out.dryRun = true;
  return out;
}

export async function deleteHandler(scope: RequestScope): Promise<void> {
  const { object, deleted } = await scope.store.delete(scope.path.namespace, scope.path.name!, deleteOptions(scope));
  if (deleted && !scope.store.strategy.returnDeletedObject) {
    // As upstream's finalizeDelete: most resources answer a finished delete with a Status.
    const { group, resource } = scope.info;
    const details = { name: object.metadata.name, ...(group ? { group } : {}), kind: resource, uid: object.metadata.uid };
    scope.reply.code(200).header('content-type', 'application/json').send(JSON.stringify(successStatus(details)));
    return;
  }
  sendObject(scope, deleted ? 200 : 202, withTypeMeta(scope.info, object));
}

export async function deleteCollectionHandler(scope: RequestScope): Promise<void> {
  const items: KubeObject[] = await scope.store.deleteCollection(listQuery(scope), deleteOptions(scope));
  scope.reply.code(200).header('content-type', 'application/json').send(JSON.stringify(listBody(scope.info, items, {})));
}
