// Column definitions helpers. Descriptions are the OpenAPI field descriptions upstream puts in
// its Tables (metav1.ObjectMeta{}.SwaggerDoc() and friends), verbatim for the columns every
// table has, shortened to their first sentences elsewhere.

import type { TableColumnDefinition } from './types.ts';

export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

export const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const CONTAINERS_DESCRIPTION = 'Names of each container in the template.';
export const IMAGES_DESCRIPTION = 'Images referenced by each container in the template.';

/** A column shown by default (priority 0). */
export function column(name: string, type: string, description: string, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority: 0 };
}

/** A column shown only with `-o wide` (priority 1). */
export function wideColumn(name: string, type: string, description: string, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority: 1 };
}

/** The `Name` column (format `name`, which kubectl uses for `-o name`-like handling and `-A`). */
export function nameColumn(): TableColumnDefinition {
  return column('Name', 'string', NAME_DESCRIPTION, 'name');
}

/** The `Age` column: a string such as `5m`, computed by the server at request time. */
export function ageColumn(): TableColumnDefinition {
  return column('Age', 'string', CREATION_TIMESTAMP_DESCRIPTION);
}
