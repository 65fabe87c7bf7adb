// The behaviour most resources share; a resource's own strategy overrides what differs.

import type { KubeObject, ResourceInfo } from '@minik8s/shared';
import { applyDefaults } from '../defaulting/index.ts';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../validation/index.ts';
import type { Strategy } from './strategy.ts';

/** Everything but metadata and status: a change here bumps metadata.generation. */
export function specOf(obj: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

/** Reads a dotted field path such as `spec.nodeName` as a field selector sees it. */
export function readField(obj: unknown, path: string): string | undefined {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return undefined;
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export function baseStrategy(info: ResourceInfo, overrides: Partial<Strategy> = {}): Strategy {
  const hasStatus = info.subresources?.includes('status') ?? false;
  const base: Strategy = {
    info,
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    returnDeletedObject: false,
    selectableFields: [],
    prepareForCreate(obj) {
      if (hasStatus) delete obj.status;
      obj.metadata.generation = 1;
    },
    prepareForUpdate(obj, old) {
      if (hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = old.status;
      }
      const gen = old.metadata.generation ?? 1;
      obj.metadata.generation = specOf(obj) === specOf(old) ? gen : gen + 1;
    },
    applyDefaults(obj) {
      applyDefaults(info.group, info.kind, obj);
    },
    validate(obj) {
      return validateCreate(info.group, info.kind, obj);
    },
    validateUpdate(obj, old) {
      return validateUpdate(info.group, info.kind, obj, old);
    },
    validateStatusUpdate(obj, old) {
      return validateStatusUpdate(info.group, info.kind, obj, old);
    },
    hasPendingFinalizers(obj) {
      return (obj.metadata.finalizers?.length ?? 0) > 0;
    },
    fieldValue(obj, field) {
      if (field === 'metadata.name') return obj.metadata.name;
      if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
      return readField(obj, field) ?? '';
    },
  };
  return { ...base, ...overrides };
}
