// Content negotiation: kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io` when it
// prints; everything else gets JSON (protobuf requests fall back to JSON, as they may).

export interface TableRequest {
  includeObject: 'None' | 'Metadata' | 'Object';
}

export function wantsTable(accept: string | undefined, includeObject: string | undefined): TableRequest | undefined {
  // Only a part with the parameter as=Table (exactly so) can ask for a Table: plain JSON clients,
  // nearly every request, are answered without parsing their Accept header.
  if (!accept || !accept.includes('as=Table')) return undefined;
  for (const part of accept.split(',')) {
    const params = part.split(';').map((s) => s.trim());
    if (params[0] !== 'application/json') continue;
    const kv = new Map(params.slice(1).map((p) => p.split('=') as [string, string]));
    if (kv.get('as') === 'Table' && kv.get('g') === 'meta.k8s.io' && (kv.get('v') === 'v1' || kv.get('v') === 'v1beta1')) {
      const io = includeObject === 'None' || includeObject === 'Object' ? includeObject : 'Metadata';
      return { includeObject: io };
    }
    return undefined; // plain JSON listed before any Table form: prefer it
  }
  return undefined;
}
