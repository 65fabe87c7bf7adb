// Printers whose cells are plain fields or counts: namespaces, configmaps, secrets,
// serviceaccounts, componentstatuses and leases (upstream printNamespace, printConfigMap,
// printSecret, printServiceAccount, printComponentStatus, printLease).

import type { KubeObject } from '@minik8s/shared';
import { ageColumn, column, nameColumn } from './columns.ts';
import { translateTimestampSince } from './human-duration.ts';
import type { ResourcePrinter } from './types.ts';

function count(x: unknown): number {
  if (Array.isArray(x)) return x.length;
  return x && typeof x === 'object' ? Object.keys(x).length : 0;
}

function age(obj: KubeObject, now: Date): string {
  return translateTimestampSince(obj.metadata.creationTimestamp, now);
}

export const namespacePrinter: ResourcePrinter = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  print: (ns, now) => ({ cells: [ns.metadata.name ?? '', ns.status?.phase ?? '', age(ns, now)] }),
};

export const configMapPrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Data', 'string', 'Data contains the configuration data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.'),
    ageColumn(),
  ],
  // Keys of data and binaryData both count.
  print: (cm, now) => ({ cells: [cm.metadata.name ?? '', count(cm.data) + count(cm.binaryData), age(cm, now)] }),
};

export const secretPrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
    column('Data', 'string', "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
    ageColumn(),
  ],
  // The API defaults type to Opaque. stringData keys count as data keys: upstream's v1 ->
  // internal conversion merges them (stored secrets normally have none left).
  print: (s, now) => {
    const keys = new Set([...Object.keys((s.data as object | undefined) ?? {}), ...Object.keys((s.stringData as object | undefined) ?? {})]);
    return { cells: [s.metadata.name ?? '', (s.type as string | undefined) || 'Opaque', keys.size, age(s, now)] };
  },
};

export const serviceAccountPrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
    ageColumn(),
  ],
  print: (sa, now) => ({ cells: [sa.metadata.name ?? '', count(sa.secrets), age(sa, now)] }),
};

/** ComponentStatus has no Age column: it is computed per request and has no creation time. */
export const componentStatusPrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'Status of the component conditions'),
    column('Message', 'string', 'Message of the component conditions'),
    column('Error', 'string', 'Error of the component conditions'),
  ],
  print: (cs) => {
    let status = 'Unknown';
    let message = '';
    let error = '';
    const conditions = (cs.conditions as { type: string; status: string; message?: string; error?: string }[] | undefined) ?? [];
    const healthy = conditions.find((c) => c.type === 'Healthy');
    if (healthy) {
      status = healthy.status === 'True' ? 'Healthy' : 'Unhealthy';
      message = healthy.message ?? '';
      error = healthy.error ?? '';
    }
    return { cells: [cs.metadata.name ?? '', status, message, error] };
  },
};

export const leasePrinter: ResourcePrinter = {
  columns: [nameColumn(), column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'), ageColumn()],
  print: (lease, now) => ({ cells: [lease.metadata.name ?? '', lease.spec?.holderIdentity ?? '', age(lease, now)] }),
};
