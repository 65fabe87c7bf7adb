// The deprecated.daemonset.template.generation annotation: the DaemonSet generation at which its
// pod template last changed. Upstream the apiserver's DaemonSet strategy keeps it (set on
// create, bumped with the generation when the template changes); ours does not, so the
// controller keeps it instead, from what it sees:
//  - missing: set it to metadata.generation;
//  - the template hash differs from the one seen when the value was last chosen: bump it to
//    metadata.generation.
// What it cannot see (a template changed while no controller ran) leaves the value stale; it
// only labels pods (pod-template-generation), whether a pod is up to date is decided by the
// revision hash. Once the apiserver maintains the annotation this never writes.

import type { KubeObject } from '@minik8s/shared';
import { TEMPLATE_GENERATION_ANNOTATION } from './daemon-pods.ts';

export class TemplateGenerations {
  /** DaemonSet uid -> the template hash and the annotation value chosen for it. */
  private readonly seen = new Map<string, { hash: string; generation: number }>();

  /** The annotation's value, if it holds an integer. */
  static current(ds: KubeObject): number | undefined {
    const v = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    return v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : undefined;
  }

  /**
   * The value the annotation should hold for `ds` with template hash `hash`. Call record()
   * once the DaemonSet carries it (already, or after a successful patch).
   */
  desired(ds: KubeObject, hash: string): number {
    const generation = ds.metadata.generation ?? 1;
    const current = TemplateGenerations.current(ds);
    const entry = this.seen.get(ds.metadata.uid!);
    if (current === undefined) return generation;
    if (entry && entry.hash !== hash && current < generation) return generation;
    return current;
  }

  record(ds: KubeObject, hash: string, generation: number): void {
    this.seen.set(ds.metadata.uid!, { hash, generation });
  }

  forget(uid: string): void {
    this.seen.delete(uid);
  }
}
