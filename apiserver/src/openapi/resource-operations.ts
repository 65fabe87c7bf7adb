// The `paths` of a group-version's OpenAPI v3 document: per resource the collection and item
// paths with their operations, as kube-apiserver publishes them. Clients read three things
// here: `x-kubernetes-group-version-kind` + `x-kubernetes-action` to find a kind's
// operations, and the `fieldValidation` query parameter of its PATCH operation, which
// kubectl checks before trusting the server to validate (`create`/`apply`; see
// cli-runtime's queryParamVerifierV3).

import type { ResourceInfo } from '@minik8s/shared';
import { refTo, type SchemaObject } from './component-schemas.ts';
import { definitionNameOf, subresourceKind, type GroupVersionKind } from './served-kinds.ts';

export type Operation = Record<string, unknown>;
export type PathItem = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

interface ParameterSpec {
  name: string;
  in: 'query' | 'path';
  description: string;
  type: 'string' | 'boolean' | 'integer';
}

function param(p: ParameterSpec): object {
  return {
    name: p.name,
    in: p.in,
    description: p.description,
    ...(p.in === 'path' ? { required: true } : {}),
    schema: { type: p.type, uniqueItems: true },
  };
}

const q = (name: string, type: ParameterSpec['type'], description: string) => param({ name, in: 'query', type, description });

const PRETTY = q('pretty', 'string', "If 'true', the output is pretty printed.");
const NAMESPACE = param({ name: 'namespace', in: 'path', type: 'string', description: 'object name and auth scope, such as for teams and projects' });
const nameParam = (kind: string) => param({ name: 'name', in: 'path', type: 'string', description: `name of the ${kind}` });

const WRITE = [
  q('dryRun', 'string', 'When present, the changes are not persisted. The only valid value is All.'),
  q('fieldManager', 'string', 'The name of the actor making these changes, recorded in managedFields.'),
  q('fieldValidation', 'string', 'What to do with unknown or duplicate fields in the body: Ignore drops them, Warn (the default) drops them and answers a warning for each, Strict fails the request.'),
];
const FORCE = q('force', 'boolean', 'Apply requests only: take over fields other managers own instead of failing with a conflict.');
const LIST = [
  q('allowWatchBookmarks', 'boolean', 'Ask a watch for BOOKMARK events, which carry only a resourceVersion.'),
  q('continue', 'string', 'The continue token of the previous page of a paginated list.'),
  q('fieldSelector', 'string', 'Restrict the list to objects whose fields match, e.g. metadata.name=x.'),
  q('labelSelector', 'string', 'Restrict the list to objects whose labels match.'),
  q('limit', 'integer', 'The largest number of objects to return; the list carries a continue token when there are more.'),
  q('resourceVersion', 'string', 'The resourceVersion the list or watch starts from (0: any, from the cache).'),
  q('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  q('sendInitialEvents', 'boolean', 'With watch and resourceVersionMatch=NotOlderThan: start with an ADDED event per existing object.'),
  q('timeoutSeconds', 'integer', 'How long a list or watch may last.'),
  q('watch', 'boolean', 'Watch for changes instead of listing.'),
];
const DELETE = [
  q('dryRun', 'string', 'When present, the deletion is not persisted. The only valid value is All.'),
  q('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 deletes at once.'),
  q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'Delete an object that cannot be read from storage.'),
  q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  q('propagationPolicy', 'string', 'Whether and how dependents are garbage collected: Orphan, Background or Foreground.'),
];
const LOG = [
  q('container', 'string', 'The container to stream the logs of; may be omitted when the pod has one container.'),
  q('follow', 'boolean', 'Follow the log stream.'),
  q('insecureSkipTLSVerifyBackend', 'boolean', 'Do not verify the serving certificate of the kubelet.'),
  q('limitBytes', 'integer', 'Stop after this many bytes.'),
  q('previous', 'boolean', 'The logs of the previous, terminated, instance of the container.'),
  q('sinceSeconds', 'integer', 'Only the logs of the last seconds.'),
  q('stream', 'string', 'All, Stdout or Stderr.'),
  q('tailLines', 'integer', 'Only the last lines.'),
  q('timestamps', 'boolean', 'Prefix every line with its RFC3339 timestamp.'),
];

const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

function content(schema: SchemaObject, types = ['application/json', 'application/yaml']): object {
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

function responses(codes: Array<[string, string]>, schema: SchemaObject): object {
  const out: Record<string, object> = {};
  for (const [code, description] of codes) out[code] = { description, content: content(schema) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

/** `coordination.k8s.io` -> `Coordination`, core -> `Core`: the prefix of upstream operationIds. */
function groupPrefix(group: string, version: string): string {
  const g = group === '' ? 'core' : group.split('.')[0];
  return g.charAt(0).toUpperCase() + g.slice(1) + version.charAt(0).toUpperCase() + version.slice(1);
}

function tagOf(group: string, version: string): string {
  return `${group === '' ? 'core' : group.split('.')[0]}_${version}`;
}

function kindRef(gvk: GroupVersionKind): SchemaObject {
  return { $ref: refTo(definitionNameOf(gvk.group, gvk.version, gvk.kind)) };
}

interface OperationSpec {
  action: 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';
  operationId: string;
  description: string;
  gvk: GroupVersionKind;
  parameters?: object[];
  requestBody?: object;
  responses: object;
}

function operation(info: ResourceInfo, spec: OperationSpec): Operation {
  return {
    tags: [tagOf(info.group, info.version)],
    description: spec.description,
    operationId: spec.operationId,
    ...(spec.parameters?.length ? { parameters: spec.parameters } : {}),
    ...(spec.requestBody ? { requestBody: spec.requestBody } : {}),
    responses: spec.responses,
    'x-kubernetes-action': spec.action,
    'x-kubernetes-group-version-kind': { group: spec.gvk.group, version: spec.gvk.version, kind: spec.gvk.kind },
  };
}

/** Whether a resource takes writes; componentstatuses are read-only (as discovery says). */
function writable(info: ResourceInfo): boolean {
  return info.resource !== 'componentstatuses';
}

/** The paths (`/api/v1/namespaces/{namespace}/pods`, ...) of one resource and their operations. */
export function resourcePaths(info: ResourceInfo): Record<string, PathItem> {
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const scoped = info.namespaced ? `${base}/namespaces/{namespace}/${info.resource}` : `${base}/${info.resource}`;
  const scopeParams = info.namespaced ? [NAMESPACE, PRETTY] : [PRETTY];
  const itemParams = [nameParam(info.kind), ...scopeParams];
  const gp = groupPrefix(info.group, info.version);
  const ns = info.namespaced ? 'Namespaced' : '';
  const kind = info.kind;
  const gvk: GroupVersionKind = { group: info.group, version: info.version, kind };
  const obj = kindRef(gvk);
  const list = kindRef({ ...gvk, kind: info.listKind });
  const status: SchemaObject = { $ref: refTo(`${META}Status`) };
  const body = (schema: SchemaObject) => ({ content: { '*/*': { schema } }, required: true });
  const patchBody = { content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: { $ref: refTo(`${META}Patch`) } }])), required: true };
  const deleteBody = { content: { '*/*': { schema: { $ref: refTo(`${META}DeleteOptions`) } } } };
  const ok = (schema: SchemaObject) => responses([['200', 'OK']], schema);
  const created = (schema: SchemaObject) => responses([['200', 'OK'], ['201', 'Created']], schema);
  const rw = writable(info);

  const paths: Record<string, PathItem> = {};
  paths[scoped] = {
    get: operation(info, { action: 'list', operationId: `list${gp}${ns}${kind}`, description: `list or watch objects of kind ${kind}`, gvk, parameters: LIST, responses: ok(list) }),
    ...(rw
      ? {
          post: operation(info, { action: 'post', operationId: `create${gp}${ns}${kind}`, description: `create a ${kind}`, gvk, parameters: WRITE, requestBody: body(obj), responses: responses([['200', 'OK'], ['201', 'Created'], ['202', 'Accepted']], obj) }),
          delete: operation(info, { action: 'deletecollection', operationId: `delete${gp}Collection${ns}${kind}`, description: `delete collection of ${kind}`, gvk, parameters: [...LIST, ...DELETE], requestBody: deleteBody, responses: ok(status) }),
        }
      : {}),
    parameters: scopeParams,
  };
  paths[`${scoped}/{name}`] = {
    get: operation(info, { action: 'get', operationId: `read${gp}${ns}${kind}`, description: `read the specified ${kind}`, gvk, responses: ok(obj) }),
    ...(rw
      ? {
          put: operation(info, { action: 'put', operationId: `replace${gp}${ns}${kind}`, description: `replace the specified ${kind}`, gvk, parameters: WRITE, requestBody: body(obj), responses: created(obj) }),
          patch: operation(info, { action: 'patch', operationId: `patch${gp}${ns}${kind}`, description: `partially update the specified ${kind}`, gvk, parameters: [...WRITE, FORCE], requestBody: patchBody, responses: created(obj) }),
          delete: operation(info, { action: 'delete', operationId: `delete${gp}${ns}${kind}`, description: `delete a ${kind}`, gvk, parameters: DELETE, requestBody: deleteBody, responses: responses([['200', 'OK'], ['202', 'Accepted']], status) }),
        }
      : {}),
    parameters: itemParams,
  };
  if (info.namespaced) {
    paths[`${base}/${info.resource}`] = {
      get: operation(info, { action: 'list', operationId: `list${gp}${kind}ForAllNamespaces`, description: `list or watch objects of kind ${kind}`, gvk, parameters: LIST, responses: ok(list) }),
      parameters: [PRETTY],
    };
  }

  for (const sub of info.subresources ?? []) {
    const path = `${scoped}/{name}/${sub}`;
    const Sub = sub.charAt(0).toUpperCase() + sub.slice(1);
    const subGvk = subresourceKind(info, sub);
    if (sub === 'status' || sub === 'scale') {
      const ref = kindRef(subGvk!);
      paths[path] = {
        get: operation(info, { action: 'get', operationId: `read${gp}${ns}${kind}${Sub}`, description: `read ${sub} of the specified ${kind}`, gvk: subGvk!, responses: ok(ref) }),
        put: operation(info, { action: 'put', operationId: `replace${gp}${ns}${kind}${Sub}`, description: `replace ${sub} of the specified ${kind}`, gvk: subGvk!, parameters: WRITE, requestBody: body(ref), responses: created(ref) }),
        patch: operation(info, { action: 'patch', operationId: `patch${gp}${ns}${kind}${Sub}`, description: `partially update ${sub} of the specified ${kind}`, gvk: subGvk!, parameters: [...WRITE, FORCE], requestBody: patchBody, responses: created(ref) }),
        parameters: itemParams,
      };
    } else if (sub === 'binding' || sub === 'eviction') {
      const ref = kindRef(subGvk!);
      paths[path] = {
        post: operation(info, { action: 'post', operationId: `create${gp}${ns}${kind}${Sub}`, description: `create ${sub} of a ${kind}`, gvk: subGvk!, parameters: WRITE, requestBody: body(ref), responses: responses([['200', 'OK'], ['201', 'Created'], ['202', 'Accepted']], ref) }),
        parameters: [param({ name: 'name', in: 'path', type: 'string', description: `name of the ${Sub}` }), ...scopeParams],
      };
    } else if (sub === 'finalize') {
      paths[path] = {
        put: operation(info, { action: 'put', operationId: `replace${gp}${ns}${kind}${Sub}`, description: `replace finalize of the specified ${kind}`, gvk: subGvk!, parameters: WRITE, requestBody: body(obj), responses: created(obj) }),
        parameters: itemParams,
      };
    } else if (sub === 'log') {
      paths[path] = {
        get: operation(info, { action: 'get', operationId: `read${gp}${ns}${kind}Log`, description: `read log of the specified ${kind}`, gvk, parameters: LOG, responses: { '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } }, '401': { description: 'Unauthorized' } } }),
        parameters: itemParams,
      };
    }
    // exec and proxy are connect actions whose option kinds (PodExecOptions, NodeProxyOptions)
    // are not bodies; they are left out like the watch paths.
  }
  return paths;
}
