import { decodeObject } from '../decode-body.ts';
import { checkFields } from '../field-validation.ts';
import { fieldManager, isDryRun, objectBody, sendObject, withTypeMeta, type RequestScope } from '../scope.ts';

/** PUT of the main resource or of /status. */
export async function updateHandler(scope: RequestScope): Promise<void> {
  const obj = decodeObject(objectBody(scope), scope.req.headers['content-type'], scope.info);
  checkFields(scope, obj);
  const sub = scope.path.subresource;
  const { object, created } = await scope.store.update(scope.path.namespace, scope.path.name!, () => obj, {
    dryRun: isDryRun(scope.query),
    manager: fieldManager(scope),
    ...(sub ? { subresource: sub } : {}),
  });
  sendObject(scope, created ? 201 : 200, withTypeMeta(scope.info, object));
}
