// Patch metadata from an OpenAPI v3 schema, as upstream's PatchMetaFromOpenAPIV3: for a
// field of an object, its `x-kubernetes-patch-strategy` (possibly a comma list such as
// `merge,retainKeys`), its `x-kubernetes-patch-merge-key`, and the schema to descend into.
//
// The extensions sit on the property itself, beside a `$ref` or an `allOf: [{$ref}]`
// wrapper, so they are read before the reference is resolved. A field the schema does not
// know (or no schema at all) has no metadata: its maps merge and its lists are atomic, i.e.
// JSON merge patch behaviour. Unlike upstream, an unknown field is not an error here: the
// caller's field validation decides about unknown fields.

/** The parts of an OpenAPI v3 schema object strategic merge patch reads. */
export interface PatchSchema {
  type?: string | string[];
  properties?: Record<string, PatchSchema>;
  items?: PatchSchema;
  additionalProperties?: PatchSchema | boolean;
  allOf?: PatchSchema[];
  $ref?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
}

/** Resolves `#/components/schemas/<name>`; undefined when unknown (a server bug, not a user error). */
export type ResolveRef = (ref: string) => object | undefined;

export interface PatchMeta {
  /** The strategy besides retainKeys: 'merge', 'replace' or '' (none). */
  readonly strategy: string;
  /** Whether `retainKeys` is among the strategies. */
  readonly retainKeys: boolean;
  /** The merge key of a list of objects ('' for lists of primitives or no key). */
  readonly mergeKey: string;
}

const NO_META: PatchMeta = { strategy: '', retainKeys: false, mergeKey: '' };

type Schema = Record<string, unknown>;

function asSchema(v: unknown): Schema | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Schema) : undefined;
}

export class PatchMetaLookup {
  readonly #resolve: ResolveRef;

  constructor(resolve: ResolveRef) {
    this.#resolve = resolve;
  }

  /** Follows `allOf[0]` and `$ref` until a concrete schema. Throws (500) on a dangling ref. */
  deref(schema: object | undefined): Schema | undefined {
    let s = asSchema(schema);
    for (let depth = 0; s && depth < 64; depth++) {
      const allOf = s.allOf;
      if (Array.isArray(allOf) && allOf.length > 0) {
        s = asSchema(allOf[0]);
        continue;
      }
      if (typeof s.$ref === 'string') {
        const target = this.#resolve(s.$ref);
        if (!target) throw new Error(`unable to resolve ${s.$ref} in OpenAPI V3`);
        s = asSchema(target);
        continue;
      }
      return s;
    }
    return s;
  }

  /** The (unresolved) property schema of `key` in an object schema, or its additionalProperties. */
  #property(schema: Schema | undefined, key: string): Schema | undefined {
    if (!schema) return undefined;
    const props = asSchema(schema.properties);
    if (props && Object.prototype.hasOwnProperty.call(props, key)) return asSchema(props[key]);
    return asSchema(schema.additionalProperties);
  }

  #meta(prop: Schema | undefined): PatchMeta {
    if (!prop) return NO_META;
    const rawStrategy = prop['x-kubernetes-patch-strategy'];
    const mergeKey = typeof prop['x-kubernetes-patch-merge-key'] === 'string' ? (prop['x-kubernetes-patch-merge-key'] as string) : '';
    const strategies = typeof rawStrategy === 'string' && rawStrategy !== '' ? rawStrategy.split(',').map((s) => s.trim()) : [];
    // As upstream extractRetainKeysPatchStrategy: at most two, one of which is retainKeys.
    let strategy = '';
    let retainKeys = false;
    if (strategies.length === 1) {
      if (strategies[0] === 'retainKeys') retainKeys = true;
      else strategy = strategies[0];
    } else if (strategies.length === 2 && strategies.includes('retainKeys')) {
      retainKeys = true;
      strategy = strategies[0] === 'retainKeys' ? strategies[1] : strategies[0];
    } else if (strategies.length > 0) {
      throw new Error(`unexpected patch strategy: ${rawStrategy}`);
    }
    return { strategy, retainKeys, mergeKey };
  }

  /** Metadata and schema of an object-valued field `key` of `schema` (a resolved schema). */
  forMap(schema: Schema | undefined, key: string): { meta: PatchMeta; schema: Schema | undefined } {
    const prop = this.#property(schema, key);
    return { meta: this.#meta(prop), schema: this.deref(prop) };
  }

  /**
   * Metadata of a list-valued field `key` of `schema`, and the schema of its items. As
   * upstream, a list property without `items` (a pointer to a struct used as a list) takes
   * its own resolved schema as the item schema.
   */
  forList(schema: Schema | undefined, key: string): { meta: PatchMeta; items: Schema | undefined } {
    const prop = this.#property(schema, key);
    const meta = this.#meta(prop);
    if (prop && asSchema(prop.items)) return { meta, items: this.deref(asSchema(prop.items)) };
    const resolved = this.deref(prop);
    if (resolved && asSchema(resolved.items)) return { meta, items: this.deref(asSchema(resolved.items)) };
    return { meta, items: resolved };
  }

  /** A name for messages: the schema's type, or "Struct" as upstream says. */
  name(schema: Schema | undefined): string {
    const t = schema?.type;
    return Array.isArray(t) ? t.join('') : typeof t === 'string' && t ? t : 'Struct';
  }
}
