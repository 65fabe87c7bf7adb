// Events (core/v1): LAST SEEN TYPE REASON OBJECT MESSAGE, wide SUBOBJECT SOURCE FIRST SEEN COUNT
// NAME, in upstream's column order (wide columns interleave: SUBOBJECT and SOURCE come before
// MESSAGE). Upstream printEvent.

import type { KubeObject } from '@minik8s/shared';
import { column, wideColumn, NAME_DESCRIPTION } from './columns.ts';
import { parseTime, translateTimestampSince } from './human-duration.ts';
import type { ResourcePrinter, TableRowCells } from './types.ts';

const columns = [
  column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  column('Object', 'string', 'The object that this event is about.'),
  wideColumn('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].'),
  wideColumn('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.'),
  column('Message', 'string', 'A human-readable description of the status of this operation.'),
  wideColumn('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
  wideColumn('Count', 'string', 'The number of times this event has occurred.'),
  wideColumn('Name', 'string', NAME_DESCRIPTION, 'name'),
];

/** `component, host`, each falling back to reportingComponent / reportingInstance. */
function eventSource(ev: KubeObject): string {
  const source = (ev.source as { component?: string; host?: string } | undefined) ?? {};
  const component = source.component || (ev.reportingComponent as string | undefined) || '';
  const instance = source.host || (ev.reportingInstance as string | undefined) || '';
  return instance ? `${component}, ${instance}` : component;
}

function printEvent(ev: KubeObject, now: Date): TableRowCells {
  // Events from the events.k8s.io API carry eventTime (and series) instead of first/last timestamps.
  const firstSeen = parseTime(ev.firstTimestamp) !== undefined ? translateTimestampSince(ev.firstTimestamp, now) : translateTimestampSince(ev.eventTime, now);
  let lastSeen = parseTime(ev.lastTimestamp) !== undefined ? translateTimestampSince(ev.lastTimestamp, now) : firstSeen;
  let count = typeof ev.count === 'number' ? ev.count : 0;
  const series = ev.series as { count?: number; lastObservedTime?: string } | null | undefined;
  if (series) {
    lastSeen = translateTimestampSince(series.lastObservedTime, now);
    count = series.count ?? 0;
  } else if (count === 0) {
    count = 1; // singleton events of the new API have no count
  }
  const involved = (ev.involvedObject as { kind?: string; name?: string; fieldPath?: string } | undefined) ?? {};
  const kind = (involved.kind ?? '').toLowerCase();
  const target = involved.name ? `${kind}/${involved.name}` : kind;
  return {
    cells: [
      lastSeen,
      (ev.type as string | undefined) ?? '',
      (ev.reason as string | undefined) ?? '',
      target,
      involved.fieldPath ?? '',
      eventSource(ev),
      ((ev.message as string | undefined) ?? '').trim(),
      firstSeen,
      count,
      ev.metadata.name ?? '',
    ],
  };
}

export const eventPrinter: ResourcePrinter = { columns, print: printEvent };
