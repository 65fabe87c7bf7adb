// Defaulting: the values the apiserver fills in for fields a client left out, so that what a
// user reads back matches Kubernetes 1.32 (core/v1, apps/v1, batch/v1, discovery/v1 defaults.go,
// plus the few server-side fills users see as defaults, each noted where it is done).
//
// Contract:
// - applyDefaults mutates the object in place and is idempotent: running it again changes
//   nothing. The store runs it on create and on every update.
// - It never removes or overrides what the client set, with two upstream exceptions: Secret
//   stringData is folded into data, and quantities are rewritten in canonical form.
// - Create-only values that need the object's identity are separate: generateJobSelector (needs
//   metadata.uid). A Namespace gets its `kubernetes` finalizer only while it has no
//   resourceVersion (that is, on create).

import type { KubeObject } from '@minik8s/shared';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './apps.ts';
import { defaultCronJob, defaultJob } from './batch.ts';
import { defaultEndpointSlice, defaultEndpoints, defaultNamespace, defaultNode, defaultSecret } from './core.ts';
import { defaultPod } from './pod.ts';
import { defaultService } from './service.ts';

type Defaulter = (obj: Record<string, any>) => void;

const DEFAULTERS: Record<string, Defaulter> = {
  '/Namespace': defaultNamespace,
  '/Pod': defaultPod,
  '/Node': defaultNode,
  '/Service': defaultService,
  '/Endpoints': defaultEndpoints,
  '/Secret': defaultSecret,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/DaemonSet': defaultDaemonSet,
  'apps/StatefulSet': defaultStatefulSet,
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
};

export function applyDefaults(group: string, kind: string, obj: KubeObject): void {
  DEFAULTERS[`${group}/${kind}`]?.(obj as Record<string, any>);
}

export { generateJobSelector, CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from './batch.ts';
export { keepAllocatedServiceValues } from './service.ts';
export { prepareNamespaceForCreate, NAMESPACE_NAME_LABEL } from './core.ts';
export { defaultPullPolicy, defaultPodSpec, defaultPodTemplate } from './pod.ts';
