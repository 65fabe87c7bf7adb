import type { ResourceInfo } from '@minik8s/shared';
import { keepAllocatedServiceValues } from '../../defaulting/index.ts';
import { baseStrategy } from '../base-strategy.ts';
import type { Strategy } from '../strategy.ts';

export function serviceStrategy(info: ResourceInfo): Strategy {
  const base = baseStrategy(info);
  return {
    ...base,
    prepareForUpdate(obj, old) {
      // A PUT of a manifest without clusterIP/nodePort keeps what was allocated (kubectl replace).
      keepAllocatedServiceValues(obj, old);
      base.prepareForUpdate(obj, old);
    },
  };
}
