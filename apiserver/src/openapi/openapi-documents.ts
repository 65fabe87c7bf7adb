// The OpenAPI documents, as kube-apiserver serves them (k8s.io/kube-openapi handler3):
//   GET /openapi/v3 -> {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=<H>"}, ...}}
//   GET /openapi/v3/api/v1, /openapi/v3/apis/apps/v1 -> one OpenAPI 3.0 document per group-version
//   GET /openapi/v2 -> one Swagger 2.0 document of everything (optional upstream too)
// H is the upper-case hex SHA-512 of the group-version document's bytes, so a client may cache
// a document by URL forever. Each document is built and serialized once, on first request.

import { createHash } from 'node:crypto';
import { RESOURCES, type ResourceInfo } from '@minik8s/shared';
import { VERSION_INFO } from '../http/health.ts';
import { SCHEMA_REF_PREFIX, type SchemaObject } from './component-schemas.ts';
import { resourcePaths, type PathItem } from './resource-operations.ts';
import { schemaCatalog } from './schema-catalog.ts';

export interface SerializedDocument {
  /** The JSON text served. */
  readonly json: string;
  /** `json` as UTF-8, what is written on the wire. */
  readonly bytes: Buffer;
  /** Upper-case hex SHA-512 of `json`, the `hash` of serverRelativeURL and the ETag. */
  readonly hash: string;
}

const INFO = { title: 'Kubernetes', version: VERSION_INFO.gitVersion };

function serialize(doc: object): SerializedDocument {
  const json = JSON.stringify(doc);
  const bytes = Buffer.from(json, 'utf8');
  return { json, bytes, hash: createHash('sha512').update(bytes).digest('hex').toUpperCase() };
}

/** `api/v1` or `apis/<group>/<version>`: a group-version's path under /openapi/v3. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function resourcesByGroupVersion(): Map<string, ResourceInfo[]> {
  const out = new Map<string, ResourceInfo[]>();
  for (const r of RESOURCES) {
    const p = groupVersionPath(r.group, r.version);
    out.set(p, [...(out.get(p) ?? []), r]);
  }
  return out;
}

/** Collects the definition names referenced anywhere in `value`, transitively through the catalog. */
function referencedDefinitions(value: unknown, schemas: Readonly<Record<string, SchemaObject>>): string[] {
  const seen = new Set<string>();
  const visit = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string' && x.startsWith(SCHEMA_REF_PREFIX)) {
          const name = x.slice(SCHEMA_REF_PREFIX.length);
          if (!seen.has(name)) {
            seen.add(name);
            if (!schemas[name]) throw new Error(`OpenAPI document references unknown ${name}`);
            visit(schemas[name]);
          }
        } else visit(x);
      }
    }
  };
  visit(value);
  return [...seen].sort();
}

function buildGroupVersionDocument(resources: ResourceInfo[]): object {
  const { schemas } = schemaCatalog();
  const paths: Record<string, PathItem> = {};
  for (const r of resources) Object.assign(paths, resourcePaths(r));
  const components: Record<string, SchemaObject> = {};
  for (const name of referencedDefinitions(paths, schemas)) components[name] = schemas[name];
  return {
    openapi: '3.0.0',
    info: INFO,
    paths,
    components: {
      schemas: components,
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  };
}

let groupVersionDocs: Map<string, SerializedDocument> | undefined;
let indexDoc: SerializedDocument | undefined;
let v2Doc: SerializedDocument | undefined;

function allGroupVersionDocuments(): Map<string, SerializedDocument> {
  if (groupVersionDocs) return groupVersionDocs;
  const out = new Map<string, SerializedDocument>();
  for (const [path, resources] of resourcesByGroupVersion()) out.set(path, serialize(buildGroupVersionDocument(resources)));
  groupVersionDocs = out;
  return out;
}

/** The serialized document of `api/v1`, `apis/apps/v1`, ...; undefined for a path not served. */
export function groupVersionDocument(path: string): SerializedDocument | undefined {
  return allGroupVersionDocuments().get(path.replace(/^\/+|\/+$/g, ''));
}

/** The serialized `/openapi/v3` discovery document. */
export function v3IndexDocument(): SerializedDocument {
  if (indexDoc) return indexDoc;
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, doc] of allGroupVersionDocuments()) {
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${doc.hash}` };
  }
  indexDoc = serialize({ paths });
  return indexDoc;
}

/** The `/openapi/v3` document. */
export function openapiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  return JSON.parse(v3IndexDocument().json);
}

/** The document of one group-version (`api/v1`, `apis/apps/v1`), undefined when not served. */
export function openapiV3GroupVersion(path: string): Record<string, any> | undefined {
  const doc = groupVersionDocument(path);
  return doc ? JSON.parse(doc.json) : undefined;
}

// ---- Swagger 2.0 ----------------------------------------------------------------------

const V2_REF_PREFIX = '#/definitions/';

/** A v3 schema in v2 form: `#/definitions/` references, a single allOf reference flattened, no oneOf. */
function toV2Schema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toV2Schema);
  if (!s || typeof s !== 'object') return s;
  const src = s as SchemaObject;
  if (src.allOf && src.allOf.length === 1 && src.allOf[0].$ref && !src.properties) {
    const { allOf, ...rest } = src;
    return { ...(toV2Schema(rest) as object), $ref: V2_REF_PREFIX + allOf[0].$ref!.slice(SCHEMA_REF_PREFIX.length) };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === '$ref' && typeof v === 'string') out.$ref = V2_REF_PREFIX + v.slice(SCHEMA_REF_PREFIX.length);
    else if (k === 'oneOf') {
      // Quantity and IntOrString: v2 has no oneOf; upstream's v2 form is a string (with format int-or-string).
      out.type = 'string';
    } else out[k] = toV2Schema(v);
  }
  return out;
}

function toV2Operation(op: Record<string, any>): object {
  const { requestBody, responses, parameters, ...rest } = op;
  const params: object[] = (parameters ?? []).map((p: Record<string, any>) => {
    const { schema, ...pr } = p;
    return { ...pr, type: schema.type, uniqueItems: true };
  });
  if (requestBody) {
    const media = Object.values(requestBody.content)[0] as { schema: unknown };
    params.unshift({ name: 'body', in: 'body', required: requestBody.required === true, schema: toV2Schema(media.schema) });
  }
  const res: Record<string, object> = {};
  for (const [code, r] of Object.entries<Record<string, any>>(responses)) {
    const media = r.content ? (Object.values(r.content)[0] as { schema: unknown }) : undefined;
    res[code] = { description: r.description, ...(media ? { schema: toV2Schema(media.schema) } : {}) };
  }
  return {
    ...rest,
    consumes: requestBody ? Object.keys(requestBody.content) : ['*/*'],
    produces: ['application/json', 'application/yaml'],
    schemes: ['https'],
    ...(params.length ? { parameters: params } : {}),
    responses: res,
  };
}

/** The serialized `/openapi/v2` document: every served path and definition. */
export function v2Document(): SerializedDocument {
  if (v2Doc) return v2Doc;
  const { schemas } = schemaCatalog();
  const paths: Record<string, object> = {};
  for (const r of RESOURCES) {
    for (const [path, item] of Object.entries(resourcePaths(r))) {
      const out: Record<string, unknown> = {};
      for (const [method, op] of Object.entries(item)) {
        out[method] = method === 'parameters' ? (op as Array<Record<string, any>>).map(({ schema, ...p }) => ({ ...p, type: schema.type, uniqueItems: true })) : toV2Operation(op as Record<string, any>);
      }
      paths[path] = out;
    }
  }
  const definitions: Record<string, unknown> = {};
  for (const name of Object.keys(schemas).sort()) definitions[name] = toV2Schema(schemas[name]);
  v2Doc = serialize({
    swagger: '2.0',
    info: INFO,
    paths,
    definitions,
    securityDefinitions: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  });
  return v2Doc;
}

/** The `/openapi/v2` document. */
export function openapiV2(): Record<string, any> {
  return JSON.parse(v2Document().json);
}
