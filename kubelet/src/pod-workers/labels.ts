// The labels and annotations the kubelet puts on sandboxes and containers (kuberuntime's
// labels.go): the runtime hands them back, so they are the kubelet's whole memory of what it
// started, and they survive a kubelet restart with the docker runtime.

import { createHash } from 'node:crypto';
import type { Container, Pod } from '../api/pod.ts';

export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
/** Which kubelet (node) made it: two kubelets sharing one Docker engine never touch each other's. */
export const NODE_NAME_LABEL = 'minik8s.io/node-name';

export const CONTAINER_HASH_ANNOTATION = 'io.kubernetes.container.hash';
export const CONTAINER_RESTART_COUNT_ANNOTATION = 'io.kubernetes.container.restartCount';
export const POD_TERMINATION_GRACE_ANNOTATION = 'io.kubernetes.pod.terminationGracePeriod';
export const CONTAINER_KIND_ANNOTATION = 'minik8s.io/container-kind';

export function sandboxLabels(pod: Pod, nodeName: string): Record<string, string> {
  const labels: Record<string, string> = { ...(pod.metadata.labels ?? {}) };
  labels[POD_NAME_LABEL] = pod.metadata.name!;
  labels[POD_NAMESPACE_LABEL] = pod.metadata.namespace!;
  labels[POD_UID_LABEL] = pod.metadata.uid!;
  labels[NODE_NAME_LABEL] = nodeName;
  return labels;
}

export function containerLabels(pod: Pod, container: Container, nodeName: string): Record<string, string> {
  return {
    [POD_NAME_LABEL]: pod.metadata.name!,
    [POD_NAMESPACE_LABEL]: pod.metadata.namespace!,
    [POD_UID_LABEL]: pod.metadata.uid!,
    [CONTAINER_NAME_LABEL]: container.name,
    [NODE_NAME_LABEL]: nodeName,
  };
}

function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = stable((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/**
 * A hash of the container's spec (resources excluded, as upstream since in-place resize): when
 * it changes (e.g. a new image), the running container is replaced.
 */
export function containerHash(container: Container): string {
  const { resources: _resources, ...rest } = container;
  return createHash('sha256').update(JSON.stringify(stable(rest))).digest('hex').slice(0, 8);
}
