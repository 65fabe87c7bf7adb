import type { ResourceInfo } from '@minik8s/shared';
import { baseStrategy } from '../base-strategy.ts';
import type { Strategy } from '../strategy.ts';

export function nodeStrategy(info: ResourceInfo): Strategy {
  const base = baseStrategy(info);
  return {
    ...base,
    selectableFields: ['spec.unschedulable'],
    // A kubelet registers its node with status in one create, as upstream allows.
    prepareForCreate(obj) {
      obj.metadata.generation = 1;
    },
    fieldValue(obj, field) {
      if (field === 'spec.unschedulable') return String(obj.spec?.unschedulable === true);
      return base.fieldValue(obj, field);
    },
  };
}
