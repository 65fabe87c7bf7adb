// A DaemonSet's history as ControllerRevisions (upstream pkg/controller/daemon/update.go:
// constructHistory, dedupCurHistories, snapshot, cleanupHistory, Match).
//
// Each distinct pod template the DaemonSet had is one revision named `<ds>-<hash>`, where the
// hash is the pod-template hash with status.collisionCount (the same value daemon pods carry in
// their controller-revision-hash label, and the revision carries in that label too). The
// revision whose data equals the current template is `cur`; its number is always the highest,
// so a template that goes back to an older revision (kubectl rollout undo) renumbers that
// revision instead of writing a new one.

import type { KubeObject, LabelSelector, RestClient } from '@minik8s/shared';
import { isAlreadyExists, isNotFound } from '@minik8s/shared';
import { canonicalJson, computeHash } from '../../util/hash.ts';
import { newControllerRef } from '../../util/controller-ref.ts';
import { CONTROLLER_REVISIONS, maxRevision, templatePatch, type ControllerHistory, type ControllerRevision } from '../history/controller-history.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from './daemon-pods.ts';

export const DS_KIND = { apiVersion: 'apps/v1', kind: 'DaemonSet' };

/** The template of `ds` is the one `history` stores (Match: the same patch data). */
export function matchDaemonSet(ds: KubeObject, history: ControllerRevision): boolean {
  return canonicalJson(templatePatch(ds)) === canonicalJson(history.data);
}

/** The revision the current template is stored as, before it is created (snapshot). */
export function newDaemonSetRevision(ds: KubeObject, revision: number): ControllerRevision {
  const hash = computeHash(ds.spec?.template ?? {}, ds.status?.collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata.name}-${hash}`,
      namespace: ds.metadata.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(ds, DS_KIND.apiVersion, DS_KIND.kind)],
    },
    data: templatePatch(ds),
    revision,
  };
}

export interface DaemonSetHistoryDeps {
  client: RestClient;
  history: ControllerHistory;
  /** Checked before the first adoption of an orphan revision (RecheckDeletionTimestamp). */
  canAdopt: () => Promise<void>;
  /** The DaemonSet's claimed pods, for relabelling when duplicate current revisions are merged. */
  pods: () => KubeObject[];
}

export interface ConstructedHistory {
  /** The revision of the current template: its hash labels the pods that are up to date. */
  cur: ControllerRevision;
  /** Every other revision the DaemonSet controls. */
  old: ControllerRevision[];
}

/** The controller-revision-hash of a revision (the pods' label for "made from this revision"). */
export function revisionHash(history: ControllerRevision): string {
  return history.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
}

/**
 * Finds the DaemonSet's revisions, splits them into the current one and the old ones, and makes
 * the current one exist with the highest number (constructHistory):
 *  1. Claim the namespace's revisions (adopt matching orphans, release what no longer matches);
 *     one without the hash label gets its name as the label (older clusters' revisions).
 *  2. Those whose data equals the template are current; none: create one (snapshot); several:
 *     keep the highest, move pods onto its hash and delete the rest (dedupCurHistories).
 *  3. A current revision numbered below an old one gets max(old) + 1.
 * Throws after a hash collision that bumped status.collisionCount (the sync is retried with it).
 */
export async function constructHistory(ds: KubeObject, selector: LabelSelector, deps: DaemonSetHistoryDeps): Promise<ConstructedHistory> {
  const claimed = await deps.history.claim(ds, DS_KIND, selector, deps.canAdopt);
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let h of claimed) {
    if (!h.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]) {
      h = await deps.client.update<ControllerRevision>(CONTROLLER_REVISIONS, { ...h, metadata: { ...h.metadata, labels: { ...(h.metadata.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: h.metadata.name! } } });
    }
    if (matchDaemonSet(ds, h)) current.push(h);
    else old.push(h);
  }
  const currRevision = maxRevision(old) + 1;
  let cur: ControllerRevision;
  if (current.length === 0) {
    cur = await snapshot(ds, currRevision, deps.client);
  } else {
    cur = await dedupCurHistories(ds, current, deps);
    if (cur.revision < currRevision) cur = await deps.history.updateRevision(cur, currRevision);
  }
  return { cur, old };
}

/** Keeps the highest-numbered of several current revisions, relabelling pods onto it. */
async function dedupCurHistories(ds: KubeObject, current: ControllerRevision[], deps: DaemonSetHistoryDeps): Promise<ControllerRevision> {
  if (current.length === 1) return current[0]!;
  let keep = current[0]!;
  for (const h of current) if (h.revision >= keep.revision) keep = h;
  const hash = revisionHash(keep);
  for (const pod of deps.pods()) {
    if (pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash) continue;
    try {
      await deps.client.patch('pods', pod.metadata.name!, { metadata: { labels: { [CONTROLLER_REVISION_HASH_LABEL]: hash } } }, { namespace: pod.metadata.namespace, type: 'merge' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  for (const h of current) if (h !== keep) await deps.history.delete(h);
  return keep;
}

/**
 * Creates the revision of the current template (snapshot). The name taken by a revision of the
 * same template means this was done already; taken by another template, it is a hash collision:
 * status.collisionCount goes up by one (when the cached value is the live one) and the sync fails
 * so that it runs again with a new name.
 */
async function snapshot(ds: KubeObject, revision: number, client: RestClient): Promise<ControllerRevision> {
  const history = newDaemonSetRevision(ds, revision);
  const namespace = ds.metadata.namespace;
  try {
    return await client.create<ControllerRevision>(CONTROLLER_REVISIONS, history, { namespace });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await client.get<ControllerRevision>(CONTROLLER_REVISIONS, history.metadata.name!, { namespace });
    if (matchDaemonSet(ds, existing)) return existing;
    const live = await client.get('daemonsets.apps', ds.metadata.name!, { namespace });
    const cached = ds.status?.collisionCount ?? null;
    const current = live.status?.collisionCount ?? null;
    if (cached !== current) {
      throw new Error(`found a stale collision count (${cached}, expected ${current}) of DaemonSet ${namespace}/${ds.metadata.name} while processing; will retry until it is updated`);
    }
    await client.updateStatus('daemonsets.apps', { ...live, status: { ...(live.status ?? {}), collisionCount: (current ?? 0) + 1 } });
    throw err;
  }
}

/**
 * Deletes the oldest old revisions beyond spec.revisionHistoryLimit (default 10), never one
 * whose hash a pod of the DaemonSet still carries, terminal and deleted pods included
 * (cleanupHistory).
 */
export async function cleanupHistory(ds: KubeObject, old: readonly ControllerRevision[], pods: readonly KubeObject[], history: ControllerHistory): Promise<void> {
  const limit: number = typeof ds.spec?.revisionHistoryLimit === 'number' ? ds.spec.revisionHistoryLimit : 10;
  let toKill = old.length - limit;
  if (toKill <= 0) return;
  const liveHashes = new Set(pods.map((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]).filter((h): h is string => !!h));
  for (const h of [...old].sort((a, b) => a.revision - b.revision)) {
    if (toKill <= 0) break;
    if (liveHashes.has(revisionHash(h))) continue;
    await history.delete(h);
    toKill--;
  }
}
