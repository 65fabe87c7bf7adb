// The index functions daemons need, with the index names client-go and the controllers use.

import type { KubeObject } from '../api/types.ts';
import type { IndexFunc } from './indexer.ts';

/** cache.NamespaceIndex: objects by metadata.namespace (cluster-scoped objects are not indexed). */
export const NAMESPACE_INDEX = 'namespace';
/** Pods by spec.nodeName (the kubelet's and the node controller's question: what runs here?). */
export const NODE_NAME_INDEX = 'nodeName';
/** Objects by the uid of each owner reference (the controllers' "what do I own?"). */
export const OWNER_UID_INDEX = 'ownerUID';
/** Objects by each label as "key=value" (exact match only; selectors filter the results). */
export const LABEL_INDEX = 'label';

export const namespaceIndexFunc: IndexFunc<KubeObject> = (obj) => (obj.metadata?.namespace ? [obj.metadata.namespace] : []);

export const nodeNameIndexFunc: IndexFunc<KubeObject> = (obj) => {
  const node = obj.spec?.nodeName;
  return typeof node === 'string' && node !== '' ? [node] : [];
};

export const ownerUidIndexFunc: IndexFunc<KubeObject> = (obj) => (obj.metadata?.ownerReferences ?? []).map((r) => r.uid);

export const labelIndexFunc: IndexFunc<KubeObject> = (obj) =>
  Object.entries(obj.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`);

/** The value to look up in LABEL_INDEX for one label. */
export function labelIndexValue(key: string, value: string): string {
  return `${key}=${value}`;
}
