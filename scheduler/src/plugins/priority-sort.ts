// PrioritySort: the active queue hands out higher spec.priority first, then the pod that
// entered the queue first.

import type { QueueSortPlugin, QueuedPodInfoLike } from '../framework/interfaces.ts';
import { podPriority } from '../types.ts';
import { PrioritySort as NAME } from './names.ts';

export class PrioritySortPlugin implements QueueSortPlugin {
  readonly name = NAME;

  less(a: QueuedPodInfoLike, b: QueuedPodInfoLike): boolean {
    const pa = podPriority(a.pod);
    const pb = podPriority(b.pod);
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  }
}

export function newPrioritySort(): PrioritySortPlugin {
  return new PrioritySortPlugin();
}
