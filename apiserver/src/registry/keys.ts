import type { ResourceInfo } from '@minik8s/shared';

/** `/registry/<resource>/[<namespace>/]<name>`, so `etcdctl get --prefix /registry/pods/default` works. */
export class KeyFunc {
  readonly root: string;
  readonly info: ResourceInfo;

  constructor(etcdPrefix: string, info: ResourceInfo) {
    this.root = `${etcdPrefix.replace(/\/+$/, '')}/${info.resource}/`;
    this.info = info;
  }

  /** The prefix of a collection: every object, or one namespace's. */
  collection(namespace?: string): string {
    return this.info.namespaced && namespace ? `${this.root}${namespace}/` : this.root;
  }

  object(namespace: string | undefined, name: string): string {
    return this.info.namespaced ? `${this.root}${namespace}/${name}` : `${this.root}${name}`;
  }
}
