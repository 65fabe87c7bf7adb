// Security contexts: user and group ids in range, sysctl names, seccomp profile types (core
// validation: ValidateSecurityContext, validatePodSpecSecurityContext). Windows and AppArmor
// options are not checked here.

import type { FieldError } from '@minik8s/shared';
import { child, index, invalid, notSupported, required } from './field-error.ts';
import { inclusiveRangeError } from './names.ts';
import { validateLocalDescendingPath } from './paths.ts';

type Obj = Record<string, any>;

const MAX_ID = 2147483647;
const SECCOMP_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];
const FS_GROUP_CHANGE_POLICIES = ['Always', 'OnRootMismatch'];
const PROC_MOUNT_TYPES = ['Default', 'Unmasked'];
const SYSCTL_RE = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;

function validId(v: unknown, field: string): FieldError[] {
  if (typeof v !== 'number') return [];
  return v < 0 || v > MAX_ID ? [invalid(field, v, inclusiveRangeError(0, MAX_ID))] : [];
}

function validateSeccomp(sp: Obj | undefined, path: string): FieldError[] {
  if (!sp) return [];
  const errs: FieldError[] = [];
  if (!sp.type) errs.push(required(child(path, 'type')));
  else if (!SECCOMP_TYPES.includes(sp.type)) errs.push(notSupported(child(path, 'type'), sp.type, SECCOMP_TYPES));
  if (sp.type === 'Localhost') {
    if (sp.localhostProfile === undefined) errs.push(required(child(path, 'localhostProfile'), 'must be set when seccomp type is Localhost'));
    else errs.push(...validateLocalDescendingPath(sp.localhostProfile, child(path, 'localhostProfile')));
  }
  return errs;
}

export function validateContainerSecurityContext(sc: unknown, path: string): FieldError[] {
  if (!sc || typeof sc !== 'object') return [];
  const s = sc as Obj;
  const errs: FieldError[] = [];
  errs.push(...validId(s.runAsUser, child(path, 'runAsUser')));
  errs.push(...validId(s.runAsGroup, child(path, 'runAsGroup')));
  if (s.procMount !== undefined && !PROC_MOUNT_TYPES.includes(s.procMount)) {
    errs.push(notSupported(child(path, 'procMount'), s.procMount, PROC_MOUNT_TYPES));
  }
  errs.push(...validateSeccomp(s.seccompProfile, child(path, 'seccompProfile')));
  if (s.allowPrivilegeEscalation === false && s.privileged === true) {
    errs.push(invalid(path, null, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  }
  return errs;
}

export function validatePodSecurityContext(sc: unknown, path: string): FieldError[] {
  if (!sc || typeof sc !== 'object') return [];
  const s = sc as Obj;
  const errs: FieldError[] = [];
  errs.push(...validId(s.fsGroup, child(path, 'fsGroup')));
  errs.push(...validId(s.runAsUser, child(path, 'runAsUser')));
  errs.push(...validId(s.runAsGroup, child(path, 'runAsGroup')));
  (Array.isArray(s.supplementalGroups) ? s.supplementalGroups : []).forEach((g: unknown, i: number) =>
    errs.push(...validId(g, index(child(path, 'supplementalGroups'), i))),
  );
  if (s.fsGroupChangePolicy !== undefined && !FS_GROUP_CHANGE_POLICIES.includes(s.fsGroupChangePolicy)) {
    errs.push(notSupported(child(path, 'fsGroupChangePolicy'), s.fsGroupChangePolicy, FS_GROUP_CHANGE_POLICIES));
  }
  (Array.isArray(s.sysctls) ? s.sysctls : []).forEach((sy: Obj, i: number) => {
    const p = index(child(path, 'sysctls'), i);
    if (!sy?.name) errs.push(required(child(p, 'name')));
    else if (!SYSCTL_RE.test(sy.name)) {
      errs.push(invalid(child(p, 'name'), sy.name, `must have at most 253 characters and match regex ${SYSCTL_RE.source}`));
    }
  });
  errs.push(...validateSeccomp(s.seccompProfile, child(path, 'seccompProfile')));
  return errs;
}
