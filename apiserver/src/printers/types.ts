// The shapes of a meta.k8s.io/v1 Table, and the contract every resource printer meets.

import type { KubeObject } from '@minik8s/shared';

/** One column of a Table (metav1.TableColumnDefinition); every field is always serialized. */
export interface TableColumnDefinition {
  /** Human name, e.g. `Name`, `Nominated Node`; kubectl upper-cases it for the header. */
  name: string;
  /** OpenAPI type of the cells: string, integer, number, boolean, date. */
  type: string;
  /** OpenAPI format; `name` marks the column that holds the object's name. */
  format: string;
  description: string;
  /** 0 = always shown by kubectl; 1 = shown only with `-o wide`. */
  priority: number;
}

/** metav1.TableRowCondition: e.g. a finished pod's row is `Completed`. */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** What a printer computes for one object: its cells in column order, and row conditions. */
export interface TableRowCells {
  cells: unknown[];
  conditions?: TableRowCondition[];
}

/**
 * A printer for one resource, as upstream's printers.go handler pair (columns + print func).
 * Contract: `print` never throws on a well-formed object of its kind (missing optional fields
 * print as upstream prints zero values), and always returns exactly `columns.length` cells,
 * wide (priority 1) cells included: the apiserver always generates wide rows and kubectl hides
 * priority-1 columns unless `-o wide`.
 */
export interface ResourcePrinter {
  readonly columns: readonly TableColumnDefinition[];
  print(obj: KubeObject, now: Date): TableRowCells;
}
