// A StatefulSet's revisions as ControllerRevisions (upstream stateful_set_control.go
// getStatefulSetRevisions and truncateHistory, stateful_set_utils.go newRevision/nextRevision).
//
// The update revision is the set's current template; the current revision is the one named by
// status.currentRevision (the template pods below a partition keep). Revision names are what
// pods carry in their controller-revision-hash label and what status reports.

import type { KubeObject } from '@minik8s/shared';
import {
  equalRevision,
  findEqualRevisions,
  newControllerRevision,
  revisionTemplate,
  sortControllerRevisions,
  templatePatch,
  type ControllerHistory,
  type ControllerRevision,
} from '../history/controller-history.ts';
import type { Revision } from './stateful-set-control.ts';
import { STS_KIND, getPodRevision } from './stateful-pod.ts';

/**
 * The revision `set`'s template would be stored as (newRevision): its data replaces the pod
 * template, it carries the template labels and the set's annotations.
 */
export function newStatefulSetRevision(set: KubeObject, revision: number, collisionCount: number): ControllerRevision {
  const cr = newControllerRevision(set, STS_KIND, set.spec?.template?.metadata?.labels, templatePatch(set), revision, collisionCount);
  if (set.metadata.annotations) cr.metadata.annotations = { ...set.metadata.annotations };
  return cr;
}

/** One more than the newest revision, 1 for an empty history (`revisions` sorted). */
export function nextRevision(revisions: readonly ControllerRevision[]): number {
  return revisions.length === 0 ? 1 : revisions[revisions.length - 1]!.revision + 1;
}

/** What the sync works with: the two revisions' names and templates. */
export function toRevision(cr: ControllerRevision): Revision {
  return { name: cr.metadata.name!, template: revisionTemplate(cr) };
}

export interface StatefulSetRevisions {
  current: ControllerRevision;
  update: ControllerRevision;
  /** What status.collisionCount must become. */
  collisionCount: number;
}

/**
 * The current and update revisions of `set` (getStatefulSetRevisions); `revisions` is its
 * history, sorted. Writes at most one thing:
 *  - the template equals the newest revision: that is the update revision, nothing is written;
 *  - it equals an older one (a rollback): that revision gets the next revision number;
 *  - it equals none: a new revision is created (a name collision bumps the collision count).
 * The current revision is the one status.currentRevision names; without one (a new set, or a
 * revision deleted meanwhile) the update revision is current too.
 * With `dryRun` (a set being deleted) nothing is written: an unsaved update revision is used.
 */
export async function getStatefulSetRevisions(set: KubeObject, revisions: readonly ControllerRevision[], history: ControllerHistory, dryRun = false): Promise<StatefulSetRevisions> {
  const sorted = sortControllerRevisions(revisions);
  const collisionCount = { value: typeof set.status?.collisionCount === 'number' ? set.status.collisionCount : 0 };
  let update = newStatefulSetRevision(set, nextRevision(sorted), collisionCount.value);
  const equal = findEqualRevisions(sorted, update);
  const last = sorted[sorted.length - 1];
  if (equal.length > 0 && equalRevision(last, equal[equal.length - 1])) {
    update = last!;
  } else if (equal.length > 0) {
    update = dryRun ? equal[equal.length - 1]! : await history.updateRevision(equal[equal.length - 1]!, update.revision);
  } else if (!dryRun) {
    update = await history.create(set, update, collisionCount);
  }
  const currentName: string | undefined = set.status?.currentRevision;
  const current = sorted.find((r) => r.metadata.name === currentName) ?? update;
  return { current, update, collisionCount: collisionCount.value };
}

/**
 * Deletes the oldest revisions no longer in use until at most spec.revisionHistoryLimit
 * (default 10) remain (truncateHistory). In use: the current and update revisions and every
 * revision a pod of `pods` carries. `revisions` is the history the sync started from.
 */
export async function truncateHistory(set: KubeObject, pods: readonly KubeObject[], revisions: readonly ControllerRevision[], current: ControllerRevision, update: ControllerRevision, history: ControllerHistory): Promise<void> {
  const live = new Set<string>([current.metadata.name!, update.metadata.name!]);
  for (const pod of pods) live.add(getPodRevision(pod));
  const old = sortControllerRevisions(revisions).filter((r) => !live.has(r.metadata.name!));
  const limit: number = typeof set.spec?.revisionHistoryLimit === 'number' ? set.spec.revisionHistoryLimit : 10;
  if (limit < 0 || old.length <= limit) return;
  for (const r of old.slice(0, old.length - limit)) await history.delete(r);
}
