// apps/v1 defaults (apps/v1 defaults.go: SetDefaults_Deployment, SetDefaults_ReplicaSet,
// SetDefaults_DaemonSet, SetDefaults_StatefulSet). apps/v1 does not copy template labels to
// the object or the selector: users must write the selector themselves.

import { defaultPersistentVolumeClaimSpec, defaultPodTemplate, setIfMissing } from './pod.ts';

type Obj = Record<string, any>;

function spec(obj: Obj): Obj {
  if (!obj.spec || typeof obj.spec !== 'object') obj.spec = {};
  return obj.spec as Obj;
}

export function defaultDeployment(obj: Obj): void {
  const s = spec(obj);
  setIfMissing(s, 'replicas', 1);
  if (!s.strategy || typeof s.strategy !== 'object') s.strategy = {};
  if (!s.strategy.type) s.strategy.type = 'RollingUpdate';
  if (s.strategy.type === 'RollingUpdate') {
    if (!s.strategy.rollingUpdate || typeof s.strategy.rollingUpdate !== 'object') s.strategy.rollingUpdate = {};
    setIfMissing(s.strategy.rollingUpdate, 'maxUnavailable', '25%');
    setIfMissing(s.strategy.rollingUpdate, 'maxSurge', '25%');
  }
  setIfMissing(s, 'revisionHistoryLimit', 10);
  setIfMissing(s, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(s.template ?? (s.template = {}));
}

export function defaultReplicaSet(obj: Obj): void {
  const s = spec(obj);
  setIfMissing(s, 'replicas', 1);
  defaultPodTemplate(s.template ?? (s.template = {}));
}

export function defaultDaemonSet(obj: Obj): void {
  const s = spec(obj);
  if (!s.updateStrategy || typeof s.updateStrategy !== 'object') s.updateStrategy = {};
  if (!s.updateStrategy.type) s.updateStrategy.type = 'RollingUpdate';
  if (s.updateStrategy.type === 'RollingUpdate') {
    if (!s.updateStrategy.rollingUpdate || typeof s.updateStrategy.rollingUpdate !== 'object') s.updateStrategy.rollingUpdate = {};
    setIfMissing(s.updateStrategy.rollingUpdate, 'maxUnavailable', 1);
    setIfMissing(s.updateStrategy.rollingUpdate, 'maxSurge', 0);
  }
  setIfMissing(s, 'revisionHistoryLimit', 10);
  defaultPodTemplate(s.template ?? (s.template = {}));
}

export function defaultStatefulSet(obj: Obj): void {
  const s = spec(obj);
  if (!s.podManagementPolicy) s.podManagementPolicy = 'OrderedReady';
  if (!s.updateStrategy || typeof s.updateStrategy !== 'object') s.updateStrategy = {};
  if (!s.updateStrategy.type) {
    s.updateStrategy.type = 'RollingUpdate';
    if (!s.updateStrategy.rollingUpdate) s.updateStrategy.rollingUpdate = {};
  }
  if (s.updateStrategy.type === 'RollingUpdate' && s.updateStrategy.rollingUpdate && typeof s.updateStrategy.rollingUpdate === 'object') {
    setIfMissing(s.updateStrategy.rollingUpdate, 'partition', 0);
  }
  if (!s.persistentVolumeClaimRetentionPolicy || typeof s.persistentVolumeClaimRetentionPolicy !== 'object') s.persistentVolumeClaimRetentionPolicy = {};
  if (!s.persistentVolumeClaimRetentionPolicy.whenDeleted) s.persistentVolumeClaimRetentionPolicy.whenDeleted = 'Retain';
  if (!s.persistentVolumeClaimRetentionPolicy.whenScaled) s.persistentVolumeClaimRetentionPolicy.whenScaled = 'Retain';
  setIfMissing(s, 'replicas', 1);
  setIfMissing(s, 'revisionHistoryLimit', 10);
  defaultPodTemplate(s.template ?? (s.template = {}));
  for (const pvc of Array.isArray(s.volumeClaimTemplates) ? s.volumeClaimTemplates : []) {
    if (!pvc || typeof pvc !== 'object') continue;
    if (!pvc.spec || typeof pvc.spec !== 'object') pvc.spec = {};
    defaultPersistentVolumeClaimSpec(pvc.spec);
    if (!pvc.status || typeof pvc.status !== 'object') pvc.status = {};
    if (!pvc.status.phase) pvc.status.phase = 'Pending';
  }
}
