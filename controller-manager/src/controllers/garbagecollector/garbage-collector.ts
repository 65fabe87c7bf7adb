// The garbage collector (upstream pkg/controller/garbagecollector): deletes objects whose
// owners are gone, and carries out Foreground and Orphan deletion of owners.
//
// It watches every resource of the catalogue (events excepted) into one ownership graph
// (owner-graph.ts). Keys are "delete/<uid>" (attemptToDelete) and "orphan/<uid>".
//
// attemptToDelete(item):
//  1. Gone, or being deleted without Foreground: nothing to do.
//  2. Being deleted with the foregroundDeletion finalizer: it waits for its dependents whose
//     reference to it has blockOwnerDeletion. None left: remove the finalizer (the apiserver
//     then deletes it). Otherwise queue those dependents for deletion and wait.
//  3. Classify its owners: solid (exists, not waiting for dependents), waiting (exists, being
//     deleted with Foreground) or dangling. An owner missing from our caches is looked up
//     live (by name and uid) before it counts as dangling: the caches may just be behind.
//  4. Some solid owner: it stays; references to dangling and waiting owners are removed.
//     Only waiting owners (and it has dependents of its own): delete it in the Foreground too.
//     Otherwise: delete it (Background, or the policy its own finalizers ask for).
// orphan(owner): remove every dependent's reference to the owner, then the orphan finalizer.

import type { KubeObject, OwnerReference, ResourceInfo, SharedIndexInformer } from '@minik8s/shared';
import { RESOURCES, findKind, isNotFound } from '@minik8s/shared';
import { Controller, type ReconcileResult } from '../../controller.ts';
import type { ControllerContext } from '../../controller-context.ts';
import { releasePatch } from '../../util/controller-ref.ts';
import {
  FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  OwnerGraph,
  isDeletingDependents,
  isOrphaning,
  nodeFrom,
  type GraphNode,
} from './owner-graph.ts';

export const GARBAGE_COLLECTOR_CONTROLLER = 'garbage-collector-controller';
/** Resources the collector does not track (upstream ignores events; componentstatuses are not stored). */
const IGNORED = new Set(['events', 'componentstatuses']);

export function monitoredResources(): ResourceInfo[] {
  return RESOURCES.filter((r) => !(r.group === '' && IGNORED.has(r.resource)));
}

type OwnerState = 'solid' | 'waiting' | 'dangling';

export class GarbageCollector extends Controller {
  readonly graph = new OwnerGraph();

  constructor(ctx: ControllerContext) {
    super(ctx, { name: GARBAGE_COLLECTOR_CONTROLLER, workers: ctx.options.concurrentGCSyncs });
    for (const info of monitoredResources()) {
      const informer: SharedIndexInformer = ctx.informerFactory.informerFor(info);
      this.watch(informer, {
        onAdd: (obj) => this.observe(info, obj),
        onUpdate: (old, cur) => {
          if (old.metadata.resourceVersion !== cur.metadata.resourceVersion || old.metadata.uid !== cur.metadata.uid) this.observe(info, cur);
        },
        onDelete: (obj) => this.forget(obj),
      });
    }
  }

  // ---- graph maintenance (handlers) --------------------------------------------------------

  private observe(info: ResourceInfo, obj: KubeObject): void {
    if (!obj.metadata.uid) return;
    const node = nodeFrom(info, obj);
    const prev = this.graph.upsert(node);
    // An owner waiting for its dependents hears when one of them lets go of it.
    for (const o of prev?.owners ?? []) {
      if (!node.owners.some((x) => x.uid === o.uid)) this.poke(o.uid);
    }
    if (isDeletingDependents(node)) {
      this.queue.add(`delete/${node.uid}`);
      for (const d of this.graph.dependents(node.uid)) this.queue.add(`delete/${d.uid}`);
    }
    if (isOrphaning(node)) this.queue.add(`orphan/${node.uid}`);
    // Owners we do not know (maybe gone) or that wait for us: look at this object.
    for (const o of node.owners) {
      const owner = this.graph.get(o.uid);
      if (!owner || isDeletingDependents(owner)) {
        this.queue.add(`delete/${node.uid}`);
        break;
      }
    }
    if (node.deletionTimestamp) for (const o of node.owners) this.poke(o.uid);
  }

  private forget(obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    const prev = this.graph.remove(uid);
    // Its dependents may now be garbage (Background deletion of the owner).
    for (const d of this.graph.dependents(uid)) this.queue.add(`delete/${d.uid}`);
    for (const o of prev?.owners ?? []) this.poke(o.uid);
  }

  /** Re-examine an owner that is deleting or orphaning its dependents. */
  private poke(ownerUid: string): void {
    const owner = this.graph.get(ownerUid);
    if (!owner) return;
    if (isDeletingDependents(owner)) this.queue.add(`delete/${ownerUid}`);
    if (isOrphaning(owner)) this.queue.add(`orphan/${ownerUid}`);
  }

  // ---- reconcile -------------------------------------------------------------------------

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const uid = key.slice(slash + 1);
    const node = this.graph.get(uid);
    if (!node) return;
    if (kind === 'orphan') return this.orphanDependents(node);
    return this.attemptToDelete(node);
  }

  private async attemptToDelete(item: GraphNode): Promise<ReconcileResult | void> {
    if (item.deletionTimestamp && !isDeletingDependents(item)) return; // on its way already
    if (isDeletingDependents(item)) return this.processDeletingDependents(item);
    if (item.owners.length === 0) return;

    const solid: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    for (const ref of item.owners) {
      const state = await this.classifyOwner(item, ref);
      (state === 'solid' ? solid : state === 'waiting' ? waiting : dangling).push(ref);
    }
    if (solid.length > 0) {
      if (waiting.length + dangling.length === 0) return;
      // It stays (another owner holds it); it just stops pointing at owners that go away.
      const uids = [...dangling, ...waiting].map((r) => r.uid);
      this.logger.debug({ object: describe(item), owners: uids }, 'removing references to owners that are going away');
      await this.patch(item, releasePatch({ metadata: { uid: item.uid } }, ...uids));
      return;
    }
    let policy: 'Background' | 'Foreground' | 'Orphan';
    if (waiting.length > 0 && this.graph.hasDependents(item.uid)) policy = 'Foreground';
    else if (item.finalizers.includes(ORPHAN_FINALIZER)) policy = 'Orphan';
    else if (item.finalizers.includes(FOREGROUND_FINALIZER)) policy = 'Foreground';
    else policy = 'Background';
    this.logger.debug({ object: describe(item), policy }, 'deleting object whose owners are gone or going');
    try {
      await this.ctx.client.delete(item.info, item.name, {
        namespace: item.info.namespaced ? item.namespace : undefined,
        propagationPolicy: policy,
        preconditions: { uid: item.uid },
      });
    } catch (err) {
      if (!isNotFound(err) && !isUidConflict(err)) throw err;
    }
  }

  /** solid, waiting (being deleted in the Foreground) or dangling (gone, or another uid now). */
  private async classifyOwner(item: GraphNode, ref: OwnerReference): Promise<OwnerState> {
    const known = this.graph.get(ref.uid);
    if (known) return isDeletingDependents(known) ? 'waiting' : 'solid';
    const info = findKind(ref.apiVersion, ref.kind);
    if (!info) {
      // An owner kind this cluster does not serve: never guess it away.
      this.logger.debug({ object: describe(item), owner: ref }, 'owner kind unknown, keeping the object');
      return 'solid';
    }
    if (info.namespaced && !item.info.namespaced) return 'dangling'; // a cluster-scoped object cannot have a namespaced owner
    try {
      const live = await this.ctx.client.get(info, ref.name, { namespace: info.namespaced ? item.namespace : undefined });
      if (live.metadata.uid !== ref.uid) return 'dangling';
      const finalizers = live.metadata.finalizers ?? [];
      return live.metadata.deletionTimestamp && finalizers.includes(FOREGROUND_FINALIZER) ? 'waiting' : 'solid';
    } catch (err) {
      if (isNotFound(err)) return 'dangling';
      throw err;
    }
  }

  /** Foreground: wait for the dependents that block deletion, then drop the finalizer. */
  private async processDeletingDependents(owner: GraphNode): Promise<void> {
    const blocking = this.graph.dependents(owner.uid).filter((d) => d.owners.some((r) => r.uid === owner.uid && r.blockOwnerDeletion === true));
    if (blocking.length === 0) {
      await this.removeFinalizer(owner, FOREGROUND_FINALIZER);
      return;
    }
    for (const d of blocking) {
      if (!d.deletionTimestamp || isDeletingDependents(d)) this.queue.add(`delete/${d.uid}`);
    }
  }

  private async orphanDependents(owner: GraphNode): Promise<void> {
    if (!isOrphaning(owner)) return;
    const errors: string[] = [];
    await Promise.all(
      this.graph.dependents(owner.uid).map(async (d) => {
        try {
          await this.patch(d, releasePatch({ metadata: { uid: d.uid } }, owner.uid));
        } catch (err) {
          errors.push(`${describe(d)}: ${(err as Error).message}`);
        }
      }),
    );
    if (errors.length) throw new Error(`orphaning dependents of ${describe(owner)}: ${errors.join('; ')}`);
    await this.removeFinalizer(owner, ORPHAN_FINALIZER);
  }

  private async patch(node: GraphNode, body: unknown): Promise<void> {
    try {
      await this.ctx.client.patch(node.info, node.name, body, { namespace: node.info.namespaced ? node.namespace : undefined, type: 'strategic' });
    } catch (err) {
      if (!isNotFound(err) && !isUidConflict(err)) throw err;
    }
  }

  /** Removes one finalizer with a read and a resourceVersion-guarded patch. */
  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const namespace = node.info.namespaced ? node.namespace : undefined;
    let live: KubeObject;
    try {
      live = await this.ctx.client.get(node.info, node.name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (live.metadata.uid !== node.uid) return;
    const finalizers = live.metadata.finalizers ?? [];
    if (!finalizers.includes(finalizer)) return;
    await this.ctx.client.patch(
      node.info,
      node.name,
      { metadata: { finalizers: finalizers.filter((f) => f !== finalizer), resourceVersion: live.metadata.resourceVersion } },
      { namespace, type: 'merge' },
    );
    this.logger.debug({ object: describe(node), finalizer }, 'removed finalizer');
  }
}

function describe(n: GraphNode): string {
  const r = n.info.group ? `${n.info.resource}.${n.info.group}` : n.info.resource;
  return `${r} ${n.namespace ? `${n.namespace}/` : ''}${n.name} (${n.uid})`;
}

/** A uid precondition failed: the object was replaced by a namesake, ours is gone. */
function isUidConflict(err: unknown): boolean {
  return err instanceof Error && (err as { code?: number }).code === 409 && /Precondition failed: UID/.test(err.message);
}
