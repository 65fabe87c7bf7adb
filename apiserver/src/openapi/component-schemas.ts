// Turns the loaded declarations into OpenAPI v3 component schemas shaped like the ones a
// real kube-apiserver serves under `components.schemas`:
//   - an object definition: {description, type: object, properties, required}
//   - a property referencing another definition: {allOf: [{$ref}], description} (a bare
//     {$ref} without description), extensions beside the reference
//   - Quantity: oneOf string|number; IntOrString: oneOf integer|string with format
//     int-or-string; Time/MicroTime: string, format date-time (kube-openapi's v3 forms)
//   - the x-kubernetes-* extensions of patch-metadata.ts
//
// What the declarations cannot say, and how it is filled in:
//   - every `number` becomes `integer`: of the definitions served only integers exist
//     (the only float fields of the Kubernetes API are in apiextensions' JSONSchemaProps);
//   - `format: byte` of []byte fields (Secret.data, ConfigMap.binaryData) is restated;
//   - apiVersion/kind are typed as literals by the generator, without descriptions: they
//     become plain strings carrying the descriptions of meta/v1 Status's own fields;
//   - StatefulSetSpec.volumeClaimTemplates is inlined by the generator (to relax
//     apiVersion/kind); upstream it is a list of PersistentVolumeClaim references.

import type { LoadedDefinition } from './model-files.ts';
import type { PropertyDeclaration, TypeExpr } from './model-declaration.ts';
import { PATCH_METADATA, STRUCT, type FieldPatchMetadata } from './patch-metadata.ts';

/** An OpenAPI v3 schema object, with Kubernetes' `x-kubernetes-*` extensions. */
export interface SchemaObject {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  additionalProperties?: SchemaObject | boolean;
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  $ref?: string;
  enum?: unknown[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>;
  [extension: `x-${string}`]: unknown;
}

export const SCHEMA_REF_PREFIX = '#/components/schemas/';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const STATUS = `${META}Status`;

/** Definitions whose JSON form is not an object: their upstream v3 schemas. */
const SCALAR_DEFINITIONS: Record<string, SchemaObject> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
  [`${META}Time`]: { type: 'string', format: 'date-time' },
  [`${META}MicroTime`]: { type: 'string', format: 'date-time' },
};

/** Formats of fields the declarations lose: definition -> property -> JSON path inside it. */
const BYTE_FIELDS: Record<string, Record<string, 'values' | 'self'>> = {
  'io.k8s.api.core.v1.Secret': { data: 'values' },
  'io.k8s.api.core.v1.ConfigMap': { binaryData: 'values' },
};

/** Properties whose generated declaration differs from upstream: definition -> property -> item definition. */
export const OVERRIDDEN_PROPERTIES: Record<string, Record<string, string>> = {
  'io.k8s.api.apps.v1.StatefulSetSpec': { volumeClaimTemplates: 'io.k8s.api.core.v1.PersistentVolumeClaim' },
};

export function refTo(name: string): string {
  return SCHEMA_REF_PREFIX + name;
}

function withSiblings(ref: string, siblings: SchemaObject): SchemaObject {
  return Object.keys(siblings).length === 0 ? { $ref: ref } : { allOf: [{ $ref: ref }], ...siblings };
}

class Builder {
  readonly #defs: Map<string, LoadedDefinition>;
  readonly #typeMetaDescriptions: Record<string, string | undefined>;

  constructor(defs: Map<string, LoadedDefinition>) {
    this.#defs = defs;
    const status = defs.get(STATUS)?.declaration.properties ?? [];
    this.#typeMetaDescriptions = {
      apiVersion: status.find((p) => p.name === 'apiVersion')?.description,
      kind: status.find((p) => p.name === 'kind')?.description,
    };
  }

  definition(def: LoadedDefinition): SchemaObject {
    const scalar = SCALAR_DEFINITIONS[def.name];
    const d = def.declaration;
    let schema: SchemaObject;
    if (scalar) schema = { ...(d.description ? { description: d.description } : {}), ...structuredClone(scalar) };
    else if (d.alias) schema = { ...(d.description ? { description: d.description } : {}), ...this.type(def, d.alias) };
    else {
      schema = {};
      if (d.description) schema.description = d.description;
      schema.type = 'object';
      const props = d.properties ?? [];
      if (props.length) {
        schema.properties = {};
        for (const p of props) schema.properties[p.name] = this.property(def, p);
        const required = props.filter((p) => !p.optional && p.name !== 'apiVersion' && p.name !== 'kind').map((p) => p.name);
        if (required.length) schema.required = required;
      }
    }
    const structType = PATCH_METADATA[def.name]?.[STRUCT];
    if (structType) schema['x-kubernetes-map-type'] = structType;
    return schema;
  }

  property(def: LoadedDefinition, p: PropertyDeclaration): SchemaObject {
    const description = p.description ?? (p.name === 'apiVersion' || p.name === 'kind' ? this.#typeMetaDescriptions[p.name] : undefined);
    const siblings: SchemaObject = {};
    if (description) siblings.description = description;
    const meta = PATCH_METADATA[def.name]?.[p.name];
    if (meta) Object.assign(siblings, extensions(meta));

    const override = OVERRIDDEN_PROPERTIES[def.name]?.[p.name];
    if (override) return { type: 'array', items: { $ref: refTo(override) }, ...siblings };

    let type = p.type;
    // The generator types apiVersion/kind as the literal of the kind; upstream they are strings.
    if ((p.name === 'apiVersion' || p.name === 'kind') && type.kind === 'literal') type = { kind: 'primitive', name: 'string' };
    const byteFormat = BYTE_FIELDS[def.name]?.[p.name];
    if (type.kind === 'ref') {
      return withSiblings(refTo(this.#target(def, type.identifier)), siblings);
    }
    const schema = { ...this.type(def, type), ...siblings };
    if (byteFormat === 'values' && typeof schema.additionalProperties === 'object') schema.additionalProperties = { ...schema.additionalProperties, format: 'byte' };
    if (byteFormat === 'self') schema.format = 'byte';
    return schema;
  }

  type(def: LoadedDefinition, t: TypeExpr): SchemaObject {
    switch (t.kind) {
      case 'primitive':
        if (t.name === 'any') return {};
        // See the header: every number of the served definitions is an integer.
        return { type: t.name === 'number' ? 'integer' : t.name };
      case 'literal':
        return { type: 'string', enum: [...t.values] };
      case 'ref':
        return { $ref: refTo(this.#target(def, t.identifier)) };
      case 'array':
        return { type: 'array', items: this.type(def, t.items) };
      case 'map':
        return { type: 'object', additionalProperties: this.type(def, t.values) };
      case 'union':
        return { oneOf: t.of.map((x) => this.type(def, x)) };
      case 'object': {
        const schema: SchemaObject = { type: 'object', properties: {} };
        for (const p of t.properties) schema.properties![p.name] = this.property(def, p);
        return schema;
      }
    }
  }

  #target(def: LoadedDefinition, identifier: string): string {
    const name = def.refs.get(identifier);
    if (!name || !this.#defs.has(name)) throw new Error(`${def.name}: unresolved reference ${identifier}`);
    return name;
  }
}

function extensions(meta: FieldPatchMetadata): SchemaObject {
  const out: SchemaObject = {};
  if (meta.strategy) out['x-kubernetes-patch-strategy'] = meta.strategy;
  if (meta.mergeKey) out['x-kubernetes-patch-merge-key'] = meta.mergeKey;
  if (meta.listType) out['x-kubernetes-list-type'] = meta.listType;
  if (meta.mapKeys) out['x-kubernetes-list-map-keys'] = [...meta.mapKeys];
  if (meta.mapType) out['x-kubernetes-map-type'] = meta.mapType;
  return out;
}

/** One v3 component schema per loaded definition, keyed by definition name. */
export function buildComponentSchemas(defs: Map<string, LoadedDefinition>): Record<string, SchemaObject> {
  const builder = new Builder(defs);
  const out: Record<string, SchemaObject> = {};
  for (const name of [...defs.keys()].sort()) out[name] = builder.definition(defs.get(name)!);
  return out;
}
