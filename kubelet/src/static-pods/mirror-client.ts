// Mirror pods (pod/mirror_client.go): the API's read-only picture of a static pod, named like
// it (`<name>-<node>`), annotated kubernetes.io/config.mirror=<static pod hash> and owned by the
// Node. Deleting a mirror pod stops nothing: the kubelet deletes what is left of it at once and
// creates a new one. A mirror pod of an older manifest is replaced the same way.

import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound, type KubeObject, type RestClient } from '@minik8s/shared';
import type { Pod } from '../api/pod.ts';
import { podDesc } from '../api/pod.ts';
import type { MirrorPods } from '../pod-workers/pod-syncer.ts';
import { CONFIG_HASH_ANNOTATION, CONFIG_MIRROR_ANNOTATION } from './file-source.ts';

export interface MirrorClientOptions {
  client: Pick<RestClient, 'create' | 'delete'>;
  nodeName: string;
  /** The Node, for the owner reference. */
  node(): KubeObject | undefined;
  /**
   * The kubelet registers its Node (--register-node): no mirror pod is made before the Node is
   * known, as upstream's CreateMirrorPod needs its uid for the owner reference.
   */
  requireNode?: boolean;
  /** The mirror pod as the informer holds it. */
  getApiPod(namespace: string, name: string): Pod | undefined;
  logger?: Logger;
}

export function mirrorHash(pod: Pod): string {
  return pod.metadata.annotations?.[CONFIG_HASH_ANNOTATION] ?? pod.metadata.uid ?? '';
}

/** The mirror pod to create for a static pod. */
export function mirrorPodFor(pod: Pod, nodeName: string, nodeUid: string | undefined): Pod {
  const copy = structuredClone(pod);
  copy.metadata = {
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    labels: pod.metadata.labels,
    annotations: { ...(pod.metadata.annotations ?? {}), [CONFIG_MIRROR_ANNOTATION]: mirrorHash(pod) },
  };
  if (nodeUid) copy.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid, controller: true }];
  delete copy.status;
  return copy;
}

export class MirrorClient implements MirrorPods {
  private readonly opts: MirrorClientOptions;

  constructor(opts: MirrorClientOptions) {
    this.opts = opts;
  }

  async ensure(pod: Pod): Promise<void> {
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    const hash = mirrorHash(pod);
    const mirror = this.opts.getApiPod(ns, name);
    if (mirror) {
      const current = mirror.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION] === hash && !mirror.metadata.deletionTimestamp;
      if (current) return;
      // Deleted by someone, or of an older manifest: finish it off and make a new one.
      await this.deleteMirror(mirror);
    }
    // Before the Node is registered there is no mirror (the static pod runs anyway; the sync
    // after registration creates it).
    const nodeUid = this.opts.node()?.metadata.uid;
    if (!nodeUid && this.opts.requireNode) throw new Error(`node "${this.opts.nodeName}" is not registered yet: no mirror pod`);
    try {
      await this.opts.client.create('pods', mirrorPodFor(pod, this.opts.nodeName, nodeUid), { namespace: ns });
      this.opts.logger?.info({ pod: podDesc(pod) }, 'created mirror pod');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  async remove(pod: Pod): Promise<void> {
    const mirror = this.opts.getApiPod(pod.metadata.namespace!, pod.metadata.name!);
    // Only our own mirror: a newer manifest of the same name may already have its own.
    if (mirror && mirror.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION] === mirrorHash(pod)) await this.deleteMirror(mirror);
  }

  /** Deletes a mirror pod at once (grace 0), only the very object seen (uid precondition). */
  async deleteMirror(mirror: Pod): Promise<void> {
    try {
      await this.opts.client.delete('pods', mirror.metadata.name!, {
        namespace: mirror.metadata.namespace,
        gracePeriodSeconds: 0,
        preconditions: { uid: mirror.metadata.uid },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
