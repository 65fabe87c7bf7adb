// Nodes: NAME STATUS ROLES AGE VERSION, wide INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION
// CONTAINER-RUNTIME (upstream printNode).

import type { KubeObject } from '@minik8s/shared';
import { ageColumn, column, nameColumn, wideColumn } from './columns.ts';
import { translateTimestampSince } from './human-duration.ts';
import type { ResourcePrinter, TableRowCells } from './types.ts';

const LABEL_NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_LABEL_ROLE = 'kubernetes.io/role';

const ADDRESSES_DESCRIPTION =
  'List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses';

const columns = [
  nameColumn(),
  column('Status', 'string', 'The status of the node'),
  column('Roles', 'string', 'The roles of the node'),
  ageColumn(),
  column('Version', 'string', 'Kubelet Version reported by the node.'),
  wideColumn('Internal-IP', 'string', ADDRESSES_DESCRIPTION),
  wideColumn('External-IP', 'string', ADDRESSES_DESCRIPTION),
  wideColumn('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
  wideColumn('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
  wideColumn('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
];

/**
 * `Ready`, `NotReady` (Ready condition False OR Unknown) or `Unknown` (no Ready condition yet),
 * plus `,SchedulingDisabled` for a cordoned node.
 */
export function nodeStatus(node: KubeObject): string {
  const conditions: { type: string; status: string }[] = node.status?.conditions ?? [];
  // Upstream keeps the last condition of each type.
  const ready = conditions.filter((c) => c.type === 'Ready').at(-1);
  const parts = [ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Roles from `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` value, sorted. */
export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(LABEL_NODE_ROLE_PREFIX)) {
      const role = k.slice(LABEL_NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === NODE_LABEL_ROLE && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function address(node: KubeObject, type: string): string {
  const addresses: { type: string; address: string }[] = node.status?.addresses ?? [];
  return addresses.find((a) => a.type === type)?.address ?? '<none>';
}

function printNode(node: KubeObject, now: Date): TableRowCells {
  const info = node.status?.nodeInfo ?? {};
  const roles = nodeRoles(node).join(',');
  return {
    cells: [
      node.metadata.name ?? '',
      nodeStatus(node),
      roles || '<none>',
      translateTimestampSince(node.metadata.creationTimestamp, now),
      info.kubeletVersion ?? '',
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ],
  };
}

export const nodePrinter: ResourcePrinter = { columns, print: printNode };
