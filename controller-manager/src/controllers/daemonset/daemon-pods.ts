// What a daemon pod looks like and how the controller reads one back (upstream
// pkg/controller/daemon/util): the template with the daemon tolerations, the revision hash
// and template generation labels, and a required node affinity naming its node so the
// scheduler puts it there.

import type { KubeObject } from '@minik8s/shared';
import { withDaemonPodTolerations, type NodeSelector } from './node-should-run.ts';

/** apps.ControllerRevisionHashLabelKey / DefaultDaemonSetUniqueLabelKey. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** extensions.DaemonSetTemplateGenerationKey. */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** apps.DeprecatedTemplateGeneration: the DaemonSet generation its template last changed at. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/**
 * The pod template a DaemonSet's pods are created from (upstream CreatePodTemplate): its
 * template plus the daemon tolerations and the generation / hash labels.
 */
export function createPodTemplate(ds: KubeObject, generation: number | undefined, hash: string): { metadata: any; spec: any } {
  const template = structuredClone(ds.spec?.template ?? {});
  const spec = template.spec ?? {};
  spec.tolerations = withDaemonPodTolerations(spec.tolerations, spec.hostNetwork === true);
  const labels: Record<string, string> = { ...(template.metadata?.labels ?? {}) };
  if (generation !== undefined) labels[POD_TEMPLATE_GENERATION_LABEL] = String(generation);
  if (hash) labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
  return { metadata: { ...(template.metadata ?? {}), labels }, spec };
}

/**
 * `affinity` with its required node affinity replaced by "metadata.name In [nodeName]"
 * (upstream ReplaceDaemonSetPodNodeNameNodeAffinity). Safe because the controller only picks
 * nodes the original affinity accepts; preferred terms and pod (anti-)affinity are kept.
 */
export function replaceNodeNameAffinity(affinity: any, nodeName: string): any {
  const required: NodeSelector = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] };
  const out = structuredClone(affinity ?? {});
  out.nodeAffinity = { ...(out.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: required };
  return out;
}

/**
 * The node a daemon pod is for: spec.nodeName once bound, else the single metadata.name of
 * its required node affinity (upstream GetTargetNodeName); undefined when it names none.
 */
export function getTargetNodeName(pod: KubeObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = (pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution as NodeSelector | undefined)?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In') return f.values?.length === 1 ? f.values[0] : undefined;
    }
  }
  return undefined;
}

/**
 * The pod runs the DaemonSet's current template. Upstream also accepts a matching
 * pod-template-generation label (for pods older than revision hashes); every pod here carries
 * the hash, and the hash cannot go stale as a generation annotation can.
 */
export function isPodUpdated(pod: KubeObject, hash: string): boolean {
  return hash !== '' && pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
}

/** Scheduled pods first, then oldest first, then by name (upstream podByCreationTimestampAndPhase). */
export function compareByCreationTimestampAndPhase(a: KubeObject, b: KubeObject): number {
  const aBound = !!a.spec?.nodeName;
  const bBound = !!b.spec?.nodeName;
  if (aBound !== bBound) return aBound ? -1 : 1;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
}
