// Upstream rejects some bad input before validation, while decoding the JSON body into typed
// structs: a quantity that does not parse, base64 that does not decode into []byte. The answer
// is then a 400 BadRequest, not a 422 Invalid. decodeError finds such input so a handler can
// answer as upstream does; validation still reports the same problems as field errors for
// callers that skip this step.

import type { KubeObject } from '@minik8s/shared';
import { decodeBase64Strict } from './config-data.ts';
import { parseQuantityExact, QuantityError } from './quantity.ts';

type Obj = Record<string, any>;

function quantityError(list: unknown): string | undefined {
  if (!list || typeof list !== 'object') return undefined;
  for (const v of Object.values(list as Record<string, unknown>)) {
    try {
      parseQuantityExact(v as string | number);
    } catch (e) {
      if (e instanceof QuantityError) return e.message;
      throw e;
    }
  }
  return undefined;
}

function podSpecQuantityError(spec: Obj | undefined): string | undefined {
  if (!spec) return undefined;
  const containers: Obj[] = [
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
    ...(Array.isArray(spec.containers) ? spec.containers : []),
    ...(Array.isArray(spec.ephemeralContainers) ? spec.ephemeralContainers : []),
  ];
  for (const c of containers) {
    const e = quantityError(c?.resources?.limits) ?? quantityError(c?.resources?.requests);
    if (e) return e;
  }
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (v?.emptyDir?.sizeLimit !== undefined) {
      const e = quantityError({ s: v.emptyDir.sizeLimit });
      if (e) return e;
    }
  }
  return quantityError(spec.overhead);
}

function templateSpecs(group: string, kind: string, obj: Obj): Array<Obj | undefined> {
  if (group === '' && kind === 'Pod') return [obj.spec];
  if (group === 'apps' || (group === 'batch' && kind === 'Job')) return [obj.spec?.template?.spec];
  if (group === 'batch' && kind === 'CronJob') return [obj.spec?.jobTemplate?.spec?.template?.spec];
  return [];
}

/**
 * The message upstream's decoder would give for this body, e.g.
 * `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression ...`,
 * or undefined when it decodes.
 */
export function decodeError(group: string, version: string, kind: string, obj: KubeObject): string | undefined {
  const o = obj as Obj;
  let err: string | undefined;
  for (const spec of templateSpecs(group, kind, o)) err ??= podSpecQuantityError(spec);
  if (!err && group === '' && kind === 'Node') err = quantityError(o.status?.capacity) ?? quantityError(o.status?.allocatable);
  if (!err && group === 'apps' && kind === 'StatefulSet') {
    for (const pvc of Array.isArray(o.spec?.volumeClaimTemplates) ? o.spec.volumeClaimTemplates : []) {
      err ??= quantityError(pvc?.spec?.resources?.requests) ?? quantityError(pvc?.spec?.resources?.limits);
    }
  }
  if (!err && group === '' && (kind === 'Secret' || kind === 'ConfigMap')) {
    const data = kind === 'Secret' ? o.data : o.binaryData;
    for (const v of Object.values(data && typeof data === 'object' ? data : {})) {
      const d = decodeBase64Strict(String(v));
      if ('badByte' in d) {
        err = `illegal base64 data at input byte ${d.badByte}`;
        break;
      }
    }
  }
  if (!err) return undefined;
  const gv = group ? `${group}/${version}` : version;
  return `${kind} in version "${gv}" cannot be handled as a ${kind}: ${err}`;
}
