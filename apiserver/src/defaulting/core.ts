// Defaults of the smaller core and discovery objects (core/v1 defaults.go: SetDefaults_Namespace,
// SetDefaults_NamespaceStatus, SetDefaults_Secret, SetDefaults_NodeStatus,
// SetDefaults_EndpointPort; discovery/v1 SetDefaults_EndpointPort) plus the Namespace
// strategy's create-time finalizer and the Secret conversion that folds stringData into data.

import { canonicalizeResourceList } from './quantities.ts';

type Obj = Record<string, any>;

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Every namespace is labelled with its name and starts Active. A new namespace (one without a
 * resourceVersion yet) gets the `kubernetes` finalizer; existing ones never get it back once
 * the namespace controller removed it, which is why upstream keeps this out of defaulting.
 */
export function defaultNamespace(ns: Obj): void {
  ns.metadata ??= {};
  if (ns.metadata.name) {
    ns.metadata.labels ??= {};
    ns.metadata.labels[NAMESPACE_NAME_LABEL] = ns.metadata.name;
  }
  if (!ns.metadata.resourceVersion) prepareNamespaceForCreate(ns);
  if (!ns.status || typeof ns.status !== 'object') ns.status = {};
  if (!ns.status.phase) ns.status.phase = 'Active';
}

/** The Namespace strategy's PrepareForCreate: `kubernetes` must be among spec.finalizers. */
export function prepareNamespaceForCreate(ns: Obj): void {
  if (!ns.spec || typeof ns.spec !== 'object') ns.spec = {};
  const finalizers: unknown[] = Array.isArray(ns.spec.finalizers) ? ns.spec.finalizers : [];
  if (!finalizers.includes('kubernetes')) ns.spec.finalizers = [...finalizers, 'kubernetes'];
}

/** Type Opaque; stringData is write-only and merged into data (base64), winning over data. */
export function defaultSecret(secret: Obj): void {
  if (!secret.type) secret.type = 'Opaque';
  const sd = secret.stringData;
  if (sd && typeof sd === 'object') {
    secret.data ??= {};
    for (const [k, v] of Object.entries(sd as Record<string, unknown>)) secret.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  }
  delete secret.stringData;
}

/** A node's allocatable defaults to its capacity. */
export function defaultNode(node: Obj): void {
  const status = node.status as Obj | undefined;
  if (!status || typeof status !== 'object') return;
  canonicalizeResourceList(status.capacity);
  canonicalizeResourceList(status.allocatable);
  if (status.capacity && typeof status.capacity === 'object' && !status.allocatable) status.allocatable = { ...status.capacity };
}

export function defaultEndpoints(ep: Obj): void {
  for (const ss of Array.isArray(ep.subsets) ? ep.subsets : []) {
    for (const p of Array.isArray(ss?.ports) ? ss.ports : []) if (p && !p.protocol) p.protocol = 'TCP';
  }
}

export function defaultEndpointSlice(slice: Obj): void {
  for (const p of Array.isArray(slice.ports) ? slice.ports : []) {
    if (!p || typeof p !== 'object') continue;
    if (p.name === undefined || p.name === null) p.name = '';
    if (!p.protocol) p.protocol = 'TCP';
  }
}
