// The pod templates of a StatefulSet's revisions, kept in memory.
//
// Upstream stores each revision as a ControllerRevision object; this apiserver does not serve
// them, and the controller needs an old template only while a RollingUpdate with a partition
// (or an interrupted one) recreates a pod at the current revision. So the controller
// remembers every template it sees in its StatefulSet cache (old and new versions of each
// update), keyed by revision name. After a restart the old templates are gone: the controller
// then recovers one from a live pod of that revision (templateFromPod), or, with none left,
// uses the update revision. Serving apps/v1 ControllerRevisions would make this exact.

import type { KubeObject } from '@minik8s/shared';
import { revisionName } from './stateful-pod.ts';

/** Templates kept per StatefulSet, beyond which the least recently seen are dropped. */
const MAX_PER_SET = 16;

export class RevisionHistory {
  private readonly bySet = new Map<string, Map<string, unknown>>();

  /** Records the template of this version of the StatefulSet; returns its revision name. */
  remember(set: KubeObject): string {
    const revision = revisionName(set, set.spec?.template);
    this.rememberRevision(set, revision, set.spec?.template ?? {});
    return revision;
  }

  /** Records `template` as revision `revision` of the set (e.g. one recovered from a pod). */
  rememberRevision(set: KubeObject, revision: string, template: unknown): void {
    const uid = set.metadata.uid!;
    let revisions = this.bySet.get(uid);
    if (!revisions) {
      revisions = new Map();
      this.bySet.set(uid, revisions);
    }
    revisions.delete(revision); // most recently seen last
    revisions.set(revision, structuredClone(template));
    while (revisions.size > MAX_PER_SET) revisions.delete(revisions.keys().next().value!);
  }

  template(set: KubeObject, revision: string): unknown | undefined {
    return this.bySet.get(set.metadata.uid!)?.get(revision);
  }

  forget(uid: string): void {
    this.bySet.delete(uid);
  }
}
