// ControllerRevisions: NAME CONTROLLER REVISION AGE (upstream printControllerRevision).

import type { KubeObject } from '@minik8s/shared';
import { ageColumn, column, nameColumn } from './columns.ts';
import { translateTimestampSince } from './human-duration.ts';
import type { ResourcePrinter } from './types.ts';

/**
 * `<kind>.<group>/<name>` in lower case for the controller reference (formatResourceName of
 * its GroupKind: `daemonset.apps/web`, a core kind without the dot), `<none>` without one.
 */
export function controllerName(obj: KubeObject): string {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller === true);
  if (!ref) return '<none>';
  const apiVersion = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind = ref.kind ?? '';
  if (!kind && !group) return ref.name;
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${ref.name}`;
}

export const controllerRevisionPrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn(),
  ],
  print: (cr, now) => ({
    cells: [cr.metadata.name ?? '', controllerName(cr), typeof cr.revision === 'number' ? cr.revision : 0, translateTimestampSince(cr.metadata.creationTimestamp, now)],
  }),
};
