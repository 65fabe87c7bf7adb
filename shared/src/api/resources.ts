// The catalogue of built-in resources this cluster serves. The apiserver derives its routes
// and discovery documents from it; the REST client derives its paths from it.

export interface ResourceInfo {
  group: string; // "" for core
  version: string;
  resource: string; // plural, as in URLs
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Subresources served beside the main resource, e.g. status, scale, binding, log, exec. */
  subresources?: string[];
}

function r(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<Pick<ResourceInfo, 'shortNames' | 'categories' | 'subresources' | 'singular'>> = {},
): ResourceInfo {
  return {
    group,
    version,
    resource,
    singular: extra.singular ?? kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    ...(extra.shortNames ? { shortNames: extra.shortNames } : {}),
    ...(extra.categories ? { categories: extra.categories } : {}),
    ...(extra.subresources ? { subresources: extra.subresources } : {}),
  };
}

const ALL = ['all'];

export const RESOURCES: readonly ResourceInfo[] = [
  r('', 'v1', 'namespaces', 'Namespace', false, { shortNames: ['ns'], subresources: ['status', 'finalize'] }),
  r('', 'v1', 'pods', 'Pod', true, { shortNames: ['po'], categories: ALL, subresources: ['status', 'binding', 'log', 'exec', 'eviction'] }),
  r('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: ['status', 'proxy'] }),
  r('', 'v1', 'services', 'Service', true, { shortNames: ['svc'], categories: ALL, subresources: ['status'] }),
  r('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'], singular: 'endpoints' }),
  r('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  r('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  r('', 'v1', 'secrets', 'Secret', true),
  r('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  r('', 'v1', 'componentstatuses', 'ComponentStatus', false, { shortNames: ['cs'] }),
  r('apps', 'v1', 'deployments', 'Deployment', true, { shortNames: ['deploy'], categories: ALL, subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'replicasets', 'ReplicaSet', true, { shortNames: ['rs'], categories: ALL, subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], categories: ALL, subresources: ['status'] }),
  r('apps', 'v1', 'statefulsets', 'StatefulSet', true, { shortNames: ['sts'], categories: ALL, subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  r('batch', 'v1', 'jobs', 'Job', true, { categories: ALL, subresources: ['status'] }),
  r('batch', 'v1', 'cronjobs', 'CronJob', true, { shortNames: ['cj'], categories: ALL, subresources: ['status'] }),
  r('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
];

export function groupVersion(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

export function findResource(group: string, resource: string): ResourceInfo | undefined {
  return RESOURCES.find((x) => x.group === group && x.resource === resource);
}

export function findKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((x) => groupVersion(x) === apiVersion && x.kind === kind);
}

/** The URL path of a collection or an object: /api/v1/namespaces/ns/pods[/name[/sub]]. */
export function resourcePath(info: ResourceInfo, namespace?: string, name?: string, subresource?: string): string {
  let p = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  if (info.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${info.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}
