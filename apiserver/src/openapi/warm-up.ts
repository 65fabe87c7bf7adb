// Everything here is built on first use: the schemas (~40 ms), one ajv validator per kind
// (~0.3 s for the first, which compiles the shared definitions, a few ms for each next one)
// and the serialized documents. A server may call warmUpOpenAPI() after it starts listening
// so the first write and the first kubectl apply do not pay for it.

import { RESOURCES } from '@minik8s/shared';
import { v2Document, v3IndexDocument } from './openapi-documents.ts';
import { validateStructure } from './structural-validation.ts';

export function warmUpOpenAPI(): void {
  for (const r of RESOURCES) validateStructure(r.group, r.version, r.kind, {});
  v3IndexDocument();
  v2Document();
}
