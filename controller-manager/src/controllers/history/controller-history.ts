// A controller's history as apps/v1 ControllerRevisions (upstream pkg/controller/history), shared
// by the DaemonSet and StatefulSet controllers.
//
// A revision is an immutable snapshot (`data`) of the part of its parent a rollback restores,
// plus a `revision` number that orders the history: the highest number is the newest state.
// Both controllers store the same data, a strategic merge patch that replaces the pod template:
//
//   {"spec":{"template":{...the pod template..., "$patch":"replace"}}}
//
// which is exactly what `kubectl rollout undo` sends back as a PATCH, and what `kubectl rollout
// history --revision=N` applies to the parent to print revision N's template.
//
// Contract:
// - Revisions are named `<parent>-<hash>` (the parent's name cut to 223 characters so the name
//   fits 253) and carry the parent's template labels (kubectl lists them with the parent's
//   selector) and an ownerReference with controller=true (the garbage collector removes them
//   with the parent).
// - `data` never changes once created (the apiserver refuses it); going back to an older state
//   gives that revision a new, highest number instead of writing a new revision.
// - Reads come from the ControllerRevision informer's cache; writes go through the API. A cache
//   that is behind shows up as AlreadyExists on create (resolved by reading the live object) or
//   Conflict on update (resolved by re-reading); neither is reported as an error.

import type { KubeObject, LabelSelector, OwnerReference, RestClient, SharedIndexInformer } from '@minik8s/shared';
import { isAlreadyExists, isConflict, isNotFound } from '@minik8s/shared';
import { ControllerRefManager, getControllerOf, newControllerRef } from '../../util/controller-ref.ts';
import { canonicalJson, safeEncodeString } from '../../util/hash.ts';

export const CONTROLLER_REVISIONS = 'controllerrevisions.apps';
/** history.ControllerRevisionHashLabel: the hash of a revision's data (StatefulSet revisions). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

export interface ControllerRevision extends KubeObject {
  data: unknown;
  revision: number;
}

export interface ParentKind {
  apiVersion: string;
  kind: string;
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters (ControllerRevisionName). */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1 (multiply, then xor), 32 bits: hash/fnv.New32, which HashControllerRevision uses. */
export function fnv32(bytes: Uint8Array, hash: number = FNV32_OFFSET): number {
  let h = hash >>> 0;
  for (const b of bytes) {
    h = Math.imul(h, FNV32_PRIME) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

/**
 * The hash of a revision's data (HashControllerRevision): FNV-1 over the data's canonical JSON
 * (upstream: the stored bytes, which Go writes with sorted keys too), then the decimal collision
 * count when there is one, encoded with rand.SafeEncodeString.
 */
export function hashControllerRevision(data: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32(enc.encode(canonicalJson(data)));
  if (collisionCount !== undefined) h = fnv32(enc.encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/**
 * The data both controllers store: a strategic merge patch replacing spec.template (getPatch
 * of the DaemonSet and StatefulSet controllers).
 */
export function templatePatch(parent: KubeObject): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...structuredClone(parent.spec?.template ?? {}), $patch: 'replace' } } };
}

/** The pod template a revision written by templatePatch restores (ApplyRevision). */
export function revisionTemplate(revision: ControllerRevision): Record<string, any> {
  const template = structuredClone((revision.data as { spec?: { template?: Record<string, any> } } | undefined)?.spec?.template ?? {});
  delete template.$patch;
  return template;
}

/** Data equality as the stored bytes would compare (EqualRevision without the hash label shortcut). */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  return canonicalJson(a.data) === canonicalJson(b.data);
}

/** The revisions of `revisions` whose data equals needle's, in their order (FindEqualRevisions). */
export function findEqualRevisions(revisions: readonly ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** Ascending by revision, then creation time, then name (SortControllerRevisions); a new array. */
export function sortControllerRevisions(revisions: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta !== tb) return ta - tb;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
  });
}

/** The highest revision number of `revisions`, 0 for none. */
export function maxRevision(revisions: readonly ControllerRevision[]): number {
  return revisions.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
}

/**
 * A revision of `parent` holding `data` (NewControllerRevision): named by the hash of the data
 * and the collision count, labelled with the template labels and the hash. Not yet created.
 */
export function newControllerRevision(parent: KubeObject, kind: ParentKind, templateLabels: Record<string, string> | undefined, data: unknown, revision: number, collisionCount: number): ControllerRevision {
  const hash = hashControllerRevision(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(parent.metadata.name!, hash),
      namespace: parent.metadata.namespace,
      labels: { ...(templateLabels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [newControllerRef(parent, kind.apiVersion, kind.kind)],
    },
    data,
    revision,
  };
}

/** The API side of a controller's history, reading from the ControllerRevision informer. */
export class ControllerHistory {
  private readonly client: RestClient;
  private readonly informer: SharedIndexInformer;

  constructor(client: RestClient, informer: SharedIndexInformer) {
    this.client = client;
    this.informer = informer;
  }

  /**
   * The cached revisions in the parent's namespace that `selector` matches and that the parent
   * controls or nobody does (ListControllerRevisions). Cache objects: do not mutate.
   */
  list(parent: KubeObject, selector: LabelSelector): ControllerRevision[] {
    return (this.informer.list(parent.metadata.namespace) as ControllerRevision[]).filter((r) => {
      if (!selector.matches(r.metadata.labels)) return false;
      const ref = getControllerOf(r);
      return !ref || ref.uid === parent.metadata.uid;
    });
  }

  /**
   * Every cached revision of the namespace the parent controls after claiming: matching orphans
   * are adopted, owned revisions that no longer match are released (the DaemonSet controller's
   * controlledHistories, with the ControllerRevision ControllerRefManager).
   */
  async claim(parent: KubeObject, kind: ParentKind, selector: LabelSelector, canAdopt: () => Promise<void>): Promise<ControllerRevision[]> {
    const manager = new ControllerRefManager({ client: this.client, controller: parent, controllerKind: kind, resource: CONTROLLER_REVISIONS, selector, canAdopt });
    return (await manager.claim(this.informer.list(parent.metadata.namespace))) as ControllerRevision[];
  }

  /** Makes `parent` the controller of each orphan in `revisions` (AdoptControllerRevision). */
  async adopt(parent: KubeObject, kind: ParentKind, revisions: readonly ControllerRevision[]): Promise<void> {
    for (const r of revisions) {
      if (getControllerOf(r)) continue;
      const ref: OwnerReference = newControllerRef(parent, kind.apiVersion, kind.kind);
      try {
        await this.client.patch(CONTROLLER_REVISIONS, r.metadata.name!, { metadata: { ownerReferences: [ref], uid: r.metadata.uid } }, { namespace: r.metadata.namespace, type: 'strategic' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /**
   * Creates `revision` for `parent` (CreateControllerRevision). On a name taken by a revision with
   * other data, the collision count goes up by one and the name is recomputed, until a name is
   * free or holds the same data (then that revision is the answer). `collisionCount.value` is
   * what the parent's status.collisionCount must become.
   */
  async create(parent: KubeObject, revision: ControllerRevision, collisionCount: { value: number }): Promise<ControllerRevision> {
    const namespace = parent.metadata.namespace;
    for (;;) {
      const hash = hashControllerRevision(revision.data, collisionCount.value);
      const candidate: ControllerRevision = {
        ...revision,
        metadata: { ...revision.metadata, name: controllerRevisionName(parent.metadata.name!, hash), labels: { ...(revision.metadata.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash } },
      };
      try {
        return await this.client.create<ControllerRevision>(CONTROLLER_REVISIONS, candidate, { namespace });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      const existing = await this.client.get<ControllerRevision>(CONTROLLER_REVISIONS, candidate.metadata.name!, { namespace });
      if (equalRevision(existing, candidate)) return existing;
      collisionCount.value++;
    }
  }

  /**
   * Sets the revision number of `revision` (UpdateControllerRevision). A conflict re-reads the
   * live object and tries again; a live object that already has the number is the answer.
   */
  async updateRevision(revision: ControllerRevision, newRevision: number): Promise<ControllerRevision> {
    let current = revision;
    for (let attempt = 0; ; attempt++) {
      if (current.revision === newRevision) return current;
      try {
        return await this.client.update<ControllerRevision>(CONTROLLER_REVISIONS, { ...current, revision: newRevision });
      } catch (err) {
        if (!isConflict(err) || attempt >= 4) throw err;
      }
      current = await this.client.get<ControllerRevision>(CONTROLLER_REVISIONS, revision.metadata.name!, { namespace: revision.metadata.namespace });
      if (current.metadata.uid !== revision.metadata.uid) throw new Error(`ControllerRevision ${revision.metadata.namespace}/${revision.metadata.name} was replaced`);
    }
  }

  /** Deletes `revision` (DeleteControllerRevision); one already gone is not an error. */
  async delete(revision: ControllerRevision): Promise<void> {
    try {
      await this.client.delete(CONTROLLER_REVISIONS, revision.metadata.name!, { namespace: revision.metadata.namespace, preconditions: { uid: revision.metadata.uid! } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
