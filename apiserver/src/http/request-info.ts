// Parses a resource URL the way the apiserver's RequestInfoFactory does:
//   /api/v1/namespaces/{ns}/{resource}[/{name}[/{subresource}]]
//   /api/v1/{resource}[/{name}[/{subresource}]]             (cluster-scoped, or across namespaces)
//   /apis/{group}/{version}/...                               (same shapes)
//   /api/v1/namespaces/{name}[/status|/finalize]              (the namespace object itself)

import { findResource, notFound, type ResourceInfo } from '@minik8s/shared';

export interface ResourceRequest {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function parseResourcePath(group: string, version: string, rest: string[]): ResourceRequest {
  const parts = rest.filter((p) => p !== '').map(decodeURIComponent);
  let namespace: string | undefined;
  let remaining = parts;
  if (parts[0] === 'namespaces' && parts.length >= 3 && !(parts.length === 3 && (parts[2] === 'status' || parts[2] === 'finalize'))) {
    namespace = parts[1];
    remaining = parts.slice(2);
  }
  const [resource, name, subresource, ...extra] = remaining;
  const info = resource ? findResource(group, resource) : undefined;
  if (!info || info.version !== version || extra.length > 0) {
    throw notFound({ group, resource: resource ?? '' }, name ?? '');
  }
  if (subresource && !(info.subresources ?? []).includes(subresource)) {
    throw notFound({ group, resource: `${resource}/${subresource}` }, name ?? '');
  }
  if (namespace !== undefined && !info.namespaced) throw notFound({ group, resource }, name ?? '');
  const req: ResourceRequest = { info };
  if (namespace !== undefined) req.namespace = namespace;
  if (name !== undefined) req.name = name;
  if (subresource !== undefined) req.subresource = subresource;
  return req;
}
