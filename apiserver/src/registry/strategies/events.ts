import type { ResourceInfo } from '@minik8s/shared';
import { baseStrategy } from '../base-strategy.ts';
import type { Strategy } from '../strategy.ts';

export function eventStrategy(info: ResourceInfo): Strategy {
  return baseStrategy(info, {
    allowCreateOnUpdate: true,
    selectableFields: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
    fieldValue(obj, field) {
      if (field === 'metadata.name') return obj.metadata.name;
      if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
      if (field === 'source') return String((obj as { source?: { component?: string } }).source?.component ?? '');
      let cur: unknown = obj;
      for (const p of field.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
      return cur === undefined || cur === null ? '' : String(cur);
    },
  });
}
