// OpenAPI for the apiserver: the schemas of every served kind (from the official Kubernetes
// definitions, via the kubernetes-models package), structural validation of request bodies,
// the patch metadata strategic merge patch needs, and the /openapi/v3 and /openapi/v2 routes.
// See README.md in this folder.

export type { SchemaObject } from './component-schemas.ts';
export { schemaForKind, resolveRef, definitionForKind } from './schema-catalog.ts';
export { validateStructure, type StructuralResult } from './structural-validation.ts';
export { openapiV3Index, openapiV3GroupVersion, openapiV2, groupVersionPath } from './openapi-documents.ts';
export { registerOpenAPIRoutes } from './openapi-routes.ts';
export { warmUpOpenAPI } from './warm-up.ts';
