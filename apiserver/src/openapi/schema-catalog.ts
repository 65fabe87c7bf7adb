// The component schemas of every served kind and what they reference, built once on first
// use (about 250 declarations read from kubernetes-models, a few tens of milliseconds) and
// shared, deeply frozen, by validation, strategic merge patch and the OpenAPI documents.

import { buildComponentSchemas, SCHEMA_REF_PREFIX, OVERRIDDEN_PROPERTIES, type SchemaObject } from './component-schemas.ts';
import { loadClosure } from './model-files.ts';
import { EXTRA_DEFINITIONS, servedKinds, type GroupVersionKind } from './served-kinds.ts';
import { TABLE_SCHEMAS } from './table-schemas.ts';

export interface SchemaCatalog {
  /** Component schemas by definition name. */
  readonly schemas: Readonly<Record<string, SchemaObject>>;
  /** `group/version/kind` -> definition name. */
  readonly byKind: ReadonlyMap<string, string>;
}

let catalog: SchemaCatalog | undefined;

function kindKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function schemaCatalog(): SchemaCatalog {
  if (catalog) return catalog;
  const kinds = servedKinds();
  const roots = new Set<string>(EXTRA_DEFINITIONS);
  for (const k of kinds) if (!TABLE_SCHEMAS[k.definition]) roots.add(k.definition);
  // Table references ListMeta; the overrides reference definitions the declarations do not.
  roots.add('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta');
  const extra = Object.values(OVERRIDDEN_PROPERTIES).flatMap((byProp) => Object.values(byProp));
  const schemas = buildComponentSchemas(loadClosure(roots, extra));
  Object.assign(schemas, structuredClone(TABLE_SCHEMAS));

  const byKind = new Map<string, string>();
  const gvks = new Map<string, GroupVersionKind[]>();
  for (const k of kinds) {
    byKind.set(kindKey(k.group, k.version, k.kind), k.definition);
    const list = gvks.get(k.definition) ?? [];
    list.push({ group: k.group, kind: k.kind, version: k.version });
    gvks.set(k.definition, list);
  }
  for (const [definition, list] of gvks) {
    const schema = schemas[definition];
    if (!schema) throw new Error(`no schema for ${definition}`);
    schema['x-kubernetes-group-version-kind'] = list;
  }
  catalog = deepFreeze({ schemas, byKind });
  return catalog;
}

/** The component schema of a kind (an object schema, never a bare reference), if served. */
export function schemaForKind(group: string, version: string, kind: string): SchemaObject | undefined {
  const c = schemaCatalog();
  const name = c.byKind.get(kindKey(group, version, kind));
  return name ? c.schemas[name] : undefined;
}

/** The definition name of a kind, e.g. `io.k8s.api.core.v1.Pod`. */
export function definitionForKind(group: string, version: string, kind: string): string | undefined {
  return schemaCatalog().byKind.get(kindKey(group, version, kind));
}

/**
 * Resolves `#/components/schemas/<name>` (or a bare definition name). Throws on an unknown
 * reference: every reference inside the served schemas resolves, so one that does not is a
 * server bug, not bad input.
 */
export function resolveRef(ref: string): SchemaObject {
  const name = ref.startsWith(SCHEMA_REF_PREFIX) ? ref.slice(SCHEMA_REF_PREFIX.length) : ref;
  const schema = schemaCatalog().schemas[name];
  if (!schema) throw new Error(`unable to resolve ${ref} in OpenAPI V3`);
  return schema;
}
