// The garbage collector's view of ownership (upstream GraphBuilder's uidToNode): every object
// of every monitored resource by uid, with its owner references and the reverse edges
// (owner uid -> dependent uids). An owner uid with dependents but no object is "virtual": the
// owner is absent from our caches, maybe gone, maybe not yet seen; only a live read can tell.

import type { KubeObject, OwnerReference, ResourceInfo } from '@minik8s/shared';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface GraphNode {
  uid: string;
  info: ResourceInfo;
  namespace: string;
  name: string;
  owners: OwnerReference[];
  deletionTimestamp?: string;
  finalizers: string[];
}

export function nodeFrom(info: ResourceInfo, obj: KubeObject): GraphNode {
  const n: GraphNode = {
    uid: obj.metadata.uid!,
    info,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name!,
    owners: [...(obj.metadata.ownerReferences ?? [])],
    finalizers: [...(obj.metadata.finalizers ?? [])],
  };
  if (obj.metadata.deletionTimestamp) n.deletionTimestamp = obj.metadata.deletionTimestamp;
  return n;
}

/** Being deleted and waiting for its blocking dependents to go first (Foreground). */
export function isDeletingDependents(n: GraphNode): boolean {
  return !!n.deletionTimestamp && n.finalizers.includes(FOREGROUND_FINALIZER);
}

/** Being deleted and wanting its dependents orphaned first (Orphan). */
export function isOrphaning(n: GraphNode): boolean {
  return !!n.deletionTimestamp && n.finalizers.includes(ORPHAN_FINALIZER);
}

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependentsByOwner = new Map<string, Set<string>>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** Dependents (present in the graph) naming `ownerUid` as an owner. */
  dependents(ownerUid: string): GraphNode[] {
    const uids = this.dependentsByOwner.get(ownerUid);
    if (!uids) return [];
    const out: GraphNode[] = [];
    for (const u of uids) {
      const n = this.nodes.get(u);
      if (n) out.push(n);
    }
    return out;
  }

  hasDependents(ownerUid: string): boolean {
    return (this.dependentsByOwner.get(ownerUid)?.size ?? 0) > 0;
  }

  /** Inserts or replaces; resolves the previous version (if any). */
  upsert(node: GraphNode): GraphNode | undefined {
    const prev = this.nodes.get(node.uid);
    if (prev) for (const o of prev.owners) this.unlink(o.uid, prev.uid);
    this.nodes.set(node.uid, node);
    for (const o of node.owners) this.link(o.uid, node.uid);
    return prev;
  }

  remove(uid: string): GraphNode | undefined {
    const prev = this.nodes.get(uid);
    if (!prev) return undefined;
    for (const o of prev.owners) this.unlink(o.uid, uid);
    this.nodes.delete(uid);
    return prev;
  }

  private link(owner: string, dependent: string): void {
    let s = this.dependentsByOwner.get(owner);
    if (!s) this.dependentsByOwner.set(owner, (s = new Set()));
    s.add(dependent);
  }

  private unlink(owner: string, dependent: string): void {
    const s = this.dependentsByOwner.get(owner);
    if (!s) return;
    s.delete(dependent);
    if (s.size === 0) this.dependentsByOwner.delete(owner);
  }
}
