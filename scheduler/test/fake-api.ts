// An in-memory stand-in for the apiserver's pods/binding, pods/status and events endpoints, for
// unit tests of the scheduler loop. It keeps bound pods, refuses a second binding with a 409
// StatusError (as the real apiserver does), and records events and status patches.

import { StatusError, type KubeObject } from '@minik8s/shared';
import type { SchedulerClient } from '../src/scheduler.ts';
import type { Pod } from '../src/types.ts';

export class FakeApi implements SchedulerClient {
  readonly bindings = new Map<string, string>();
  readonly events: KubeObject[] = [];
  readonly eventPatches: { name: string; patch: any }[] = [];
  readonly statusPatches: { pod: string; patch: any }[] = [];
  /** Makes the next bindings of these pods fail with this error. */
  failBinding = new Map<string, Error>();
  bindCalls = 0;
  private resolvers: (() => void)[] = [];

  async create(resource: string, obj: KubeObject, opts: { namespace?: string; name?: string; subresource?: string }): Promise<unknown> {
    if (resource === 'pods' && opts.subresource === 'binding') {
      this.bindCalls++;
      const key = `${opts.namespace}/${opts.name}`;
      const fail = this.failBinding.get(key);
      if (fail) {
        this.failBinding.delete(key);
        throw fail;
      }
      const existing = this.bindings.get(key);
      if (existing) throw StatusError.from(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${opts.name}": pod ${opts.name} is already assigned to node "${existing}"`);
      this.bindings.set(key, (obj as any).target.name);
    } else if (resource === 'events') {
      this.events.push(obj);
    } else throw new Error(`unexpected create of ${resource}`);
    this.wake();
    return { kind: 'Status', status: 'Success' };
  }

  async patch(resource: string, name: string, patch: unknown, opts: { namespace?: string; subresource?: string }): Promise<unknown> {
    if (resource === 'events') this.eventPatches.push({ name, patch });
    else if (resource === 'pods' && opts.subresource === 'status') this.statusPatches.push({ pod: `${opts.namespace}/${name}`, patch });
    else throw new Error(`unexpected patch of ${resource}`);
    this.wake();
    return {};
  }

  eventsFor(pod: Pod, reason?: string): KubeObject[] {
    return this.events.filter((e) => (e as any).involvedObject.name === pod.metadata.name && (!reason || e.reason === reason));
  }

  /** Resolves when `cond` holds, re-checking after every request (no polling, no sleeps). */
  async until(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.resolvers.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  private wake(): void {
    const r = this.resolvers;
    this.resolvers = [];
    for (const f of r) f();
  }
}
