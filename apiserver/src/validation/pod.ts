// Pods and pod templates (core validation: ValidatePodSpec, ValidatePodTemplateSpec,
// validatePodMetadataAndSpec, ValidatePodStatusUpdate, ValidatePodBinding).

import { isIP } from 'node:net';
import type { FieldError, KubeObject } from '@minik8s/shared';
import {
  validateContainers,
  validateContainersOnlyForPod,
  validateDNS1123Label,
  validateInitContainers,
} from './container.ts';
import { child, forbidden, index, invalid, notSupported, required } from './field-error.ts';
import { goValue } from './field-error.ts';
import { inclusiveRangeError, isDNS1123Subdomain, isQualifiedName, nameIsDNSSubdomain } from './names.ts';
import { immutable, validateAnnotations, validateLabels, validateObjectMeta } from './object-meta.ts';
import { validateAffinity, validateTolerations, validateTopologySpreadConstraints } from './scheduling.ts';
import { validatePodSecurityContext } from './security-context.ts';
import { validateVolumes } from './volume.ts';

type Obj = Record<string, any>;

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'];
const MAX_INT32 = 2147483647;

export interface PodSpecOptions {
  /** The spec is a Pod's own, not a template's (hostPort must then equal containerPort on the host network). */
  resourceIsPod: boolean;
}

export function validateIP(value: unknown, field: string): FieldError[] {
  const s = String(value ?? '');
  return isIP(s) ? [] : [invalid(field, s, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

function validateDNSConfig(cfg: Obj | undefined, dnsPolicy: string, path: string): FieldError[] {
  if (dnsPolicy === 'None') {
    if (!cfg) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!Array.isArray(cfg.nameservers) || cfg.nameservers.length === 0) {
      return [required(child(path, 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
    }
  }
  if (!cfg) return [];
  const errs: FieldError[] = [];
  const ns: unknown[] = Array.isArray(cfg.nameservers) ? cfg.nameservers : [];
  if (ns.length > 3) errs.push(invalid(child(path, 'nameservers'), goValue(goSlice(ns)), 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => errs.push(...validateIP(n, index(child(path, 'nameservers'), i))));
  const searches: string[] = Array.isArray(cfg.searches) ? cfg.searches.map(String) : [];
  if (searches.length > 32) errs.push(invalid(child(path, 'searches'), goValue(goSlice(searches)), 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) {
    errs.push(invalid(child(path, 'searches'), goValue(goSlice(searches)), 'must not have more than 2048 characters (including spaces) in the search list'));
  }
  searches.forEach((s, i) => {
    if (s === '.') return;
    const v = s.replace(/\.$/, '');
    for (const m of isDNS1123Subdomain(v)) errs.push(invalid(index(child(path, 'searches'), i), v, m));
  });
  (Array.isArray(cfg.options) ? cfg.options : []).forEach((o: Obj, i: number) => {
    if (!o?.name) errs.push(required(index(child(path, 'options'), i), 'must not be empty'));
  });
  return errs;
}

function goSlice(a: unknown[]): string {
  return `[]string{${a.map((x) => JSON.stringify(String(x))).join(', ')}}`;
}

/** ValidatePodSpec: everything inside a pod's spec, shared by pods and pod templates. */
export function validatePodSpec(spec: Obj | undefined, path: string, opts: PodSpecOptions): FieldError[] {
  const s: Obj = spec ?? {};
  const errs: FieldError[] = [];
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null) {
    errs.push(required(child(path, 'terminationGracePeriodSeconds')));
  }
  const grace = typeof s.terminationGracePeriodSeconds === 'number' ? s.terminationGracePeriodSeconds : undefined;
  const vols = validateVolumes(s.volumes, child(path, 'volumes'));
  errs.push(...vols.errs);
  errs.push(...validateContainers(s.containers, vols.names, grace, child(path, 'containers')));
  errs.push(...validateInitContainers(s.initContainers, s.containers, vols.names, grace, child(path, 'initContainers')));

  if (s.hostNetwork === true) {
    (Array.isArray(s.containers) ? s.containers : []).forEach((c: Obj, i: number) => {
      (Array.isArray(c?.ports) ? c.ports : []).forEach((p: Obj, j: number) => {
        const hp = p?.hostPort ?? 0;
        const cp = p?.containerPort ?? 0;
        if ((opts.resourceIsPod || hp !== 0) && hp !== cp) {
          errs.push(invalid(child(index(child(index(child(path, 'containers'), i), 'ports'), j), 'hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      });
    });
  }

  const rp = s.restartPolicy ?? '';
  if (rp === '') errs.push(required(child(path, 'restartPolicy')));
  else if (!RESTART_POLICIES.includes(rp)) errs.push(notSupported(child(path, 'restartPolicy'), rp, RESTART_POLICIES));
  const dp = s.dnsPolicy ?? '';
  if (dp === '') errs.push(required(child(path, 'dnsPolicy')));
  else if (!DNS_POLICIES.includes(dp)) errs.push(notSupported(child(path, 'dnsPolicy'), dp, DNS_POLICIES));
  errs.push(...validateLabels(s.nodeSelector, child(path, 'nodeSelector')));
  errs.push(...validatePodSecurityContext(s.securityContext, child(path, 'securityContext')));
  (Array.isArray(s.imagePullSecrets) ? s.imagePullSecrets : []).forEach((ref: Obj, i: number) => {
    if (ref && Object.keys(ref).some((k) => k !== 'name')) errs.push(invalid(index(child(path, 'imagePullSecrets'), i), goValue(`core.LocalObjectReference{Name:${JSON.stringify(String(ref.name ?? ''))}}`), 'only name may be set'));
  });
  errs.push(...validateAffinity(s.affinity, child(path, 'affinity')));
  errs.push(...validateDNSConfig(s.dnsConfig, dp, child(path, 'dnsConfig')));
  (Array.isArray(s.readinessGates) ? s.readinessGates : []).forEach((g: Obj, i: number) => {
    const t = String(g?.conditionType ?? '');
    for (const m of isQualifiedName(t)) errs.push(invalid(child(index(child(path, 'readinessGates'), i), 'conditionType'), t, m));
  });
  const gates = new Set<string>();
  (Array.isArray(s.schedulingGates) ? s.schedulingGates : []).forEach((g: Obj, i: number) => {
    const n = String(g?.name ?? '');
    for (const m of isQualifiedName(n)) errs.push(invalid(index(child(path, 'schedulingGates'), i), n, m));
    if (gates.has(n)) errs.push({ type: 'FieldValueDuplicate', field: index(child(path, 'schedulingGates'), i), detail: `Duplicate value: ${JSON.stringify(n)}` });
    gates.add(n);
  });
  errs.push(...validateTopologySpreadConstraints(s.topologySpreadConstraints, child(path, 'topologySpreadConstraints')));
  for (const [f, v] of [
    ['serviceAccountName', s.serviceAccountName],
    ['nodeName', s.nodeName],
    ['priorityClassName', s.priorityClassName],
  ] as const) {
    if (v) for (const m of nameIsDNSSubdomain(String(v), false)) errs.push(invalid(child(path, f), String(v), m));
  }
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (v < 1 || v > MAX_INT32) errs.push(invalid(child(path, 'activeDeadlineSeconds'), v, inclusiveRangeError(1, MAX_INT32)));
  }
  if (s.hostname) errs.push(...validateDNS1123Label(String(s.hostname), child(path, 'hostname')));
  if (s.subdomain) errs.push(...validateDNS1123Label(String(s.subdomain), child(path, 'subdomain')));
  errs.push(...validateTolerations(s.tolerations, child(path, 'tolerations')));
  (Array.isArray(s.hostAliases) ? s.hostAliases : []).forEach((h: Obj, i: number) => {
    const p = index(child(path, 'hostAliases'), i);
    errs.push(...validateIP(h?.ip, child(p, 'ip')));
    (Array.isArray(h?.hostnames) ? h.hostnames : []).forEach((hn: unknown, j: number) => {
      for (const m of isDNS1123Subdomain(String(hn))) errs.push(invalid(index(child(p, 'hostnames'), j), String(hn), m));
    });
  });
  if (s.runtimeClassName !== undefined && s.runtimeClassName !== null) {
    for (const m of nameIsDNSSubdomain(String(s.runtimeClassName), false)) errs.push(invalid(child(path, 'runtimeClassName'), String(s.runtimeClassName), m));
  }
  if (s.preemptionPolicy !== undefined && s.preemptionPolicy !== null) {
    if (s.preemptionPolicy === '') errs.push(required(child(path, 'preemptionPolicy')));
    else if (!PREEMPTION_POLICIES.includes(s.preemptionPolicy)) errs.push(notSupported(child(path, 'preemptionPolicy'), s.preemptionPolicy, PREEMPTION_POLICIES));
  }
  if (s.os) {
    const name = String(s.os.name ?? '');
    if (!name) errs.push(required(child(path, 'os', 'name')));
    else if (!['linux', 'windows'].includes(name)) errs.push(notSupported(child(path, 'os', 'name'), name, ['linux', 'windows']));
  }
  return errs;
}

/** ValidatePodTemplateSpec: the template of a workload (labels, annotations, spec). */
export function validatePodTemplateSpec(template: Obj | undefined, path: string): FieldError[] {
  const t: Obj = template ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateLabels(t.metadata?.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(t.metadata?.annotations, child(path, 'annotations')));
  errs.push(...validatePodSpec(t.spec, child(path, 'spec'), { resourceIsPod: false }));
  if (Array.isArray(t.spec?.ephemeralContainers) && t.spec.ephemeralContainers.length > 0) {
    errs.push(forbidden(child(path, 'spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

/** validatePodMetadataAndSpec: what a pod must satisfy on create and after every update. */
export function validatePod(pod: KubeObject): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain);
  const mirror = pod.metadata?.annotations?.['kubernetes.io/config.mirror'];
  if (mirror !== undefined && !pod.spec?.nodeName) {
    errs.push(invalid('metadata.annotations[kubernetes.io/config.mirror]', mirror, 'must set spec.nodeName if mirror pod annotation is set'));
  }
  errs.push(...validatePodSpec(pod.spec, 'spec', { resourceIsPod: true }));
  if (!pod.spec?.serviceAccountName) {
    (Array.isArray(pod.spec?.volumes) ? pod.spec.volumes : []).forEach((v: Obj, vi: number) => {
      (Array.isArray(v?.projected?.sources) ? v.projected.sources : []).forEach((src: Obj, si: number) => {
        if (src?.serviceAccountToken) {
          errs.push(forbidden(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
        }
      });
    });
  }
  errs.push(...validateContainersOnlyForPod(pod.spec?.containers, 'spec.containers'));
  errs.push(...validateContainersOnlyForPod(pod.spec?.initContainers, 'spec.initContainers'));
  return errs;
}

/** ValidatePodStatusUpdate's checks on what a status write may carry. */
export function validatePodStatusUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if ((pod.spec?.nodeName ?? '') !== (old.spec?.nodeName ?? '')) errs.push(forbidden('status.nodeName', 'may not be changed directly'));
  const nominated = pod.status?.nominatedNodeName;
  if (nominated && nominated !== old.status?.nominatedNodeName) {
    for (const m of nameIsDNSSubdomain(nominated, false)) errs.push(invalid('status.nominatedNodeName', nominated, m));
  }
  if (old.status?.qosClass !== undefined) errs.push(...immutable(pod.status?.qosClass ?? '', old.status.qosClass, 'status.qosClass'));
  (Array.isArray(pod.status?.podIPs) ? pod.status.podIPs : []).forEach((p: Obj, i: number) => errs.push(...validateIP(p?.ip, `status.podIPs[${i}]`)));
  (Array.isArray(pod.status?.hostIPs) ? pod.status.hostIPs : []).forEach((p: Obj, i: number) => errs.push(...validateIP(p?.ip, `status.hostIPs[${i}]`)));
  return errs;
}

/** ValidatePodBinding: the target must be a node, by name. */
export function validatePodBinding(binding: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const kind = binding?.target?.kind ?? '';
  if (kind && kind !== 'Node') errs.push(notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!binding?.target?.name) errs.push(required('target.name'));
  return errs;
}
