// Nodes (core validation: ValidateNode, ValidateNodeUpdate): taints, pod CIDRs, resource
// quantities in status, and the spec fields that are set once.

import { isIP } from 'node:net';
import type { FieldError, KubeObject } from '@minik8s/shared';
import { child, duplicate, forbidden, goValue, index, invalid } from './field-error.ts';
import { goStringSlice } from './go-format.ts';
import { isValidLabelValue, nameIsDNSSubdomain } from './names.ts';
import { validateLabelName, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { isQuantity, parseQuantity, QUANTITY_FORMAT_ERROR } from './quantity.ts';
import { validateTaintEffect } from './scheduling.ts';

type Obj = Record<string, any>;

function validateTaints(taints: unknown, path: string): FieldError[] {
  if (!Array.isArray(taints)) return [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  taints.forEach((t: Obj, i) => {
    const p = index(path, i);
    errs.push(...validateLabelName(String(t?.key ?? ''), child(p, 'key')));
    const msgs = isValidLabelValue(String(t?.value ?? ''));
    if (msgs.length) errs.push(invalid(child(p, 'value'), String(t?.value ?? ''), msgs.join(';')));
    errs.push(...validateTaintEffect(t?.effect, false, child(p, 'effect')));
    const k = `${t?.effect}\u0000${t?.key}`;
    if (seen.has(k)) {
      errs.push(
        duplicate(
          p,
          goValue(`core.Taint{Key:${JSON.stringify(String(t?.key ?? ''))}, Value:${JSON.stringify(String(t?.value ?? ''))}, Effect:${JSON.stringify(String(t?.effect ?? ''))}, TimeAdded:<nil>}`),
          'taints must be unique by key and effect pair',
        ),
      );
    } else {
      seen.add(k);
    }
  });
  return errs;
}

function validateNodeResources(node: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ['capacity', 'allocatable']) {
    for (const [k, v] of Object.entries((node.status?.[field] ?? {}) as Record<string, unknown>)) {
      const path = `status.${field}.${k}`;
      if (!isQuantity(v)) errs.push(invalid(path, String(v), QUANTITY_FORMAT_ERROR));
      else if (parseQuantity(v as string) < 0) errs.push(invalid(path, String(v), 'must be greater than or equal to 0'));
    }
  }
  return errs;
}

function validatePodCIDRs(node: KubeObject): FieldError[] {
  const cidrs: string[] = Array.isArray(node.spec?.podCIDRs) ? node.spec.podCIDRs.map(String) : [];
  const errs: FieldError[] = [];
  cidrs.forEach((c, i) => {
    const [ip, bits, extra] = c.split('/');
    const fam = isIP(ip ?? '');
    const n = Number(bits);
    const ok = extra === undefined && fam !== 0 && /^\d+$/.test(bits ?? '') && n <= (fam === 4 ? 32 : 128);
    if (!ok) errs.push(invalid(index('spec.podCIDRs', i), c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  });
  if (cidrs.length > 1) {
    const fams = cidrs.map((c) => isIP(c.split('/')[0] ?? ''));
    if (cidrs.length > 2 || fams[0] === fams[1]) errs.push(invalid('spec.podCIDRs', goStringSlice(cidrs), 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(duplicate(index('spec.podCIDRs', i), c));
      seen.add(c);
    });
  }
  return errs;
}

export function validateNode(node: KubeObject): FieldError[] {
  const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain);
  errs.push(...validateTaints(node.spec?.taints, 'metadata.taints'));
  errs.push(...validateNodeResources(node));
  errs.push(...validatePodCIDRs(node));
  return errs;
}

export function validateNodeUpdate(node: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata);
  errs.push(...validateNodeResources(node));
  const seen = new Set<string>();
  (Array.isArray(node.status?.addresses) ? node.status.addresses : []).forEach((a: Obj, i: number) => {
    const k = `${a?.type}/${a?.address}`;
    if (seen.has(k)) {
      errs.push(duplicate(index('status.addresses', i), goValue(`core.NodeAddress{Type:${JSON.stringify(String(a?.type ?? ''))}, Address:${JSON.stringify(String(a?.address ?? ''))}}`)));
    }
    seen.add(k);
  });
  const oldCIDRs: string[] = Array.isArray(old.spec?.podCIDRs) ? old.spec.podCIDRs : [];
  const newCIDRs: string[] = Array.isArray(node.spec?.podCIDRs) ? node.spec.podCIDRs : [];
  if (oldCIDRs.length > 0) {
    const msg = 'node updates may not change podCIDR except from "" to valid';
    if (oldCIDRs.length !== newCIDRs.length) errs.push(forbidden('spec.podCIDRs', msg));
    else oldCIDRs.forEach((c, i) => c !== newCIDRs[i] && errs.push(forbidden('spec.podCIDRs', msg)));
  }
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateTaints(node.spec?.taints, 'metadata.taints'));
  if ((node.spec?.externalID ?? '') !== (old.spec?.externalID ?? '')) errs.push(forbidden('spec.externalID', 'may not be updated'));
  return errs;
}
