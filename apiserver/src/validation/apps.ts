// apps/v1 workloads (apps validation: ValidateDeployment, ValidateReplicaSet, ValidateDaemonSet,
// ValidateStatefulSet and their updates). apps/v1 also makes every selector immutable; upstream
// does that in each registry strategy's ValidateUpdate, here it is part of the update check.

import type { FieldError, KubeObject } from '@minik8s/shared';
import { forbidden, invalid, nonNegative, notSupported, required } from './field-error.ts';
import { goValue } from './field-error.ts';
import { goIntOrString, goLabelSelector, goStringMap } from './go-format.ts';
import { nameIsDNSLabel, nameIsDNSSubdomain } from './names.ts';
import {
  compileLabelSelector,
  deepEqual,
  immutable,
  validateAnnotations,
  validateLabels,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './object-meta.ts';
import {
  intOrPercentValue,
  notMoreThan100Percent,
  SELECTOR_MISMATCH,
  validatePositiveIntOrPercent,
  validateTemplateForSelector,
  validateWorkloadSelector,
} from './workload-template.ts';

type Obj = Record<string, any>;

function selectorImmutable(obj: KubeObject, old: KubeObject): FieldError[] {
  return immutable(obj.spec?.selector, old.spec?.selector, 'spec.selector', goLabelSelector(obj.spec?.selector));
}

// ---- Deployment ---------------------------------------------------------------------------

function validateDeploymentStrategy(strategy: Obj | undefined): FieldError[] {
  const s: Obj = strategy ?? {};
  const errs: FieldError[] = [];
  switch (s.type) {
    case 'Recreate':
      if (s.rollingUpdate) errs.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
      break;
    case 'RollingUpdate': {
      const ru = s.rollingUpdate as Obj | undefined;
      if (!ru) {
        errs.push(required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'));
        break;
      }
      const p = 'spec.strategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(`${p}.maxUnavailable`, goIntOrString(ru.maxUnavailable ?? 0), 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      break;
    }
    default:
      errs.push(notSupported('spec.strategy', goValue(`apps.DeploymentStrategy{Type:${JSON.stringify(String(s.type ?? ''))}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}`), ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

export function validateDeploymentSpec(dep: KubeObject): FieldError[] {
  const spec: Obj = dep.spec ?? {};
  const errs = nonNegative('spec.replicas', spec.replicas);
  errs.push(...validateWorkloadSelector(spec, 'deployment', true));
  errs.push(...validateTemplateForSelector(spec, 'ReplicaSet'));
  errs.push(...validateDeploymentStrategy(spec.strategy));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds !== null) {
    errs.push(...nonNegative('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateDeployment(dep: KubeObject): FieldError[] {
  return [...validateObjectMeta(dep.metadata, true, nameIsDNSSubdomain), ...validateDeploymentSpec(dep)];
}

export function validateDeploymentUpdate(dep: KubeObject, old: KubeObject): FieldError[] {
  return [...validateObjectMetaUpdate(dep.metadata, old.metadata), ...validateDeploymentSpec(dep), ...selectorImmutable(dep, old)];
}

// ---- ReplicaSet ---------------------------------------------------------------------------

function validateReplicaSetSpec(rs: KubeObject): FieldError[] {
  const spec: Obj = rs.spec ?? {};
  const errs = nonNegative('spec.replicas', spec.replicas);
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errs.push(...validateWorkloadSelector(spec, 'deployment', true));
  errs.push(...validateTemplateForSelector(spec, 'ReplicaSet'));
  return errs;
}

export function validateReplicaSet(rs: KubeObject): FieldError[] {
  return [...validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain), ...validateReplicaSetSpec(rs)];
}

export function validateReplicaSetUpdate(rs: KubeObject, old: KubeObject): FieldError[] {
  return [...validateObjectMetaUpdate(rs.metadata, old.metadata), ...validateReplicaSetSpec(rs), ...selectorImmutable(rs, old)];
}

// ---- DaemonSet ----------------------------------------------------------------------------

function validateDaemonSetSpec(ds: KubeObject): FieldError[] {
  const spec: Obj = ds.spec ?? {};
  // A DaemonSet's selector is not required by validation: a missing one selects nothing, so
  // the template check below reports it.
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  const selector = compileLabelSelector(spec.selector);
  const template = (spec.template ?? {}) as Obj;
  if (selector && !selector.matches(template.metadata?.labels)) {
    errs.push(invalid('spec.template.metadata.labels', goStringMap(template.metadata?.labels), SELECTOR_MISMATCH));
  }
  const s = spec.selector as Obj | undefined;
  if (s && Object.keys(s.matchLabels ?? {}).length + (s.matchExpressions ?? []).length === 0) {
    errs.push(invalid('spec.selector', goLabelSelector(s), 'empty selector is invalid for daemonset'));
  }
  // The template part of the ReplicaSet check, with an always-matching selector.
  errs.push(...validateTemplateForSelector({ selector: {}, template }, 'DaemonSet'));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  const us: Obj = spec.updateStrategy ?? {};
  switch (us.type) {
    case 'OnDelete':
      break;
    case 'RollingUpdate': {
      const ru = us.rollingUpdate as Obj | undefined;
      const p = 'spec.updateStrategy.rollingUpdate';
      if (!ru) {
        errs.push(required(p));
        break;
      }
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) errs.push(invalid(`${p}.maxSurge`, goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      else if (!hasUnavailable && !hasSurge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      break;
    }
    default:
      errs.push(notSupported('spec.updateStrategy', goValue(`apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(String(us.type ?? ''))}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}`), ['RollingUpdate', 'OnDelete']));
  }
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  return errs;
}

export function validateDaemonSet(ds: KubeObject): FieldError[] {
  return [...validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain), ...validateDaemonSetSpec(ds)];
}

/**
 * templateGeneration is internal to upstream (apps/v1 carries it in the
 * `deprecated.daemonset.template.generation` annotation the strategy keeps), so it is not
 * validated here.
 */
export function validateDaemonSetUpdate(ds: KubeObject, old: KubeObject): FieldError[] {
  return [...validateObjectMetaUpdate(ds.metadata, old.metadata), ...validateDaemonSetSpec(ds), ...selectorImmutable(ds, old)];
}

// ---- StatefulSet --------------------------------------------------------------------------

function validateStatefulSetSpec(sts: KubeObject): FieldError[] {
  const spec: Obj = sts.spec ?? {};
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy ?? '';
  if (pmp === '') errs.push(required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us: Obj = spec.updateStrategy ?? {};
  switch (us.type ?? '') {
    case '':
      errs.push(required('spec.updateStrategy'));
      break;
    case 'OnDelete':
      if (us.rollingUpdate) errs.push(invalid('spec.updateStrategy.rollingUpdate', goValue('apps.RollingUpdateStatefulSetStrategy{...}'), "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (us.rollingUpdate) {
        const p = 'spec.updateStrategy.rollingUpdate';
        errs.push(...nonNegative(`${p}.partition`, us.rollingUpdate.partition));
        if (us.rollingUpdate.maxUnavailable !== undefined && us.rollingUpdate.maxUnavailable !== null) {
          const mu = us.rollingUpdate.maxUnavailable;
          errs.push(...validatePositiveIntOrPercent(mu, `${p}.maxUnavailable`));
          if (intOrPercentValue(mu) === 0) errs.push(invalid(`${p}.maxUnavailable`, goIntOrString(mu), 'cannot be 0'));
          errs.push(...notMoreThan100Percent(mu, `${p}.maxUnavailable`));
        }
      }
      break;
    default:
      errs.push(invalid('spec.updateStrategy', goValue(`apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(String(us.type))}, RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}`), "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const policy = spec.persistentVolumeClaimRetentionPolicy as Obj | undefined;
  if (policy) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      const v = policy[f] ?? '';
      if (v !== 'Retain' && v !== 'Delete') errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, ['Retain', 'Delete']));
    }
  }
  errs.push(...nonNegative('spec.replicas', spec.replicas));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  if (spec.ordinals) errs.push(...nonNegative('spec.ordinals.start', spec.ordinals.start));
  errs.push(...validateWorkloadSelector(spec, 'statefulset', true));
  // Upstream does not validate the pod spec of a StatefulSet template (its volumes may come
  // from volumeClaimTemplates), only its labels and annotations.
  const template = (spec.template ?? {}) as Obj;
  const selector = compileLabelSelector(spec.selector);
  if (!selector) errs.push(invalid('spec.selector', goLabelSelector(spec.selector), ''));
  else if (!selector.empty && !selector.matches(template.metadata?.labels)) {
    errs.push(invalid('spec.template.metadata.labels', goStringMap(template.metadata?.labels), SELECTOR_MISMATCH));
  }
  errs.push(...validateLabels(template.metadata?.labels, 'spec.template.labels'));
  errs.push(...validateAnnotations(template.metadata?.annotations, 'spec.template.annotations'));
  const restart = template.spec?.restartPolicy ?? '';
  if (restart !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec?.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

export function validateStatefulSet(sts: KubeObject): FieldError[] {
  return [...validateObjectMeta(sts.metadata, true, nameIsDNSLabel), ...validateStatefulSetSpec(sts)];
}

const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSetUpdate(sts: KubeObject, old: KubeObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(sts.metadata, old.metadata), ...validateStatefulSetSpec(sts)];
  const strip = (spec: Obj | undefined) => Object.fromEntries(Object.entries(spec ?? {}).filter(([k]) => !STS_MUTABLE.includes(k)));
  if (!deepEqual(strip(sts.spec), strip(old.spec))) {
    errs.push(
      forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}
