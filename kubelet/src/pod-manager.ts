// The pods this kubelet should run, from its sources (pod/pod_manager.go): the apiserver (pods
// bound to this node) and the static pod directory, plus the mirror pods the apiserver holds for
// the static ones. Pods are known by uid; a static pod and its mirror share namespace/name.

import type { Pod } from './api/pod.ts';
import { podKey } from './api/pod.ts';
import { isMirrorPod } from './static-pods/file-source.ts';

export class PodManager {
  private readonly apiPods = new Map<string, Pod>();
  private readonly staticPods = new Map<string, Pod>();
  private readonly mirrors = new Map<string, Pod>();

  /** Records an API pod (or a mirror pod); returns 'mirror' for mirror pods. */
  setApiPod(pod: Pod): 'pod' | 'mirror' {
    if (isMirrorPod(pod)) {
      this.mirrors.set(podKey(pod), pod);
      return 'mirror';
    }
    this.apiPods.set(pod.metadata.uid!, pod);
    return 'pod';
  }

  deleteApiPod(pod: Pod): 'pod' | 'mirror' {
    if (isMirrorPod(pod)) {
      if (this.mirrors.get(podKey(pod))?.metadata.uid === pod.metadata.uid) this.mirrors.delete(podKey(pod));
      return 'mirror';
    }
    this.apiPods.delete(pod.metadata.uid!);
    return 'pod';
  }

  setStaticPods(pods: Pod[]): { added: Pod[]; removed: Pod[] } {
    const next = new Map(pods.map((p) => [p.metadata.uid!, p]));
    const removed = [...this.staticPods.values()].filter((p) => !next.has(p.metadata.uid!));
    const added = pods.filter((p) => !this.staticPods.has(p.metadata.uid!));
    for (const p of removed) this.staticPods.delete(p.metadata.uid!);
    for (const p of added) this.staticPods.set(p.metadata.uid!, p);
    return { added, removed };
  }

  isStaticPod(pod: Pod): boolean {
    return this.staticPods.has(pod.metadata.uid!) || pod.metadata.annotations?.['kubernetes.io/config.source'] === 'file';
  }

  /** The static pod of a mirror pod's namespace/name. */
  staticPodByKey(key: string): Pod | undefined {
    for (const p of this.staticPods.values()) if (podKey(p) === key) return p;
    return undefined;
  }

  mirrorPod(key: string): Pod | undefined {
    return this.mirrors.get(key);
  }

  mirrorPods(): Pod[] {
    return [...this.mirrors.values()];
  }

  /** A pod to run by namespace/name: an API pod, else a static pod. */
  podByKey(namespace: string, name: string): Pod | undefined {
    const key = `${namespace}/${name}`;
    for (const p of this.apiPods.values()) if (podKey(p) === key) return p;
    return this.staticPodByKey(key);
  }

  pods(): Pod[] {
    return [...this.apiPods.values(), ...this.staticPods.values()];
  }

  has(uid: string): boolean {
    return this.apiPods.has(uid) || this.staticPods.has(uid);
  }
}
