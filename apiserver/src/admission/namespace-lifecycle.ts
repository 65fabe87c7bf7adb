// NamespaceLifecycle: nothing is created in a namespace that does not exist or is being
// terminated, and the system namespaces cannot be deleted.

import { StatusError, forbidden, notFound, type KubeObject } from '@minik8s/shared';
import type { Admission, AdmissionRequest } from './admission.ts';

export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export class NamespaceLifecycle implements Admission {
  private readonly lookup: (name: string) => Promise<KubeObject | undefined>;

  /** lookup: the namespace as stored (a cache first, then storage, so a fresh namespace is seen). */
  constructor(lookup: (name: string) => Promise<KubeObject | undefined>) {
    this.lookup = lookup;
  }

  async admit(req: AdmissionRequest): Promise<void> {
    const { info, operation } = req;
    if (info.group === '' && info.resource === 'namespaces') {
      if (operation === 'DELETE' && IMMORTAL_NAMESPACES.includes(req.object.metadata.name ?? '')) {
        throw forbidden({ group: '', resource: 'namespaces' }, req.object.metadata.name!, 'this namespace may not be deleted');
      }
      return;
    }
    if (!info.namespaced || operation !== 'CREATE' || !req.namespace) return;
    const ns = await this.lookup(req.namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, req.namespace);
    // Events may still be written into a terminating namespace, as upstream allows.
    if (ns.status?.phase === 'Terminating' && !(info.group === '' && info.resource === 'events')) {
      throw StatusError.from(
        403,
        'Forbidden',
        `${info.group ? `${info.resource}.${info.group}` : info.resource} "${req.object.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${req.namespace} because it is being terminated`,
        { name: req.object.metadata.name ?? '', ...(info.group ? { group: info.group } : {}), kind: info.resource, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${req.namespace} is being terminated`, field: 'metadata.namespace' }] },
      );
    }
  }
}
