// Server-side Table printing: the columns and cells kubectl shows by default, as the real
// apiserver computes them (pkg/printers/internalversion of Kubernetes 1.32).

export type { ResourcePrinter, TableColumnDefinition, TableRowCells, TableRowCondition } from './types.ts';
export { columnDefinitions, printRow, toTable, type IncludeObject, type PartialObjectMetadata, type Table, type TableRow, type ToTableOptions } from './table.ts';
export { printerFor, hasPrinter } from './printer-registry.ts';
export { humanDuration, translateTimestampSince } from './human-duration.ts';
