// Subresources with their own shapes: scale (autoscaling/v1 Scale), pods/binding,
// pods/eviction and namespaces/finalize. /status goes through the ordinary get/update/patch.

import {
  badRequest,
  conflict,
  invalid,
  selectorFromLabelSelector,
  selectorToString,
  successStatus,
  unsupportedMediaType,
  type KubeObject,
} from '@minik8s/shared';
import { checkObject, decodeObject, mediaType, parseBody, PATCH_TYPES, type PatchType } from '../decode-body.ts';
import { fieldManager, isDryRun, objectBody, type RequestScope } from '../scope.ts';
import { applyPatchTo } from './patch.ts';
import { rfc3339 } from '../../registry/generic-store.ts';

const SCALE = { kind: 'Scale', apiVersion: 'autoscaling/v1', group: 'autoscaling', version: 'v1' };

function toScale(obj: KubeObject): KubeObject {
  const sel = obj.spec?.selector;
  const meta = obj.metadata;
  return {
    kind: SCALE.kind,
    apiVersion: SCALE.apiVersion,
    metadata: { name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion, creationTimestamp: meta.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, ...(sel ? { selector: selectorToString(selectorFromLabelSelector(sel)) } : {}) },
  };
}

function send(scope: RequestScope, code: number, body: unknown): void {
  scope.reply.code(code).header('content-type', 'application/json').send(JSON.stringify(body));
}

export async function scaleHandler(scope: RequestScope): Promise<void> {
  const { store, path } = scope;
  const method = scope.req.method;
  if (method === 'GET') {
    send(scope, 200, toScale(await store.get(path.namespace, path.name!)));
    return;
  }
  const { object } = await store.update(
    path.namespace,
    path.name!,
    (existing) => {
      if (!existing) throw new Error('unreachable: update without existing');
      let scale: KubeObject;
      if (method === 'PUT') {
        // `kubectl scale --current-replicas` sends no Content-Type: JSON is the default.
        scale = decodeObject(objectBody(scope), scope.req.headers['content-type'], store.info, SCALE.kind, SCALE.apiVersion);
      } else {
        const type = mediaType(scope.req.headers['content-type']) as PatchType;
        if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(type);
        scale = checkObject(applyPatchTo(type, toScale(existing), parseBody(scope.body, type), SCALE.kind, SCALE.group, SCALE.version), SCALE.kind, SCALE.apiVersion);
      }
      const replicas = scale.spec?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalid('Scale', 'autoscaling', path.name!, [
          { type: 'FieldValueInvalid', field: 'spec.replicas', detail: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` },
        ]);
      }
      const next = structuredClone(existing);
      next.spec = { ...next.spec, replicas };
      const rv = scale.metadata?.resourceVersion;
      if (rv) next.metadata.resourceVersion = rv;
      return next;
    },
    { dryRun: isDryRun(scope.query), manager: fieldManager(scope), subresource: 'scale' },
  );
  send(scope, 200, toScale(object));
}

export async function bindingHandler(scope: RequestScope): Promise<void> {
  const { store, path } = scope;
  const binding = decodeObject(objectBody(scope), scope.req.headers['content-type'], store.info, 'Binding', 'v1');
  const target = (binding as { target?: { kind?: string; name?: string } }).target;
  if (!target?.name) throw invalid('Binding', '', binding.metadata.name ?? path.name!, [{ type: 'FieldValueRequired', field: 'target.name', detail: 'Required value' }]);
  if (target.kind && target.kind !== 'Node') throw badRequest(`Binding target kind must be Node, got ${target.kind}`);
  if (binding.metadata.name && binding.metadata.name !== path.name) throw badRequest('the name of the binding does not match the name of the pod');
  if (isDryRun(scope.query)) {
    send(scope, 201, { ...successStatus(), code: 201 });
    return;
  }
  const uid = binding.metadata.uid;
  await store.guaranteedUpdateRaw(path.namespace, path.name!, (pod) => {
    const gr = { group: '', resource: 'pods' };
    if (uid && pod.metadata.uid !== uid) throw conflict(gr, path.name!, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
    if (pod.metadata.deletionTimestamp) throw conflict(gr, path.name!, `pod ${path.name} is being deleted, cannot be assigned to a host`);
    if (pod.spec?.nodeName) throw conflict(gr, path.name!, `pod ${path.name} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec = { ...pod.spec, nodeName: target.name };
    const conditions = (pod.status?.conditions ?? []).filter((c: { type: string }) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(scope.now()) });
    pod.status = { ...(pod.status ?? {}), conditions };
    return pod;
  });
  send(scope, 201, { ...successStatus(), code: 201 });
}

export async function evictionHandler(scope: RequestScope): Promise<void> {
  const { store, path } = scope;
  decodeObject(objectBody(scope), scope.req.headers['content-type'], store.info, 'Eviction', 'policy/v1');
  await store.delete(path.namespace, path.name!, { dryRun: isDryRun(scope.query) });
  send(scope, 201, { ...successStatus(), code: 201 });
}

export async function finalizeHandler(scope: RequestScope): Promise<void> {
  const { store, path } = scope;
  const ns = decodeObject(objectBody(scope), scope.req.headers['content-type'], store.info);
  const finalizers: unknown = ns.spec?.finalizers ?? [];
  if (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== 'string')) throw badRequest('spec.finalizers must be a list of strings');
  const rv = ns.metadata.resourceVersion;
  const out = await store.guaranteedUpdateRaw(undefined, path.name!, (cur) => {
    if (rv && rv !== cur.metadata.resourceVersion) throw conflict({ group: '', resource: 'namespaces' }, path.name!);
    cur.spec = { ...(cur.spec ?? {}), finalizers };
    return cur;
  });
  send(scope, 200, out);
}
