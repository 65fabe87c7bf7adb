import type { ResourceInfo } from '@minik8s/shared';
import { generateJobSelector } from '../../defaulting/index.ts';
import { baseStrategy } from '../base-strategy.ts';
import type { Strategy } from '../strategy.ts';

export function jobStrategy(info: ResourceInfo): Strategy {
  const base = baseStrategy(info);
  return {
    ...base,
    selectableFields: ['status.successful'],
    prepareForCreate(obj) {
      base.prepareForCreate(obj);
      // The selector and the job labels name the Job's uid, which exists only now.
      generateJobSelector(obj);
    },
  };
}
