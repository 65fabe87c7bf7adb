// Endpoints (NAME ENDPOINTS AGE) and EndpointSlices (NAME ADDRESSTYPE PORTS ENDPOINTS AGE):
// upstream printEndpoints / printEndpointSlice, at most three addresses then `+ N more...`.

import type { KubeObject } from '@minik8s/shared';
import { ageColumn, column, nameColumn } from './columns.ts';
import { listWithMore } from './format.ts';
import { translateTimestampSince } from './human-duration.ts';
import type { ResourcePrinter, TableRowCells } from './types.ts';

interface EndpointSubset {
  addresses?: { ip: string }[];
  ports?: { port?: number; name?: string }[];
}

/**
 * formatEndpoints: `ip:port` for every address of every port of every subset (a subset
 * without ports lists bare IPs, as for headless services); `<none>` without subsets.
 */
export function formatEndpoints(subsets: EndpointSubset[] | null | undefined): string {
  if (!subsets || subsets.length === 0) return '<none>';
  const all: string[] = [];
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if (!ss.ports || ss.ports.length === 0) {
      for (const a of addresses) all.push(a.ip);
      continue;
    }
    for (const p of ss.ports) {
      for (const a of addresses) all.push(joinHostPort(a.ip, p.port ?? 0));
    }
  }
  const shown = all.slice(0, 3).join(',');
  return all.length > 3 ? `${shown} + ${all.length - 3} more...` : shown;
}

/** net.JoinHostPort: IPv6 addresses go in brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const endpointsColumns = [
  nameColumn(),
  column('Endpoints', 'string', 'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports.'),
  ageColumn(),
];

function printEndpoints(ep: KubeObject, now: Date): TableRowCells {
  return {
    cells: [ep.metadata.name ?? '', formatEndpoints(ep.subsets as EndpointSubset[] | undefined), translateTimestampSince(ep.metadata.creationTimestamp, now)],
  };
}

export const endpointsPrinter: ResourcePrinter = { columns: endpointsColumns, print: printEndpoints };

const endpointSliceColumns = [
  nameColumn(),
  column('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation.'),
  column('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
  column('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
  ageColumn(),
];

function printEndpointSlice(slice: KubeObject, now: Date): TableRowCells {
  const ports = ((slice.ports as { port?: number | null; name?: string | null }[] | null | undefined) ?? []).map((p) =>
    typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*',
  );
  const addresses = ((slice.endpoints as { addresses?: string[] }[] | null | undefined) ?? []).flatMap((e) => e.addresses ?? []);
  return {
    cells: [
      slice.metadata.name ?? '',
      (slice.addressType as string | undefined) ?? '',
      listWithMore(ports),
      listWithMore(addresses),
      translateTimestampSince(slice.metadata.creationTimestamp, now),
    ],
  };
}

export const endpointSlicePrinter: ResourcePrinter = { columns: endpointSliceColumns, print: printEndpointSlice };
