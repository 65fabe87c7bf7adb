// Container resource requirements: names, quantities, requests <= limits (core validation:
// validateResourceRequirements, validateContainerResourceName, ValidateResourceQuantityValue).

import type { FieldError } from '@minik8s/shared';
import { child, forbidden, invalid, key, required } from './field-error.ts';
import { isQualifiedName } from './names.ts';
import { compareQuantities, parseQuantityExact, canonicalQuantity, QuantityError } from './quantity.ts';

const STANDARD_RESOURCE_NAMES = new Set([
  'cpu', 'memory', 'requests.cpu', 'requests.memory', 'requests.storage', 'limits.cpu', 'limits.memory',
  'ephemeral-storage', 'requests.ephemeral-storage', 'limits.ephemeral-storage',
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'storage', 'services.nodeports', 'services.loadbalancers',
]);
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

function isHugePages(name: string): boolean {
  return name.startsWith('hugepages-');
}

/** Native: no domain, or a kubernetes.io domain. */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** Extended resources and hugepages may not be overcommitted: requests must equal limits. */
function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePages(name);
}

function validateContainerResourceName(name: string, field: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(field, name, m));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCE_NAMES.has(name) && !isHugePages(name)) errs.push(invalid(field, name, 'must be a standard resource type or fully qualified'));
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) errs.push(invalid(field, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(invalid(field, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** Parses or reports: upstream rejects such text while decoding (a 400); here it is a field error. */
function quantityOrError(v: unknown, field: string, errs: FieldError[]): bigint | undefined {
  try {
    return parseQuantityExact(v as string | number).nanos;
  } catch (e) {
    errs.push(invalid(field, typeof v === 'number' ? v : String(v), e instanceof QuantityError ? e.message : String(e)));
    return undefined;
  }
}

function validateQuantityValue(name: string, v: unknown, field: string, errs: FieldError[]): boolean {
  const nanos = quantityOrError(v, field, errs);
  if (nanos === undefined) return false;
  if (nanos < 0n) errs.push(invalid(field, canonicalQuantity(v as string), 'must be greater than or equal to 0'));
  if (isExtendedResourceName(name) && nanos % 10n ** 9n !== 0n) errs.push(invalid(field, canonicalQuantity(v as string), 'must be an integer'));
  return true;
}

export function validateResourceRequirements(resources: unknown, path: string): FieldError[] {
  if (!resources || typeof resources !== 'object') return [];
  const r = resources as { limits?: Record<string, unknown>; requests?: Record<string, unknown> };
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const errs: FieldError[] = [];
  let cpuOrMemory = false;
  let hugePages = false;
  const limits = r.limits ?? {};
  for (const [name, q] of Object.entries(limits)) {
    const f = key(limPath, name);
    errs.push(...validateContainerResourceName(name, f));
    validateQuantityValue(name, q, f, errs);
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  for (const [name, q] of Object.entries(r.requests ?? {})) {
    const f = key(reqPath, name);
    errs.push(...validateContainerResourceName(name, f));
    const ok = validateQuantityValue(name, q, f, errs);
    if (ok && name in limits) {
      try {
        const cmp = compareQuantities(q as string, limits[name] as string);
        const reqText = canonicalQuantity(q as string);
        const limText = canonicalQuantity(limits[name] as string);
        if (cmp !== 0 && !isOvercommitAllowed(name)) errs.push(invalid(reqPath, reqText, `must be equal to ${name} limit of ${limText}`));
        else if (cmp > 0) errs.push(invalid(reqPath, reqText, `must be less than or equal to ${name} limit of ${limText}`));
      } catch {
        // the limit itself was reported above
      }
    } else if (!(name in limits) && !isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  if (hugePages && !cpuOrMemory) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  return errs;
}
