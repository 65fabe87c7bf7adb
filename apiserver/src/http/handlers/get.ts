import { q1, sendObject, withTypeMeta, type RequestScope } from '../scope.ts';

export async function getHandler(scope: RequestScope): Promise<void> {
  const obj = await scope.store.get(scope.path.namespace, scope.path.name!, q1(scope.query, 'resourceVersion'));
  sendObject(scope, 200, withTypeMeta(scope.info, obj));
}
