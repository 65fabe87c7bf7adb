// Controller references (upstream's controller_ref_manager.go): which controller owns an
// object is the ownerReference with controller=true. A controller claims the objects its
// selector matches: it keeps what it owns and matches, adopts matching orphans, and releases
// what it owns that no longer matches.
//
// Writes are strategic merge patches on metadata.ownerReferences (merge key uid) that also
// carry the object's uid, so a patch never lands on a namesake created meanwhile.

import type { KubeObject, OwnerReference, RestClient } from '@minik8s/shared';
import { isConflict, isNotFound, isStatusError } from '@minik8s/shared';
import type { LabelSelector } from '@minik8s/shared';

export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** The ownerReference a controller puts on what it creates (controller + blockOwnerDeletion). */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The patch that adopts `obj` for `ref` (upstream ownerRefControllerPatch). */
export function adoptPatch(obj: KubeObject, ref: OwnerReference): unknown {
  return { metadata: { ownerReferences: [ref], uid: obj.metadata.uid } };
}

/** The patch that removes the owner reference to `ownerUid` from `obj` (deleteOwnerRefStrategicMergePatch). */
export function releasePatch(obj: KubeObject, ...ownerUids: string[]): unknown {
  return { metadata: { ownerReferences: ownerUids.map((uid) => ({ $patch: 'delete', uid })), uid: obj.metadata.uid } };
}

export interface ControllerRefManagerOptions {
  client: RestClient;
  /** The claiming controller object (a ReplicaSet, a Deployment). */
  controller: KubeObject;
  controllerKind: { apiVersion: string; kind: string };
  /** The resource claimed objects live in: "pods", "replicasets.apps". */
  resource: string;
  selector: LabelSelector;
  /**
   * Checked once before the first adoption (upstream RecheckDeletionTimestamp): reads the
   * controller fresh from the API so a controller deleted a moment ago adopts nothing.
   */
  canAdopt: () => Promise<void>;
}

/** canAdopt for a controller read fresh from the API: same uid, not being deleted. */
export function recheckDeletionTimestamp(get: () => Promise<KubeObject>, original: KubeObject): () => Promise<void> {
  return async () => {
    const fresh = await get();
    if (fresh.metadata.uid !== original.metadata.uid) {
      throw new Error(`original ${original.metadata.namespace}/${original.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${original.metadata.uid}`);
    }
    if (fresh.metadata.deletionTimestamp) {
      throw new Error(`${original.metadata.namespace}/${original.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  };
}

export class ControllerRefManager {
  private readonly opts: ControllerRefManagerOptions;
  private adoptCheck: Promise<void> | undefined;

  constructor(opts: ControllerRefManagerOptions) {
    this.opts = opts;
  }

  /**
   * The objects of `candidates` this controller owns after claiming. Adoption and release
   * failures other than "the object is gone" are thrown together after every candidate was
   * tried, so the caller requeues; objects whose adoption failed are not in the result.
   */
  async claim(candidates: KubeObject[], match: (obj: KubeObject) => boolean = (o) => this.opts.selector.matches(o.metadata.labels)): Promise<KubeObject[]> {
    const claimed: KubeObject[] = [];
    const errors: unknown[] = [];
    const ctl = this.opts.controller;
    await Promise.all(
      candidates.map(async (obj) => {
        try {
          if (await this.claimOne(obj, match)) claimed.push(obj);
        } catch (err) {
          errors.push(err);
        }
      }),
    );
    if (errors.length) {
      const msg = errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
      const err = new Error(`claiming objects for ${ctl.metadata.namespace}/${ctl.metadata.name}: ${msg}`);
      (err as Error & { claimed?: KubeObject[] }).claimed = claimed;
      throw err;
    }
    // Keep the candidates' order (creation order matters to callers that sort later anyway).
    const order = new Map(candidates.map((o, i) => [o, i]));
    return claimed.sort((a, b) => order.get(a)! - order.get(b)!);
  }

  private async claimOne(obj: KubeObject, match: (obj: KubeObject) => boolean): Promise<boolean> {
    const ctl = this.opts.controller;
    const ref = getControllerOf(obj);
    if (ref) {
      if (ref.uid !== ctl.metadata.uid) return false; // someone else's
      if (match(obj)) return true;
      // Ours but no longer selected: release it, unless we are going away anyway.
      if (ctl.metadata.deletionTimestamp) return false;
      await this.release(obj);
      return false;
    }
    // An orphan: adopt it when it matches and neither side is being deleted.
    if (ctl.metadata.deletionTimestamp || !match(obj)) return false;
    if (obj.metadata.deletionTimestamp) return false;
    if (ctl.metadata.namespace && ctl.metadata.namespace !== obj.metadata.namespace) return false;
    return this.adopt(obj);
  }

  private async adopt(obj: KubeObject): Promise<boolean> {
    this.adoptCheck ??= this.opts.canAdopt();
    await this.adoptCheck;
    const ref = newControllerRef(this.opts.controller, this.opts.controllerKind.apiVersion, this.opts.controllerKind.kind);
    try {
      await this.opts.client.patch(this.opts.resource, obj.metadata.name!, adoptPatch(obj, ref), {
        namespace: obj.metadata.namespace,
        type: 'strategic',
      });
      return true;
    } catch (err) {
      if (isGone(err)) return false;
      throw err;
    }
  }

  private async release(obj: KubeObject): Promise<void> {
    try {
      await this.opts.client.patch(this.opts.resource, obj.metadata.name!, releasePatch(obj, this.opts.controller.metadata.uid!), {
        namespace: obj.metadata.namespace,
        type: 'strategic',
      });
    } catch (err) {
      if (isGone(err)) return;
      throw err;
    }
  }
}

/** The object is gone or was replaced by a namesake (uid precondition failed). */
export function isGone(err: unknown): boolean {
  return isNotFound(err) || isConflict(err) || (isStatusError(err) && err.reason === 'Invalid');
}
