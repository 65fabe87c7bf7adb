// The pod lifecycle event generator (pleg/generic.go): relists the runtime's containers every
// period and resyncs each pod whose containers changed state (started, exited, vanished). The
// process runtime also reports exits at once through onEvent; the relist is what catches
// everything else (a container killed behind the kubelet's back, the docker runtime).

import { realClock } from '@minik8s/shared';
import type { Logger } from 'pino';
import type { RuntimeService } from './runtime/interface.ts';
import { POD_UID_LABEL } from './pod-workers/labels.ts';

export interface PlegOptions {
  runtime: Pick<RuntimeService, 'listContainers'>;
  relistPeriodMs: number;
  onPodChanged(uid: string): void;
  logger?: Logger;
}

export class GenericPleg {
  private readonly opts: PlegOptions;
  /** container id -> `${podUid} ${state}` */
  private last = new Map<string, string>();

  constructor(opts: PlegOptions) {
    this.opts = opts;
  }

  /** One relist; resolves the uids of the pods that changed. */
  async relist(): Promise<Set<string>> {
    const next = new Map<string, string>();
    for (const c of await this.opts.runtime.listContainers()) next.set(c.id, `${c.labels[POD_UID_LABEL] ?? ''} ${c.state}`);
    const changed = new Set<string>();
    for (const [id, v] of next) if (this.last.get(id) !== v) changed.add(v.split(' ')[0]);
    for (const [id, v] of this.last) if (!next.has(id)) changed.add(v.split(' ')[0]);
    this.last = next;
    changed.delete('');
    for (const uid of changed) this.opts.onPodChanged(uid);
    return changed;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.relist();
      } catch (err) {
        this.opts.logger?.warn({ err: (err as Error).message }, 'PLEG relist failed');
      }
      if (!(await realClock.sleep(this.opts.relistPeriodMs, signal))) return;
    }
  }
}
