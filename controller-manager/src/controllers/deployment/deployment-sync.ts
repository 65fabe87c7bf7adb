// One sync of one Deployment: the writes every strategy shares (upstream sync.go): finding or
// creating the new ReplicaSet, scaling sets (with events), proportional scaling, cleanup of
// old revisions, and status writes.
//
// A DeploymentSync lives for one reconcile. It keeps `d` (the Deployment) and the sets current
// as it writes them, so later steps of the same sync never act on values it already changed.

import type { KubeObject, RestClient } from '@minik8s/shared';
import { isAlreadyExists, isNotFound, isNamespaceTerminating } from '@minik8s/shared';
import type { Logger } from 'pino';
import type { EventRecorder } from '@minik8s/shared';
import { objectReference } from '@minik8s/shared';
import { getCondition, setCondition } from '../../util/conditions.ts';
import { deepEqual } from '../../util/equality.ts';
import { computeHash } from '../../util/hash.ts';
import { newControllerRef, getControllerOf } from '../../util/controller-ref.ts';
import {
  FAILED_RS_CREATE_REASON,
  FOUND_NEW_RS_REASON,
  NEW_REPLICASET_REASON,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  bySizeNewer,
  bySizeOlder,
  byRevision,
  equalIgnoreHash,
  filterActive,
  findNewReplicaSet,
  findOldReplicaSets,
  getProportion,
  hasProgressDeadline,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  newRSNewReplicas,
  replicaCount,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './deployment-util.ts';
import { calculateStatus, newCondition, rolloutStatus, stuckRequeueAfter, type DeploymentStatus } from './deployment-status.ts';

const DEPLOYMENT_KIND = { apiVersion: 'apps/v1', kind: 'Deployment' };

export interface DeploymentSyncDeps {
  client: RestClient;
  recorder: EventRecorder;
  logger: Logger;
  now: () => number;
  /** A ReplicaSet from the cache (to resolve an AlreadyExists on create). */
  getReplicaSet(namespace: string, name: string): KubeObject | undefined;
}

export class DeploymentSync {
  d: KubeObject;
  /** Every set the deployment owns, kept current as this sync writes them. */
  sets: KubeObject[];
  private readonly deps: DeploymentSyncDeps;

  constructor(deps: DeploymentSyncDeps, d: KubeObject, sets: KubeObject[]) {
    this.deps = deps;
    this.d = structuredClone(d);
    this.sets = sets;
  }

  private get ns(): string {
    return this.d.metadata.namespace!;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.recorder.event(objectReference('Deployment', this.d), type, reason, message);
  }

  private replace(rs: KubeObject): KubeObject {
    const i = this.sets.findIndex((s) => s.metadata.uid === rs.metadata.uid);
    if (i >= 0) this.sets[i] = rs;
    else this.sets.push(rs);
    return rs;
  }

  /**
   * The new set (created when `create` and missing) and every old one, with revisions synced
   * (upstream getAllReplicaSetsAndSyncRevision). Old sets include inactive ones.
   */
  async newAndOld(create: boolean): Promise<{ newRS: KubeObject | undefined; oldRSs: KubeObject[] }> {
    const oldRSs = findOldReplicaSets(this.d, this.sets);
    const newRS = await this.getNewReplicaSet(oldRSs, create);
    return { newRS, oldRSs: this.sets.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid) };
  }

  private async getNewReplicaSet(oldRSs: KubeObject[], create: boolean): Promise<KubeObject | undefined> {
    const d = this.d;
    const existing = findNewReplicaSet(d, this.sets);
    const newRevision = maxRevision(oldRSs) + 1;
    const now = this.deps.now();
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
        copy.spec = { ...copy.spec, minReadySeconds: minReady };
        return this.replace(await this.deps.client.update<KubeObject>('replicasets.apps', copy));
      }
      await this.syncRevision(copy.metadata.annotations?.[REVISION_ANNOTATION]);
      if (hasProgressDeadline(this.d) && !getCondition(this.d.status?.conditions, 'Progressing')) {
        const cond = newCondition('Progressing', 'True', FOUND_NEW_RS_REASON, `Found new replica set "${copy.metadata.name}"`, now);
        await this.writeStatus({ ...(this.d.status ?? {}), conditions: setCondition(this.d.status?.conditions ?? [], cond) });
      }
      return existing;
    }
    if (!create) return undefined;

    // 1. A set named <deployment>-<hash of the template and collision count>, its template and
    //    selector carrying the hash label so sets of different templates never select each
    //    other's pods.
    const template = structuredClone(d.spec?.template ?? {});
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: this.ns,
        ownerReferences: [newControllerRef(d, DEPLOYMENT_KIND.apiVersion, DEPLOYMENT_KIND.kind)],
        labels: { ...template.metadata.labels },
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    // 2. Create it. AlreadyExists is ours when it is controlled by us with an equal template
    //    (a cache behind our own create); anything else is a hash collision: bump
    //    status.collisionCount, so the next sync computes another name.
    let created: KubeObject;
    let alreadyExists = false;
    try {
      created = await this.deps.client.create<KubeObject>('replicasets.apps', rs, { namespace: this.ns });
    } catch (err) {
      if (isAlreadyExists(err)) {
        const found = this.deps.getReplicaSet(this.ns, rs.metadata.name!) ??
          (await this.deps.client.get<KubeObject>('replicasets.apps', rs.metadata.name!, { namespace: this.ns }).catch(() => undefined));
        if (found && getControllerOf(found)?.uid === d.metadata.uid && equalIgnoreHash(found.spec?.template, d.spec?.template)) {
          created = found;
          alreadyExists = true;
        } else {
          const collisionCount = (d.status?.collisionCount ?? 0) + 1;
          await this.writeStatus({ ...(this.d.status ?? {}), collisionCount });
          this.deps.logger.info({ deployment: `${this.ns}/${d.metadata.name}`, collisionCount }, 'found a hash collision for deployment - bumping collisionCount');
          throw err;
        }
      } else {
        if (isNamespaceTerminating(err)) throw err;
        const msg = `Failed to create new replica set "${rs.metadata.name}": ${(err as Error).message}`;
        if (hasProgressDeadline(d)) {
          const cond = newCondition('Progressing', 'False', FAILED_RS_CREATE_REASON, msg, now);
          await this.writeStatus({ ...(this.d.status ?? {}), conditions: setCondition(this.d.status?.conditions ?? [], cond) }).catch(() => undefined);
        }
        this.event('Warning', 'FailedCreate', msg);
        throw err;
      }
    }
    this.replace(created);
    if (!alreadyExists && replicasOf(created) > 0) {
      this.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${replicasOf(created)}`);
    }
    await this.syncRevision(String(newRevision));
    if (!alreadyExists && hasProgressDeadline(this.d)) {
      const cond = newCondition('Progressing', 'True', NEW_REPLICASET_REASON, `Created new replica set "${created.metadata.name}"`, now);
      await this.writeStatus({ ...(this.d.status ?? {}), conditions: setCondition(this.d.status?.conditions ?? [], cond) });
    }
    return created;
  }

  /**
   * The deployment's revision annotation follows its new set's. Upstream writes it through
   * /status; our apiserver's /status keeps metadata, so it is a merge patch of the object.
   */
  private async syncRevision(revision: string | undefined): Promise<void> {
    if (revision === undefined || this.d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    const patched = await this.deps.client.patch<KubeObject>(
      'deployments.apps',
      this.d.metadata.name!,
      { metadata: { annotations: { [REVISION_ANNOTATION]: revision }, uid: this.d.metadata.uid } },
      { namespace: this.ns, type: 'merge' },
    );
    // Keep what this sync already computed of the status; take the server's metadata.
    this.d = { ...patched, status: this.d.status };
  }

  /** Writes `status` (observedGeneration untouched unless given); `d` becomes the result. */
  async writeStatus(status: DeploymentStatus): Promise<void> {
    const updated = await this.deps.client.updateStatus<KubeObject>('deployments.apps', { ...this.d, status });
    this.d = updated;
  }

  /** Scales `rs` to `size` and refreshes its replicas annotations; records ScalingReplicaSet. */
  async scaleReplicaSet(rs: KubeObject, size: number): Promise<{ scaled: boolean; rs: KubeObject }> {
    const from = replicasOf(rs);
    const sizeChanged = from !== size;
    const desired = replicasOf(this.d);
    const max = desired + maxSurge(this.d);
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const copy = structuredClone(rs);
    copy.spec = { ...copy.spec, replicas: size };
    setReplicasAnnotations(copy, desired, max);
    const updated = this.replace(await this.deps.client.update<KubeObject>('replicasets.apps', copy));
    if (sizeChanged) {
      const op = size > from ? 'up' : 'down';
      this.event('Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata.name} to ${size} from ${from}`);
    }
    return { scaled: sizeChanged, rs: updated };
  }

  /**
   * Scaling without a rollout (upstream scale): the only active set (or the newest) takes the
   * new size; a saturated new set empties the old ones; otherwise a RollingUpdate deployment
   * spreads the difference over its active sets in proportion to their sizes.
   */
  async scale(newRS: KubeObject | undefined, oldRSs: KubeObject[]): Promise<void> {
    const d = this.d;
    const replicas = replicasOf(d);
    const active = filterActive([newRS, ...oldRSs]);
    const only = active.length === 1 ? active[0] : active.length === 0 ? (newRS ?? [...oldRSs].sort((a, b) => -byCreation(a, b))[0]) : undefined;
    if (only) {
      if (replicasOf(only) !== replicas) await this.scaleReplicaSet(only, replicas);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleReplicaSet(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
    const toAdd = allowed - replicaCount(active);
    const ordered = [...active].sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
    const sizes = new Map<string, number>();
    let added = 0;
    for (const rs of ordered) {
      if (toAdd !== 0) {
        const p = getProportion(rs, d, toAdd, added);
        sizes.set(rs.metadata.uid!, replicasOf(rs) + p);
        added += p;
      } else sizes.set(rs.metadata.uid!, replicasOf(rs));
    }
    for (let i = 0; i < ordered.length; i++) {
      const rs = ordered[i];
      let size = sizes.get(rs.metadata.uid!)!;
      // The leftover of rounding goes to the largest set.
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
      await this.scaleReplicaSet(rs, size);
    }
  }

  /** Deletes the oldest old sets beyond revisionHistoryLimit (only empty, settled ones). */
  async cleanup(oldRSs: KubeObject[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    const ordered = [...cleanable].sort(byRevision);
    for (const rs of ordered.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0) continue;
      if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.deps.client.delete('replicasets.apps', rs.metadata.name!, { namespace: this.ns, preconditions: { uid: rs.metadata.uid! } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** Writes the counts when they changed (no rollout bookkeeping: scaling, paused, deleting). */
  async syncDeploymentStatus(newRS: KubeObject | undefined): Promise<void> {
    const status = calculateStatus(this.d, this.sets, newRS, this.deps.now());
    if (deepEqual(this.d.status, status)) return;
    await this.writeStatus(status);
  }

  /** Writes the rollout status; resolves when to look again for the progress deadline. */
  async syncRolloutStatus(newRS: KubeObject | undefined): Promise<number | undefined> {
    const now = this.deps.now();
    const status = rolloutStatus(this.d, this.sets, newRS, now);
    if (deepEqual(this.d.status, status)) return stuckRequeueAfter(this.d, status, now);
    await this.writeStatus(status);
    return undefined;
  }
}

function byCreation(a: KubeObject, b: KubeObject): number {
  return (Date.parse(a.metadata.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata.creationTimestamp ?? '') || 0);
}
