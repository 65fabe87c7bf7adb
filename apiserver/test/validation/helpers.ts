// Builders and a one-call check for validation tests: objects are defaulted first, as the
// store does before validating.

import type { KubeObject } from '@minik8s/shared';
import { applyDefaults } from '../../src/defaulting/index.ts';
import { validateCreate, validateUpdate } from '../../src/validation/index.ts';

/** `<field>: <detail>` lines, as kubectl prints each cause. */
export function createErrors(group: string, kind: string, obj: KubeObject): string[] {
  applyDefaults(group, kind, obj);
  return validateCreate(group, kind, obj).map((e) => `${e.field}: ${e.detail}`);
}

export function updateErrors(group: string, kind: string, obj: KubeObject, old: KubeObject): string[] {
  applyDefaults(group, kind, obj);
  return validateUpdate(group, kind, obj, old).map((e) => `${e.field}: ${e.detail}`);
}

/** A stored object: defaulted, with the identity the store gives it. */
export function stored(group: string, kind: string, obj: KubeObject): KubeObject {
  obj.metadata.uid ??= '6b1e2f7a-0000-4000-8000-000000000001';
  obj.metadata.creationTimestamp ??= '2025-01-01T00:00:00Z';
  obj.metadata.resourceVersion ??= '10';
  applyDefaults(group, kind, obj);
  return obj;
}

export function pod(overrides: Record<string, any> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...overrides },
  };
}

export function deployment(spec: Record<string, any> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
      ...spec,
    },
  };
}

export function service(spec: Record<string, any> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
  };
}

export const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
