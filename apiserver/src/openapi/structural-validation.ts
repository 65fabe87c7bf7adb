// What Kubernetes' strict JSON decoding reports about a request body, computed from the
// served schemas with ajv: fields the Go type does not have (`unknown field "spec.foo"`,
// which fieldValidation Strict/Warn/Ignore turns into an error, a warning or nothing) and
// values of the wrong JSON type (always an error: the decoder cannot read them).
//
// Contract:
//   - unknownFields are paths in document order, `spec.containers[0].imagePullPolicyy`;
//     metadata counts like any other field. Schemas without declared properties
//     (FieldsV1, RawExtension) take anything.
//   - null is accepted everywhere (the Go decoder leaves the field at its zero value);
//     Quantity accepts a string or a number, IntOrString an integer or a string.
//   - required fields and enums are NOT checked here: the semantic validation of each
//     strategy does that, with Kubernetes' own messages.
//   - errors are FieldValueTypeInvalid with kube-openapi's wording, e.g.
//     `Invalid value: "string": spec.replicas in body must be of type integer: "string"`.
// One validator is compiled per kind on first use (the referenced definitions are compiled
// once and shared) and cached.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FieldError } from '@minik8s/shared';
import { SCHEMA_REF_PREFIX, type SchemaObject } from './component-schemas.ts';
import { definitionForKind, schemaCatalog } from './schema-catalog.ts';

export interface StructuralResult {
  unknownFields: string[];
  errors: FieldError[];
}

type AjvSchema = Record<string, unknown>;

function nullable(...types: string[]): AjvSchema {
  return { type: [...types, 'null'] };
}

/** The ajv form of one served schema: types, structure and formats only. */
function toAjv(s: SchemaObject): AjvSchema {
  if (s.$ref) return { $ref: s.$ref.slice(SCHEMA_REF_PREFIX.length) };
  if (s.allOf && s.allOf.length === 1 && !s.properties) return toAjv(s.allOf[0]);
  if (s.format === 'int-or-string') return nullable('integer', 'string');
  if (s.oneOf) {
    const types = s.oneOf.map((x) => x.type).filter((t): t is string => typeof t === 'string');
    return nullable(...types);
  }
  switch (s.type) {
    case 'object': {
      const out = nullable('object');
      if (s.properties) {
        const props: Record<string, AjvSchema> = {};
        for (const [k, v] of Object.entries(s.properties)) props[k] = toAjv(v);
        out.properties = props;
        out.additionalProperties = false;
      } else if (typeof s.additionalProperties === 'object') {
        out.additionalProperties = toAjv(s.additionalProperties);
      }
      return out;
    }
    case 'array':
      return { ...nullable('array'), ...(s.items ? { items: toAjv(s.items) } : {}) };
    case 'string':
      return { ...nullable('string'), ...(s.format === 'date-time' || s.format === 'byte' ? { format: s.format } : {}) };
    case 'integer':
    case 'number':
    case 'boolean':
      return nullable(s.type);
    default:
      return {};
  }
}

// Go's time.Parse(time.RFC3339, ...), which metav1.Time and MicroTime decode with.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
// encoding/json decodes []byte with base64.StdEncoding, which skips \r and \n.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function ajvInstance(): Ajv {
  if (ajv) return ajv;
  const a = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true, inlineRefs: false });
  a.addFormat('date-time', { type: 'string', validate: (v: string) => RFC3339.test(v) && !Number.isNaN(Date.parse(v)) });
  a.addFormat('byte', { type: 'string', validate: (v: string) => BASE64.test(v.replace(/[\r\n]/g, '')) });
  for (const [name, schema] of Object.entries(schemaCatalog().schemas)) a.addSchema({ $id: name, ...toAjv(schema) });
  ajv = a;
  return a;
}

function validatorFor(definition: string): ValidateFunction {
  let v = validators.get(definition);
  if (!v) {
    v = ajvInstance().getSchema(definition);
    if (!v) throw new Error(`no validator for ${definition}`);
    validators.set(definition, v);
  }
  return v;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** `/spec/containers/0/image` -> `spec.containers[0].image`, using the data to tell indices from keys. */
function fieldPath(root: unknown, pointer: string): string {
  if (pointer === '') return '';
  let path = '';
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      path += `[${seg}]`;
      cur = cur[Number(seg)];
    } else {
      path += path === '' ? seg : `.${seg}`;
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return path;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The fields of `root` in document order (depth first), for ordering reports as the decoder does. */
function documentOrder(root: unknown): Map<string, number> {
  const order = new Map<string, number>();
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const p = join(path, k);
        order.set(p, order.size);
        walk(x, p);
      }
    }
  };
  walk(root, '');
  return order;
}

function typeError(field: string, expected: string, actual: string, shown: string): FieldError {
  const name = field === '' ? 'body' : field;
  return { type: 'FieldValueTypeInvalid', field, detail: `Invalid value: "${shown}": ${name} in body must be of type ${expected}: "${actual}"` };
}

function report(errors: ErrorObject[], obj: unknown): StructuralResult {
  const unknownFields: string[] = [];
  const typeErrors: Array<{ at: string; error: FieldError }> = [];
  for (const e of errors) {
    const at = fieldPath(obj, e.instancePath);
    if (e.keyword === 'additionalProperties') {
      unknownFields.push(join(at, String((e.params as { additionalProperty: string }).additionalProperty)));
    } else if (e.keyword === 'type') {
      const expected = String((e.params as { type: string | string[] }).type)
        .split(',')
        .filter((t) => t !== 'null')
        .join(',');
      const actual = jsonType(e.data);
      typeErrors.push({ at, error: typeError(at, expected, actual, actual) });
    } else if (e.keyword === 'format') {
      const value = String(e.data);
      typeErrors.push({ at, error: typeError(at, String((e.params as { format: string }).format), value, value) });
    }
  }
  if (unknownFields.length + typeErrors.length > 1) {
    const order = documentOrder(obj);
    const rank = (p: string) => order.get(p) ?? Number.MAX_SAFE_INTEGER;
    unknownFields.sort((a, b) => rank(a) - rank(b));
    typeErrors.sort((a, b) => rank(a.at) - rank(b.at));
  }
  return { unknownFields, errors: typeErrors.map((t) => t.error) };
}

/**
 * Checks `obj` against the schema of group/version/kind. A kind without a schema yields
 * nothing to report (nothing is known about its fields).
 */
export function validateStructure(group: string, version: string, kind: string, obj: unknown): StructuralResult {
  const definition = definitionForKind(group, version, kind);
  if (!definition) return { unknownFields: [], errors: [] };
  const validate = validatorFor(definition);
  if (validate(obj)) return { unknownFields: [], errors: [] };
  return report(validate.errors ?? [], obj);
}
