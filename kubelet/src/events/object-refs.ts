// What the kubelet's events are about: a pod, one of its containers, or the node.

import type { KubeObject, ObjectReference } from '@minik8s/shared';

/** A reference to a pod, or to one of its containers (`spec.containers{name}`). */
export function podRef(pod: KubeObject, fieldPath?: string): ObjectReference {
  const ref: ObjectReference = { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name! };
  if (pod.metadata.namespace) ref.namespace = pod.metadata.namespace;
  if (pod.metadata.uid) ref.uid = pod.metadata.uid;
  if (pod.metadata.resourceVersion) ref.resourceVersion = pod.metadata.resourceVersion;
  if (fieldPath) ref.fieldPath = fieldPath;
  return ref;
}

/** The node reference the kubelet uses for node events (its uid is the node's name, as upstream). */
export function nodeRef(nodeName: string): ObjectReference {
  return { kind: 'Node', apiVersion: 'v1', name: nodeName, uid: nodeName };
}
