// Endpoints (core validation: ValidateEndpoints) and EndpointSlices (discovery validation:
// ValidateEndpointSlice): addresses must be real, non-special IPs; ports need names when
// there are several.

import { isIP } from 'node:net';
import type { FieldError, KubeObject } from '@minik8s/shared';
import { SUPPORTED_PROTOCOLS, validateDNS1123Label } from './container.ts';
import { child, duplicate, index, invalid, notSupported, required, tooMany } from './field-error.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortNum, nameIsDNSSubdomain } from './names.ts';
import { immutable, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { validateIP } from './pod.ts';

type Obj = Record<string, any>;

/** ValidateNonSpecialIP: no unspecified, loopback or link-local addresses. */
export function validateNonSpecialIP(ip: string, field: string): FieldError[] {
  const fam = isIP(ip);
  if (fam === 0) return [invalid(field, ip, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const lower = ip.toLowerCase();
  const v4 = fam === 4 ? ip.split('.').map(Number) : undefined;
  if ((v4 && v4.every((x) => x === 0)) || lower === '::') errs.push(invalid(field, ip, `may not be unspecified (${ip})`));
  if ((v4 && v4[0] === 127) || lower === '::1') errs.push(invalid(field, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if ((v4 && v4[0] === 169 && v4[1] === 254) || /^fe[89ab]/.test(lower)) {
    errs.push(invalid(field, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  }
  if ((v4 && v4[0] === 224 && v4[1] === 0 && v4[2] === 0) || lower.startsWith('ff02:')) {
    errs.push(invalid(field, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  }
  return errs;
}

function validateEndpointAddress(a: Obj, path: string): FieldError[] {
  const ip = String(a?.ip ?? '');
  const errs = validateIP(ip, child(path, 'ip'));
  if (a?.hostname) errs.push(...validateDNS1123Label(String(a.hostname), child(path, 'hostname')));
  if (a?.nodeName !== undefined && a?.nodeName !== null) {
    for (const m of nameIsDNSSubdomain(String(a.nodeName), false)) errs.push(invalid(child(path, 'nodeName'), String(a.nodeName), m));
  }
  errs.push(...validateNonSpecialIP(ip, child(path, 'ip')));
  return errs;
}

function validatePortCommon(p: Obj, requireName: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = String(p?.name ?? '');
  if (requireName && !name) errs.push(required(child(path, 'name')));
  else if (name) errs.push(...validateDNS1123Label(name, child(path, 'name')));
  for (const m of isValidPortNum(p?.port ?? 0)) errs.push(invalid(child(path, 'port'), p?.port ?? 0, m));
  if (!p?.protocol) errs.push(required(child(path, 'protocol')));
  else if (!SUPPORTED_PROTOCOLS.includes(p.protocol)) errs.push(notSupported(child(path, 'protocol'), p.protocol, SUPPORTED_PROTOCOLS));
  if (p?.appProtocol !== undefined && p?.appProtocol !== null) {
    for (const m of isQualifiedName(String(p.appProtocol))) errs.push(invalid(child(path, 'appProtocol'), String(p.appProtocol), m));
  }
  return errs;
}

export function validateEndpoints(ep: KubeObject): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain);
  (Array.isArray(ep.subsets) ? ep.subsets : []).forEach((ss: Obj, i: number) => {
    const p = index('subsets', i);
    const addrs: Obj[] = Array.isArray(ss?.addresses) ? ss.addresses : [];
    const notReady: Obj[] = Array.isArray(ss?.notReadyAddresses) ? ss.notReadyAddresses : [];
    if (addrs.length === 0 && notReady.length === 0) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    addrs.forEach((a, j) => errs.push(...validateEndpointAddress(a, index(child(p, 'addresses'), j))));
    notReady.forEach((a, j) => errs.push(...validateEndpointAddress(a, index(child(p, 'notReadyAddresses'), j))));
    const ports: Obj[] = Array.isArray(ss?.ports) ? ss.ports : [];
    ports.forEach((port, j) => errs.push(...validatePortCommon(port, ports.length > 1, index(child(p, 'ports'), j))));
  });
  return errs;
}

export function validateEndpointsUpdate(ep: KubeObject, old: KubeObject): FieldError[] {
  return [...validateObjectMetaUpdate(ep.metadata, old.metadata), ...validateEndpoints(ep)];
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

export function validateEndpointSlice(slice: KubeObject): FieldError[] {
  const errs = validateObjectMeta(slice.metadata, true, nameIsDNSSubdomain);
  const addressType = String(slice.addressType ?? '');
  if (!addressType) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(addressType)) errs.push(notSupported('addressType', addressType, ADDRESS_TYPES));
  const endpoints: Obj[] = Array.isArray(slice.endpoints) ? slice.endpoints : [];
  if (endpoints.length > 1000) errs.push(tooMany('endpoints', endpoints.length, 1000));
  else {
    endpoints.forEach((e, i) => {
      const p = index('endpoints', i);
      const ap = child(p, 'addresses');
      const addrs: unknown[] = Array.isArray(e?.addresses) ? e.addresses : [];
      if (addrs.length === 0) errs.push(required(ap, 'must contain at least 1 address'));
      else if (addrs.length > 100) errs.push(tooMany(ap, addrs.length, 100));
      addrs.forEach((a, j) => {
        const s = String(a);
        const f = index(ap, j);
        if (addressType === 'IPv4') {
          if (isIP(s) !== 4) errs.push(invalid(f, s, 'must be a valid IPv4 address'));
          else errs.push(...validateNonSpecialIP(s, f));
        } else if (addressType === 'IPv6') {
          if (isIP(s) !== 6) errs.push(invalid(f, s, 'must be a valid IPv6 address'));
          else errs.push(...validateNonSpecialIP(s, f));
        } else if (addressType === 'FQDN') {
          const name = s.replace(/\.$/, '');
          const sub = isDNS1123Subdomain(name);
          if (!s) errs.push(required(f));
          else if (sub.length) errs.push(invalid(f, name, sub.join(',')));
          else if (name.split('.').length < 2) errs.push(invalid(f, name, 'should be a domain with at least two segments separated by dots'));
          else {
            const bad = name.split('.').find((l) => isDNS1123Label(l).length > 0);
            if (bad !== undefined) errs.push(invalid(f, bad, isDNS1123Label(bad).join(',')));
          }
        }
      });
      if (e?.nodeName !== undefined && e?.nodeName !== null) {
        for (const m of nameIsDNSSubdomain(String(e.nodeName), false)) errs.push(invalid(child(p, 'nodeName'), String(e.nodeName), m));
      }
      if (e?.deprecatedTopology) errs.push(...validateLabels(e.deprecatedTopology, child(p, 'deprecatedTopology')));
      if (e?.hostname !== undefined && e?.hostname !== null) errs.push(...validateDNS1123Label(String(e.hostname), child(p, 'hostname')));
      const zones: Obj[] = Array.isArray(e?.hints?.forZones) ? e.hints.forZones : [];
      const seen = new Set<string>();
      zones.forEach((z, k) => {
        const zp = child(index(child(p, 'hints', 'forZones'), k), 'name');
        const n = String(z?.name ?? '');
        if (seen.has(n)) errs.push(duplicate(zp, n));
        seen.add(n);
        for (const m of isValidLabelValue(n)) errs.push(invalid(zp, n, m));
      });
    });
  }
  const ports: Obj[] = Array.isArray(slice.ports) ? slice.ports : [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = index('ports', i);
    const name = String(port?.name ?? '');
    if (name) errs.push(...validateDNS1123Label(name, child(p, 'name')));
    if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
    names.add(name);
    if (!port?.protocol) errs.push(required(child(p, 'protocol')));
    else if (!SUPPORTED_PROTOCOLS.includes(port.protocol)) errs.push(notSupported(child(p, 'protocol'), port.protocol, SUPPORTED_PROTOCOLS));
    if (port?.appProtocol !== undefined && port?.appProtocol !== null) {
      for (const m of isQualifiedName(String(port.appProtocol))) errs.push(invalid(child(p, 'appProtocol'), String(port.appProtocol), m));
    }
  });
  return errs;
}

export function validateEndpointSliceUpdate(slice: KubeObject, old: KubeObject): FieldError[] {
  return [
    ...validateObjectMetaUpdate(slice.metadata, old.metadata),
    ...validateEndpointSlice(slice),
    ...immutable(slice.addressType ?? '', old.addressType ?? '', 'addressType'),
  ];
}
