import { decodeObject } from '../decode-body.ts';
import { checkFields } from '../field-validation.ts';
import { fieldManager, isDryRun, objectBody, sendObject, withTypeMeta, type RequestScope } from '../scope.ts';

export async function createHandler(scope: RequestScope): Promise<void> {
  const obj = decodeObject(objectBody(scope), scope.req.headers['content-type'], scope.info);
  checkFields(scope, obj);
  const created = await scope.store.create(scope.path.namespace, obj, { dryRun: isDryRun(scope.query), manager: fieldManager(scope) });
  sendObject(scope, 201, withTypeMeta(scope.info, created));
}
