// Admission: checks (and, for mutating plugins, changes) applied to a write after validation
// and before storage. Plugins run in order; the first error wins.

import type { KubeObject, ResourceInfo } from '@minik8s/shared';

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  info: ResourceInfo;
  namespace: string | undefined;
  object: KubeObject;
  oldObject?: KubeObject;
}

export interface Admission {
  admit(req: AdmissionRequest): Promise<void>;
}

export class AdmissionChain implements Admission {
  private readonly plugins: Admission[];

  constructor(plugins: Admission[]) {
    this.plugins = plugins;
  }

  async admit(req: AdmissionRequest): Promise<void> {
    for (const p of this.plugins) await p.admit(req);
  }
}
