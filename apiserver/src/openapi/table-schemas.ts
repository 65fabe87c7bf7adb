// meta.k8s.io/v1 Table, the server-side printing format kubectl asks for. Upstream does not
// publish it in the OpenAPI documents (it is not a stored kind), so kubernetes-models has no
// declaration for it: these schemas are written here, after metav1.Table's Go type.

import type { SchemaObject } from './component-schemas.ts';
import { refTo } from './component-schemas.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

export const TABLE_SCHEMAS: Record<string, SchemaObject> = {
  [`${META}Table`]: {
    description: 'Table is a tabular representation of a set of API resources. The server transforms the object into a set of preferred columns for quickly reviewing the objects.',
    type: 'object',
    required: ['columnDefinitions', 'rows'],
    properties: {
      apiVersion: { type: 'string', description: 'The versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'The REST resource this object represents.' },
      metadata: { allOf: [{ $ref: refTo(`${META}ListMeta`) }], description: 'Standard list metadata.' },
      columnDefinitions: {
        type: 'array',
        items: { $ref: refTo(`${META}TableColumnDefinition`) },
        description: 'The columns present in this table, in order.',
        'x-kubernetes-list-type': 'atomic',
      },
      rows: {
        type: 'array',
        items: { $ref: refTo(`${META}TableRow`) },
        description: 'The list of items in the table.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
  },
  [`${META}TableColumnDefinition`]: {
    description: 'A column in a Table.',
    type: 'object',
    required: ['name', 'type', 'format', 'description', 'priority'],
    properties: {
      name: { type: 'string', description: 'A human readable name for the column.' },
      type: { type: 'string', description: 'An OpenAPI type for the column: number, integer, string or boolean.' },
      format: { type: 'string', description: 'An optional OpenAPI format modifier of the type, e.g. name or date-time.' },
      description: { type: 'string', description: 'A human readable description of the column.' },
      priority: { type: 'integer', format: 'int32', description: 'How important the column is: 0 is shown always, higher values only in wider output.' },
    },
  },
  [`${META}TableRow`]: {
    description: 'A single row of a Table.',
    type: 'object',
    required: ['cells'],
    properties: {
      cells: { type: 'array', items: {}, description: 'The values of the columns, in the order of columnDefinitions.', 'x-kubernetes-list-type': 'atomic' },
      conditions: {
        type: 'array',
        items: { $ref: refTo(`${META}TableRowCondition`) },
        description: 'Extra state of the row, such as Completed for a finished pod.',
        'x-kubernetes-list-type': 'atomic',
      },
      object: { type: 'object', description: 'The object the row describes (PartialObjectMetadata unless the full object was asked for).' },
    },
  },
  [`${META}TableRowCondition`]: {
    description: 'A condition of a Table row.',
    type: 'object',
    required: ['type', 'status'],
    properties: {
      type: { type: 'string', description: 'The type of the condition, e.g. Completed.' },
      status: { type: 'string', description: 'True, False or Unknown.' },
      reason: { type: 'string', description: 'A machine readable reason for the last transition.' },
      message: { type: 'string', description: 'A human readable message about the last transition.' },
    },
  },
};
