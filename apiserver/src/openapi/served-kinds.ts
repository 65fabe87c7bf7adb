// Which kinds have schemas, and under which definition names: every resource of the
// catalogue (shared/src/api/resources.ts) and its list, the kinds its subresources take
// (Scale, Binding, Eviction), and the meta kinds every group serves (Status, DeleteOptions,
// Table). Group-version-kinds map to upstream definition names by the Go package
// convention: group `coordination.k8s.io` -> `io.k8s.api.coordination.<version>.<Kind>`.

import { RESOURCES, type ResourceInfo } from '@minik8s/shared';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface ServedKind extends GroupVersionKind {
  /** The component schema name, e.g. `io.k8s.api.apps.v1.Deployment`. */
  definition: string;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

export function definitionNameOf(group: string, version: string, kind: string): string {
  const pkg = group === '' ? 'core' : group.split('.')[0];
  return `io.k8s.api.${pkg}.${version}.${kind}`;
}

/** The group-version-kind a subresource's body has, for subresources that take a body. */
export function subresourceKind(info: ResourceInfo, subresource: string): GroupVersionKind | undefined {
  switch (subresource) {
    case 'status':
    case 'finalize':
      return { group: info.group, version: info.version, kind: info.kind };
    case 'scale':
      return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    case 'binding':
      return { group: '', version: 'v1', kind: 'Binding' };
    case 'eviction':
      return { group: 'policy', version: 'v1', kind: 'Eviction' };
    default:
      return undefined;
  }
}

/** Group-versions whose DeleteOptions we accept: every served one, plus meta.k8s.io/v1. */
function deleteOptionsVersions(): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  for (const gv of [{ group: 'autoscaling', version: 'v1' }, { group: 'policy', version: 'v1' }, { group: 'meta.k8s.io', version: 'v1' }]) {
    seen.set(`${gv.group}/${gv.version}`, gv);
  }
  return [...seen.values()];
}

let served: ServedKind[] | undefined;

export function servedKinds(): readonly ServedKind[] {
  if (served) return served;
  const out: ServedKind[] = [];
  const add = (group: string, version: string, kind: string, definition = definitionNameOf(group, version, kind)) => {
    if (!out.some((k) => k.group === group && k.version === version && k.kind === kind)) out.push({ group, version, kind, definition });
  };
  for (const r of RESOURCES) {
    add(r.group, r.version, r.kind);
    add(r.group, r.version, r.listKind);
    for (const sub of r.subresources ?? []) {
      const gvk = subresourceKind(r, sub);
      if (gvk) add(gvk.group, gvk.version, gvk.kind);
    }
  }
  add('', 'v1', 'Status', `${META}Status`);
  for (const gv of deleteOptionsVersions()) add(gv.group, gv.version, 'DeleteOptions', `${META}DeleteOptions`);
  add('meta.k8s.io', 'v1', 'Table', `${META}Table`);
  served = out;
  return out;
}

/** Definitions the served kinds need that are not kinds themselves (patch bodies). */
export const EXTRA_DEFINITIONS = [`${META}Patch`];
