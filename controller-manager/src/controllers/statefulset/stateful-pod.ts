// The identity of a StatefulSet's pods (upstream stateful_set_utils.go): pod <set>-<ordinal>
// with hostname = its name and subdomain = spec.serviceName, the labels
// statefulset.kubernetes.io/pod-name and apps.kubernetes.io/pod-index, and one volume per
// volumeClaimTemplate naming the claim <template>-<set>-<ordinal>.

import type { KubeObject } from '@minik8s/shared';
import { newControllerRef } from '../../util/controller-ref.ts';
import { isPodAvailable, isPodReady } from '../../util/pod-util.ts';

export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** apps.StatefulSetRevisionLabel: the revision (ControllerRevision name) a pod was made from. */
export const STATEFULSET_REVISION_LABEL = 'controller-revision-hash';
export const STS_KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

const ORDINAL_NAME = /^(.*)-([0-9]+)$/;

/** The set a pod name belongs to and its ordinal (-1 when the name has none). */
export function parentNameAndOrdinal(pod: KubeObject): { parent: string; ordinal: number } {
  const m = ORDINAL_NAME.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1]!, ordinal } : { parent: '', ordinal: -1 };
}

export function podName(set: KubeObject, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** spec.ordinals.start (StatefulSetStartOrdinal), 0 by default. */
export function startOrdinal(set: KubeObject): number {
  const start = set.spec?.ordinals?.start;
  return typeof start === 'number' && start > 0 ? start : 0;
}

export function replicasOf(set: KubeObject): number {
  const r = set.spec?.replicas;
  return typeof r === 'number' ? r : 1;
}

/** The pod's name says it is one of this set's (upstream isMemberOf). */
export function isMemberOf(set: KubeObject, pod: KubeObject): boolean {
  return parentNameAndOrdinal(pod).parent === set.metadata.name;
}

export function claimName(set: KubeObject, claimTemplate: KubeObject, ordinal: number): string {
  return `${claimTemplate.metadata?.name}-${set.metadata.name}-${ordinal}`;
}

export function getPodRevision(pod: KubeObject): string {
  return pod.metadata.labels?.[STATEFULSET_REVISION_LABEL] ?? '';
}

/** The volumes of the template with one claim volume per volumeClaimTemplate (updateStorage). */
function storageVolumes(set: KubeObject, volumes: any[] | undefined, ordinal: number): any[] {
  const claims = (set.spec?.volumeClaimTemplates ?? []) as KubeObject[];
  const claimVolumes = claims.map((c) => ({ name: c.metadata?.name, persistentVolumeClaim: { claimName: claimName(set, c, ordinal) } }));
  const names = new Set(claimVolumes.map((v) => v.name));
  return [...claimVolumes, ...(volumes ?? []).filter((v: { name: string }) => !names.has(v.name))];
}

/**
 * The pod for `ordinal` made from `template` at `revision` (upstream newStatefulSetPod and
 * setPodRevision). PersistentVolumeClaims are not served by this apiserver: the claim
 * volumes are recorded on the pod, the claims themselves are not created.
 */
export function newStatefulSetPod(set: KubeObject, template: any, revision: string, ordinal: number): KubeObject {
  const meta = template?.metadata ?? {};
  const name = podName(set, ordinal);
  const spec = structuredClone(template?.spec ?? {});
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  const volumes = storageVolumes(set, spec.volumes, ordinal);
  if (volumes.length) spec.volumes = volumes;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: { ...(meta.labels ?? {}), [STATEFULSET_POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [STATEFULSET_REVISION_LABEL]: revision },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [newControllerRef(set, STS_KIND.apiVersion, STS_KIND.kind)],
    },
    spec,
  };
}

/** The labels a pod must carry for its identity (upstream identityMatches / updateIdentity). */
export function identityLabels(pod: KubeObject): Record<string, string> {
  const { ordinal } = parentNameAndOrdinal(pod);
  return { [STATEFULSET_POD_NAME_LABEL]: pod.metadata.name!, [POD_INDEX_LABEL]: String(ordinal) };
}

export function identityMatches(set: KubeObject, pod: KubeObject): boolean {
  const { parent, ordinal } = parentNameAndOrdinal(pod);
  if (ordinal < 0 || parent !== set.metadata.name || pod.metadata.namespace !== set.metadata.namespace) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(identityLabels(pod)).every(([k, v]) => labels[k] === v);
}

/** A pod object the controller only built has no status; one read from the API has a phase. */
export function isCreated(pod: KubeObject): boolean {
  return !!pod.status?.phase;
}

export function isTerminating(pod: KubeObject): boolean {
  return !!pod.metadata.deletionTimestamp;
}

export function isFailed(pod: KubeObject): boolean {
  return pod.status?.phase === 'Failed';
}

export function isSucceeded(pod: KubeObject): boolean {
  return pod.status?.phase === 'Succeeded';
}

export function isRunningAndReady(pod: KubeObject): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
}

/** Running, Ready, available and not being deleted. */
export function isHealthy(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  return isRunningAndReady(pod) && isRunningAndAvailable(pod, minReadySeconds, now) && !isTerminating(pod);
}
