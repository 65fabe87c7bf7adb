// The event handlers the Endpoints and EndpointSlice controllers share: keys are services
// ("ns/name"); a pod change enqueues every service selecting the pod before or after it.

import type { KubeObject, ResourceEventHandler, SharedIndexInformer } from '@minik8s/shared';
import { deepEqual } from '../../util/equality.ts';
import { podEndpointChanged, servicesSelecting } from '../../util/service-endpoints.ts';

export interface ServicePodHandlers {
  service: ResourceEventHandler<KubeObject>;
  pod: ResourceEventHandler<KubeObject>;
}

export function servicePodHandlers(services: SharedIndexInformer, enqueue: (key: string) => void): ServicePodHandlers {
  const key = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
  const enqueueFor = (pod: KubeObject) => {
    for (const svc of servicesSelecting(services.list(pod.metadata.namespace), pod)) enqueue(key(svc));
  };
  return {
    service: {
      onAdd: (svc) => enqueue(key(svc)),
      onUpdate: (_old, cur) => enqueue(key(cur)),
      onDelete: (svc) => enqueue(key(svc)),
    },
    pod: {
      onAdd: (pod) => enqueueFor(pod),
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        const labelsChanged = !deepEqual(old.metadata.labels, cur.metadata.labels);
        if (!labelsChanged && !podEndpointChanged(old, cur)) return;
        enqueueFor(cur);
        if (labelsChanged) enqueueFor(old);
      },
      onDelete: (pod) => enqueueFor(pod),
    },
  };
}
