import { toTable } from '../../printers/index.ts';
import { listJson, listQuery, type RequestScope } from '../scope.ts';

export async function listHandler(scope: RequestScope): Promise<void> {
  const page = await scope.store.list(listQuery(scope));
  const meta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: page.resourceVersion };
  if (page.continue) meta.continue = page.continue;
  if (page.remainingItemCount !== undefined) meta.remainingItemCount = page.remainingItemCount;
  const body = scope.table
    ? JSON.stringify(toTable(scope.info.group, scope.info.resource, page.items, { now: scope.now(), includeObject: scope.table.includeObject, listMeta: meta }))
    : listJson(scope.info, page.items, meta);
  scope.reply.code(200).header('content-type', 'application/json').send(body);
}
