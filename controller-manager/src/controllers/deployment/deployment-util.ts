// Pure helpers of the Deployment controller (upstream pkg/controller/deployment/util): the
// rollout arithmetic, revisions and annotations, and how to tell the new ReplicaSet from old.

import type { KubeObject } from '@minik8s/shared';
import { scaledValueFromIntOrPercent } from '../../util/int-or-string.ts';
import { deepEqual } from '../../util/equality.ts';
import type { Condition } from '../../util/conditions.ts';
import { getCondition } from '../../util/conditions.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

// Reasons of the Progressing and Available conditions.
export const REPLICASET_UPDATED_REASON = 'ReplicaSetUpdated';
export const FAILED_RS_CREATE_REASON = 'ReplicaSetCreateError';
export const NEW_REPLICASET_REASON = 'NewReplicaSetCreated';
export const FOUND_NEW_RS_REASON = 'FoundNewReplicaSet';
export const NEW_RS_AVAILABLE_REASON = 'NewReplicaSetAvailable';
export const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';
export const PAUSED_DEPLOY_REASON = 'DeploymentPaused';
export const RESUMED_DEPLOY_REASON = 'DeploymentResumed';
export const MINIMUM_REPLICAS_AVAILABLE = 'MinimumReplicasAvailable';
export const MINIMUM_REPLICAS_UNAVAILABLE = 'MinimumReplicasUnavailable';

const SKIPPED_ANNOTATIONS = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

export function replicasOf(obj: KubeObject | undefined): number {
  return obj?.spec?.replicas ?? (obj ? 1 : 0);
}

export function isRollingUpdate(d: KubeObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** maxSurge rounded up and maxUnavailable rounded down; both 0 makes maxUnavailable 1. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): [number, number] {
  const surge = scaledValueFromIntOrPercent(maxSurge ?? '25%', desired, true);
  let unavailable = scaledValueFromIntOrPercent(maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: KubeObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicasOf(d))[0];
}

export function maxUnavailable(d: KubeObject): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const unavailable = resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas)[1];
  return Math.min(unavailable, replicas);
}

/** Sum of spec.replicas. */
export function replicaCount(sets: (KubeObject | undefined)[]): number {
  return sets.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);
}

/** Sum of status.replicas. */
export function actualReplicaCount(sets: (KubeObject | undefined)[]): number {
  return sets.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

export function readyReplicaCount(sets: (KubeObject | undefined)[]): number {
  return sets.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

/**
 * Sum of status.availableReplicas, each capped at the set's spec.replicas. The cap is ours:
 * a set just scaled down still reports its old available count until its controller catches
 * up, and counting those pods would let a rolling update scale down below minAvailable.
 */
export function availableReplicaCount(sets: (KubeObject | undefined)[]): number {
  return sets.reduce((n, rs) => n + (rs ? Math.min(rs.status?.availableReplicas ?? 0, replicasOf(rs)) : 0), 0);
}

export function revisionOf(obj: KubeObject | undefined): number {
  const v = obj?.metadata.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : 0;
}

export function maxRevision(sets: KubeObject[]): number {
  return sets.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** The template without the pod-template-hash label (upstream EqualIgnoreHash's view). */
function templateWithoutHash(template: any): any {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  return t;
}

export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return deepEqual(templateWithoutHash(a), templateWithoutHash(b));
}

function creationTime(o: KubeObject): number {
  return Date.parse(o.metadata.creationTimestamp ?? '') || 0;
}

/** Oldest first, then by name (upstream ReplicaSetsByCreationTimestamp). */
export function byCreationTimestamp(a: KubeObject, b: KubeObject): number {
  const d = creationTime(a) - creationTime(b);
  if (d !== 0) return d;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/** The set whose template equals the deployment's (the oldest, should there be several). */
export function findNewReplicaSet(d: KubeObject, sets: KubeObject[]): KubeObject | undefined {
  return [...sets].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** Every set but the new one. */
export function findOldReplicaSets(d: KubeObject, sets: KubeObject[]): KubeObject[] {
  const newRS = findNewReplicaSet(d, sets);
  return sets.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
}

/** Sets with pods wanted (spec.replicas > 0). */
export function filterActive(sets: (KubeObject | undefined)[]): KubeObject[] {
  return sets.filter((rs): rs is KubeObject => !!rs && replicasOf(rs) > 0);
}

/** How many replicas the new set should have now (upstream NewRSNewReplicas). */
export function newRSNewReplicas(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d)) return replicas;
  const current = replicaCount(allRSs);
  const maxTotal = replicas + maxSurge(d);
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, replicas - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

/** Every wanted pod is updated and available, and the status is for the current spec. */
export function deploymentComplete(d: KubeObject, status: any): boolean {
  const replicas = replicasOf(d);
  return (
    (status.updatedReplicas ?? 0) === replicas &&
    (status.replicas ?? 0) === replicas &&
    (status.availableReplicas ?? 0) === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** The new status shows progress over the deployment's current one. */
export function deploymentProgressing(d: KubeObject, status: any): boolean {
  const old = d.status ?? {};
  const oldStatusOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newStatusOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newStatusOld < oldStatusOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

export function hasProgressDeadline(d: KubeObject): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== 2147483647;
}

/** The Progressing condition's last update is older than progressDeadlineSeconds. */
export function deploymentTimedOut(d: KubeObject, status: any, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(status.conditions as Condition[] | undefined, 'Progressing');
  if (!cond) return false;
  if (cond.reason === NEW_RS_AVAILABLE_REASON) return false;
  if (cond.reason === TIMED_OUT_REASON) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + d.spec.progressDeadlineSeconds * 1000 < now;
}

/** The new set has every replica and they are all available (upstream IsSaturated). */
export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = Number(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]);
  const replicas = replicasOf(d);
  return replicasOf(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

export function replicasAnnotationsNeedUpdate(rs: KubeObject, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/** Sets desired-replicas and max-replicas on `rs` (mutates); true when they changed. */
export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  if (!replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
  rs.metadata.annotations = { ...(rs.metadata.annotations ?? {}), [DESIRED_REPLICAS_ANNOTATION]: String(desired), [MAX_REPLICAS_ANNOTATION]: String(max) };
  return true;
}

/**
 * Brings the new set's annotations up to date (mutates `rs`; upstream SetNewReplicaSetAnnotations):
 * the deployment's own annotations, the revision (only ever raised; a raised revision of an
 * existing set is a rollback, whose old revision goes to revision-history) and, for a set
 * about to be created, the replicas annotations. True when something changed.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: number, exists: boolean): boolean {
  const annotations: Record<string, string> = { ...(rs.metadata.annotations ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (SKIPPED_ANNOTATIONS.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  const oldRevision = annotations[REVISION_ANNOTATION];
  const oldRevisionNumber = oldRevision === undefined ? 0 : Number(oldRevision) || 0;
  if (oldRevisionNumber < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined) {
      const history = annotations[REVISION_HISTORY_ANNOTATION];
      annotations[REVISION_HISTORY_ANNOTATION] = history ? `${history},${oldRevision}` : oldRevision;
    }
  }
  rs.metadata.annotations = annotations;
  if (!exists) {
    const replicas = replicasOf(d);
    if (setReplicasAnnotations(rs, replicas, replicas + maxSurge(d))) changed = true;
  }
  return changed;
}

/** How many replicas `rs` gains (or loses) when the deployment scales (upstream GetProportion). */
export function getProportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: KubeObject, d: KubeObject): number {
  const replicas = replicasOf(d);
  if (replicas === 0) return -replicasOf(rs);
  const deploymentMax = replicas + maxSurge(d);
  let before = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION]);
  if (!Number.isInteger(before) || before === 0) before = d.status?.replicas ?? 0;
  if (before === 0) return 0;
  const newSize = (replicasOf(rs) * deploymentMax) / before;
  return Math.round(newSize) - replicasOf(rs);
}

/** Larger first, newer first among equals (scaling up: upstream ReplicaSetsBySizeNewer). */
export function bySizeNewer(a: KubeObject, b: KubeObject): number {
  if (replicasOf(a) !== replicasOf(b)) return replicasOf(b) - replicasOf(a);
  return -byCreationTimestamp(a, b);
}

/** Larger first, older first among equals (scaling down: ReplicaSetsBySizeOlder). */
export function bySizeOlder(a: KubeObject, b: KubeObject): number {
  if (replicasOf(a) !== replicasOf(b)) return replicasOf(b) - replicasOf(a);
  return byCreationTimestamp(a, b);
}

/** Lower revision first (cleanup deletes the oldest revisions). */
export function byRevision(a: KubeObject, b: KubeObject): number {
  const d = revisionOf(a) - revisionOf(b);
  return d !== 0 ? d : byCreationTimestamp(a, b);
}

/** The deployment's annotations set to the set's (a rollback, upstream SetDeploymentAnnotationsTo). */
export function annotationsCopiedFrom(d: KubeObject, rs: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (SKIPPED_ANNOTATIONS.has(k)) out[k] = v;
  for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (!SKIPPED_ANNOTATIONS.has(k)) out[k] = v;
  return out;
}
