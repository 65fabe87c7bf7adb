// The patch types of PATCH requests, as pure functions on plain JSON values. Each returns a
// new value and never modifies its inputs; a bad patch throws PatchError, whose `code` says
// whether Kubernetes answers 400 (malformed patch) or 422 (cannot apply to this object).
export { PatchError, type PatchErrorCode } from './patch-error.ts';
export { applyJsonPatch, formatJsonPointer, parseJsonPointer, type JsonPatchOperation } from './json-patch.ts';
export { applyMergePatch } from './merge-patch.ts';
export { applyStrategicMergePatch } from './strategic-merge-patch.ts';
export type { PatchSchema, ResolveRef } from './patch-meta.ts';
