// The Table of a resource without its own printer (upstream rest.defaultTableConvertor):
// NAME and CREATED AT, the creation time as an RFC 3339 UTC date, not an age.

import type { KubeObject } from '@minik8s/shared';
import { column, nameColumn, CREATION_TIMESTAMP_DESCRIPTION } from './columns.ts';
import { parseTime } from './human-duration.ts';
import type { ResourcePrinter } from './types.ts';

/** Go's time.RFC3339 of the UTC time, whole seconds; the zero time when absent, as Go prints it. */
export function rfc3339(ts: unknown): string {
  const ms = parseTime(ts);
  if (ms === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const defaultPrinter: ResourcePrinter = {
  columns: [nameColumn(), column('Created At', 'date', CREATION_TIMESTAMP_DESCRIPTION)],
  print: (obj: KubeObject) => ({ cells: [obj.metadata.name ?? '', rfc3339(obj.metadata.creationTimestamp)] }),
};
