// DefaultBinder: binds through the API, POST pods/<name>/binding with the pod's uid as a
// precondition (a pod deleted and recreated under the same name is not bound by mistake).
// The apiserver refuses a pod that already has a node (409), so a pod is never bound twice
// even when two schedulers race.

import type { KubeObject } from '@minik8s/shared';
import type { CycleState } from '../framework/cycle-state.ts';
import type { BindPlugin, BindingClient, Handle } from '../framework/interfaces.ts';
import type { Status } from '../framework/status.ts';
import { asStatus } from '../framework/status.ts';
import type { Pod } from '../types.ts';
import { DefaultBinder as NAME } from './names.ts';

export function bindingFor(pod: Pod, nodeName: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
  };
}

export class DefaultBinderPlugin implements BindPlugin {
  readonly name = NAME;
  private readonly client: BindingClient;

  constructor(client: BindingClient) {
    this.client = client;
  }

  async bind(_state: CycleState, pod: Pod, nodeName: string, signal?: AbortSignal): Promise<Status | undefined> {
    try {
      await this.client.create('pods', bindingFor(pod, nodeName), {
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        subresource: 'binding',
        signal,
      });
      return undefined;
    } catch (err) {
      return asStatus(err);
    }
  }
}

export function newDefaultBinder(_args: unknown, handle: Handle): DefaultBinderPlugin {
  if (!handle.client) throw new Error('DefaultBinder needs an API client');
  return new DefaultBinderPlugin(handle.client);
}
