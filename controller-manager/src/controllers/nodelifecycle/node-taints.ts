// Writing a node's taints (upstream controllerutil.SwapNodeControllerTaint / PatchNodeTaints):
// read the node fresh, compute the new list, merge-patch spec.taints guarded by the
// resourceVersion read, retry a few times on a conflict.

import type { KubeObject, RestClient } from '@minik8s/shared';
import { isConflict, isNotFound } from '@minik8s/shared';
import { rfc3339 } from '@minik8s/shared';
import { sameTaint, type Taint } from '../../util/taints.ts';

const RETRIES = 5;

/**
 * Adds `add` (stamped with timeAdded = now when NoExecute) and removes `remove` on node
 * `name`. Resolves false when the node is gone, true otherwise (also when nothing changed).
 */
export async function swapNodeTaints(client: RestClient, name: string, add: Taint[], remove: Taint[], now: number): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    let node: KubeObject;
    try {
      node = await client.get('nodes', name);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    const current: Taint[] = node.spec?.taints ?? [];
    let next = current.filter((t) => !remove.some((r) => sameTaint(r, t)));
    for (const t of add) {
      if (next.some((x) => sameTaint(x, t))) continue;
      next = [...next, t.effect === 'NoExecute' ? { ...t, timeAdded: rfc3339(now) } : { ...t }];
    }
    if (next.length === current.length && next.every((t, i) => sameTaint(t, current[i]))) return true;
    try {
      await client.patch('nodes', name, { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: next } }, { type: 'merge' });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (!isConflict(err) || attempt >= RETRIES) throw err;
    }
  }
}

export function hasTaint(node: KubeObject, taint: Taint): boolean {
  return ((node.spec?.taints ?? []) as Taint[]).some((t) => sameTaint(t, taint));
}
