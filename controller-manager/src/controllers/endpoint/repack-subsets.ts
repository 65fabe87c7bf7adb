// Canonical Endpoints subsets (upstream endpoints.RepackSubsets + SortSubsets): every address
// appears once per distinct port set; addresses sharing a port set share a subset. Sorted, so
// equal endpoints compare equal and an unchanged service writes nothing.

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

function addressKey(a: EndpointAddress): string {
  return `${a.ip}/${a.targetRef?.uid ?? ''}`;
}

function portKey(p: EndpointPort): string {
  return JSON.stringify([p.name ?? '', p.port, p.protocol, p.appProtocol ?? '']);
}

function compareIPs(a: EndpointAddress, b: EndpointAddress): number {
  const ka = addressKey(a);
  const kb = addressKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  // address -> (ready?, its ports); an address ready in one subset and not in another is ready.
  const byAddr = new Map<string, { addr: EndpointAddress; ready: boolean; ports: Map<string, EndpointPort> }>();
  const add = (addr: EndpointAddress, ready: boolean, ports: EndpointPort[]) => {
    const k = addressKey(addr);
    let e = byAddr.get(k);
    if (!e) byAddr.set(k, (e = { addr, ready, ports: new Map() }));
    if (ready) e.ready = true;
    for (const p of ports) e.ports.set(portKey(p), p);
  };
  for (const s of subsets) {
    for (const a of s.addresses ?? []) add(a, true, s.ports ?? []);
    for (const a of s.notReadyAddresses ?? []) add(a, false, s.ports ?? []);
  }
  // port set -> subset
  const bySet = new Map<string, EndpointSubset>();
  for (const { addr, ready, ports } of byAddr.values()) {
    const sorted = [...ports.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const setKey = JSON.stringify(sorted.map(([k]) => k));
    let s = bySet.get(setKey);
    if (!s) {
      s = {};
      if (sorted.length) s.ports = sorted.map(([, p]) => p);
      bySet.set(setKey, s);
    }
    const list = ready ? (s.addresses ??= []) : (s.notReadyAddresses ??= []);
    list.push(addr);
  }
  const out = [...bySet.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  for (const s of out) {
    s.addresses?.sort(compareIPs);
    s.notReadyAddresses?.sort(compareIPs);
  }
  return out;
}
