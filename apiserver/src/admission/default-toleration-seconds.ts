// DefaultTolerationSeconds: every pod tolerates the not-ready and unreachable NoExecute taints
// for a while (300 s by default), so a node that blinks does not evict its pods at once. The
// node lifecycle controller evicts pods on tainted nodes once these run out.

import type { Admission, AdmissionRequest } from './admission.ts';

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export class DefaultTolerationSeconds implements Admission {
  private readonly notReadySeconds: number;
  private readonly unreachableSeconds: number;

  constructor(opts: { notReadySeconds?: number; unreachableSeconds?: number } = {}) {
    this.notReadySeconds = opts.notReadySeconds ?? 300;
    this.unreachableSeconds = opts.unreachableSeconds ?? 300;
  }

  async admit(req: AdmissionRequest): Promise<void> {
    if (req.operation !== 'CREATE' || req.info.group !== '' || req.info.resource !== 'pods') return;
    const spec = (req.object.spec ??= {});
    const tolerations: Toleration[] = spec.tolerations ?? [];
    // A toleration with this key (or no key: it tolerates everything) and a NoExecute or empty effect counts.
    const tolerates = (key: string) => tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
    const added: Toleration[] = [];
    if (!tolerates(NOT_READY_TAINT)) added.push({ key: NOT_READY_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: this.notReadySeconds });
    if (!tolerates(UNREACHABLE_TAINT)) added.push({ key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: this.unreachableSeconds });
    if (added.length) spec.tolerations = [...tolerations, ...added];
  }
}
