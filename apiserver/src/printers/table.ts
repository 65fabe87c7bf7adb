// Objects -> a meta.k8s.io/v1 Table, what the apiserver answers when kubectl asks for
// `application/json;as=Table;v=v1;g=meta.k8s.io` (upstream printers TableConvertor + the
// handlers' asTable).

import { findResource, groupVersion, type KubeObject, type ListMeta, type ObjectMeta } from '@minik8s/shared';
import { printerFor } from './printer-registry.ts';
import type { TableColumnDefinition, TableRowCondition } from './types.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata (includeObject=Metadata, the default), the whole object (Object), or null (None). */
  object: PartialObjectMetadata | KubeObject | null;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  /** null when `noHeaders` (upstream's nil slice): watch events after the first omit them. */
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

export interface ToTableOptions {
  /** The clock for every Age / Last Seen cell: one instant for the whole table. */
  now: Date;
  includeObject: IncludeObject;
  /** The list's metadata (a single object's Table carries that object's resourceVersion). */
  listMeta?: ListMeta;
  /**
   * Leave out the column definitions (TableOptions.noHeaders). Upstream's watch sends them with
   * the first event only; kubectl reuses the last ones it saw.
   */
  noHeaders?: boolean;
}

/** The columns of a resource's Table, in cell order (wide ones included, priority 1). */
export function columnDefinitions(group: string, resource: string): TableColumnDefinition[] {
  return printerFor(group, resource).columns.map((c) => ({ ...c }));
}

/** The cells of one object's row, in column order. */
export function printRow(group: string, resource: string, obj: KubeObject, now: Date): unknown[] {
  return printerFor(group, resource).print(obj, now).cells;
}

/** Empty fields are left out, as Go's omitempty does. */
function tableListMeta(m: ListMeta | undefined): ListMeta {
  const out: ListMeta = {};
  if (m?.resourceVersion) out.resourceVersion = m.resourceVersion;
  if (m?.continue) out.continue = m.continue;
  if (m?.remainingItemCount !== undefined && m.remainingItemCount !== null) out.remainingItemCount = m.remainingItemCount;
  return out;
}

/** The object as the client would GET it: apiVersion and kind first, filled in when missing. */
function withTypeMeta(group: string, resource: string, obj: KubeObject): KubeObject {
  const info = findResource(group, resource);
  if (!info || (obj.apiVersion && obj.kind)) return obj;
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return { apiVersion: obj.apiVersion ?? groupVersion(info), kind: obj.kind ?? info.kind, ...rest };
}

function rowObject(group: string, resource: string, obj: KubeObject, includeObject: IncludeObject): TableRow['object'] {
  switch (includeObject) {
    case 'None':
      return null;
    case 'Object':
      return withTypeMeta(group, resource, obj);
    default:
      // The whole metadata, managedFields included (meta.AsPartialObjectMetadata).
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  }
}

/**
 * The full Table of `objs` (one object for a GET, the page for a LIST, one per watch event).
 * Contract: `rows[i]` is `objs[i]`; every row has `columnDefinitions.length` cells.
 */
export function toTable(group: string, resource: string, objs: KubeObject[], opts: ToTableOptions): Table {
  const printer = printerFor(group, resource);
  const rows = objs.map((obj): TableRow => {
    const { cells, conditions } = printer.print(obj, opts.now);
    const object = rowObject(group, resource, obj, opts.includeObject);
    return conditions && conditions.length > 0 ? { cells, conditions: conditions.map((c) => ({ ...c })), object } : { cells, object };
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: tableListMeta(opts.listMeta),
    columnDefinitions: opts.noHeaders ? null : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
