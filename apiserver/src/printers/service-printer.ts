// Services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, wide SELECTOR (upstream printService).

import type { KubeObject } from '@minik8s/shared';
import { ageColumn, column, nameColumn, wideColumn } from './columns.ts';
import { formatLabels } from './format.ts';
import { translateTimestampSince } from './human-duration.ts';
import type { ResourcePrinter, TableRowCells } from './types.ts';

interface ServicePort {
  port?: number;
  nodePort?: number;
  protocol?: string;
}

const columns = [
  nameColumn(),
  column('Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'),
  column('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail.'),
  column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service. These IPs are not managed by Kubernetes.'),
  column('Port(s)', 'string', 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
  ageColumn(),
  wideColumn('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify.'),
];

/** `80/TCP`, `80:30080/TCP` with a node port, joined by `,`; `<none>` when there are none. */
export function servicePorts(ports: ServicePort[] | null | undefined): string {
  const pieces = (ports ?? []).map((p) => {
    // The API defaults protocol to TCP.
    const protocol = p.protocol || 'TCP';
    return p.nodePort && p.nodePort > 0 ? `${p.port ?? 0}:${p.nodePort}/${protocol}` : `${p.port ?? 0}/${protocol}`;
  });
  return pieces.length === 0 ? '<none>' : pieces.join(',');
}

/** Load-balancer ingress IPs (else hostnames), de-duplicated and sorted. Never clipped: the server prints wide. */
function loadBalancerIngress(svc: KubeObject): string {
  const ingress: { ip?: string; hostname?: string }[] = svc.status?.loadBalancer?.ingress ?? [];
  const set = new Set<string>();
  for (const i of ingress) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(',');
}

export function serviceExternalIP(svc: KubeObject, type: string): string {
  const externalIPs: string[] = svc.spec?.externalIPs ?? [];
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function printService(svc: KubeObject, now: Date): TableRowCells {
  const spec = svc.spec ?? {};
  // The API defaults type to ClusterIP; v1 clusterIP wins over clusterIPs[0] as in upstream's
  // v1 -> internal conversion.
  const type: string = spec.type || 'ClusterIP';
  const clusterIP: string = spec.clusterIP || spec.clusterIPs?.[0] || '<none>';
  return {
    cells: [
      svc.metadata.name ?? '',
      type,
      clusterIP,
      serviceExternalIP(svc, type),
      servicePorts(spec.ports),
      translateTimestampSince(svc.metadata.creationTimestamp, now),
      formatLabels(spec.selector),
    ],
  };
}

export const servicePrinter: ResourcePrinter = { columns, print: printService };
