// The iptables proxier's rules as `iptables-restore` input (upstream's iptables
// syncProxyRules), computed as a pure function of the desired ProxyState.
//
// nat table:
//   KUBE-SERVICES     one rule per service port and cluster IP -> its KUBE-SVC chain; last, a jump
//                     to KUBE-NODEPORTS for packets to a local address
//   KUBE-NODEPORTS    one rule per node port -> its KUBE-EXT chain
//   KUBE-EXT-<hash>   marks for masquerade, then KUBE-SVC (or KUBE-SVL for externalTrafficPolicy
//                     Local, except for traffic from the node itself)
//   KUBE-SVC-<hash>   ClientIP affinity (`recent` matches), then picks an endpoint at random:
//                     endpoint i of n with probability 1/(n-i)
//   KUBE-SVL-<hash>   the same over this node's endpoints only
//   KUBE-SEP-<hash>   masquerades hairpin traffic and DNATs to the endpoint
//   KUBE-POSTROUTING / KUBE-MARK-MASQ   the masquerade mark (0x4000)
// filter table: REJECT for service ports without endpoints, KUBE-FORWARD, and (with localhost
// node ports, upstream's default) KUBE-FIREWALL, which drops packets to 127.0.0.0/8 from
// elsewhere: route_localnet=1 would otherwise let other hosts reach the node's loopback
// services (https://issue.k8s.io/90259).
//
// Chain names hash `ns/name:port` + protocol (lower case) [+ endpoint] with SHA-256, base32,
// first 16 characters, exactly as upstream, so the rules read like a real node's. Chains from
// an earlier sync that are no longer wanted are deleted (`-X`) when `existingChains` lists
// them. The jumps from the built-in chains are ensured separately (jumpRules()).

import { createHash } from 'node:crypto';
import { categorizeEndpoints } from '../../state/categorize-endpoints.ts';
import { endpointString, type Endpoint, type ProxyState, type ServicePort } from '../../state/proxy-state.ts';

export const KUBE_MARK_MASQ_VALUE = '0x4000';

export interface IptablesRulesOptions {
  /** Chains of each table that exist now (from iptables-save); stale KUBE-* ones are deleted. */
  existingChains?: { nat?: readonly string[]; filter?: readonly string[] };
  /** The pod CIDR: traffic to a cluster IP from outside it is masqueraded (--cluster-cidr). */
  clusterCIDR?: string;
  /**
   * Node ports also answer on 127.0.0.1 (--iptables-localhost-nodeports, default true; needs
   * the sysctl net.ipv4.conf.all.route_localnet=1, which the proxier sets).
   */
  localhostNodePorts?: boolean;
}

/** Our fixed chains per table; --cleanup deletes these and every service chain (isServiceChainName). */
export const KUBE_NAT_CHAINS = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'] as const;
export const KUBE_FILTER_CHAINS = ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-NODEPORTS', 'KUBE-FORWARD', 'KUBE-FIREWALL'] as const;

/** KUBE-SVC-, KUBE-SVL-, KUBE-EXT-, KUBE-SEP-, KUBE-FW- chains: one per service port or endpoint. */
export function isServiceChainName(chain: string): boolean {
  return /^KUBE-(SVC|SVL|EXT|SEP|FW)-/.test(chain);
}

export interface IptablesRules {
  /** Input for `iptables-restore --noflush --counters`. */
  restore: string;
  /** Chains created per table (for tests and stale-chain bookkeeping). */
  chains: { nat: string[]; filter: string[] };
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function hash16(text: string): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, 16);
}

/** upstream portProtoHash: the chain suffix of a service port. */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return hash16(servicePortName + protocol.toLowerCase());
}

export function servicePortChainName(sp: Pick<ServicePort, 'key' | 'protocol'>): string {
  return `KUBE-SVC-${portProtoHash(sp.key, sp.protocol)}`;
}

export function servicePortLocalChainName(sp: Pick<ServicePort, 'key' | 'protocol'>): string {
  return `KUBE-SVL-${portProtoHash(sp.key, sp.protocol)}`;
}

export function serviceExternalChainName(sp: Pick<ServicePort, 'key' | 'protocol'>): string {
  return `KUBE-EXT-${portProtoHash(sp.key, sp.protocol)}`;
}

export function servicePortEndpointChainName(sp: Pick<ServicePort, 'key' | 'protocol'>, ep: Pick<Endpoint, 'ip' | 'port'>): string {
  return `KUBE-SEP-${hash16(sp.key + sp.protocol.toLowerCase() + endpointString(ep))}`;
}

/** iptables' quoting of a comment: quoted when it has spaces. */
function comment(text: string): string {
  return /[\s"]/.test(text) ? `"${text.replace(/"/g, '\\"')}"` : text;
}

function probability(n: number): string {
  return (1 / n).toFixed(10);
}

export function buildIptablesRules(state: ProxyState, opts: IptablesRulesOptions = {}): IptablesRules {
  const localhostNodePorts = opts.localhostNodePorts ?? true;
  const natChains: string[] = [...KUBE_NAT_CHAINS];
  const filterChains = KUBE_FILTER_CHAINS.filter((c) => c !== 'KUBE-FIREWALL' || localhostNodePorts);
  const nat: string[] = [
    `-A KUBE-POSTROUTING -m mark ! --mark ${KUBE_MARK_MASQ_VALUE}/${KUBE_MARK_MASQ_VALUE} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${KUBE_MARK_MASQ_VALUE}`,
    `-A KUBE-POSTROUTING -m comment --comment ${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${KUBE_MARK_MASQ_VALUE}`,
  ];
  const natServices: string[] = [];
  const filter: string[] = [];
  if (localhostNodePorts) {
    filter.push(`-A KUBE-FIREWALL -m comment --comment ${comment('block incoming localnet connections')} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`);
  }

  for (const sp of state.services.values()) {
    const proto = sp.protocol.toLowerCase();
    const name = sp.key;
    const eps = state.endpoints.get(sp.key) ?? [];
    const all = categorizeEndpoints({ ...sp, internalPolicyLocal: false, externalPolicyLocal: false }, eps).clusterEndpoints;
    const { clusterEndpoints, externalEndpoints } = categorizeEndpoints(sp, eps);
    const local = categorizeEndpoints({ ...sp, internalPolicyLocal: true }, eps).clusterEndpoints;
    const svcChain = servicePortChainName(sp);
    const svlChain = servicePortLocalChainName(sp);
    const extChain = serviceExternalChainName(sp);
    const usesExternal = sp.nodePort > 0 || sp.externalIPs.length > 0;
    // Cluster IP traffic goes to KUBE-SVL with internalTrafficPolicy Local, else KUBE-SVC.
    const clusterChain = sp.internalPolicyLocal ? svlChain : svcChain;
    const needsSVL = (sp.internalPolicyLocal || (usesExternal && sp.externalPolicyLocal)) && local.length > 0;

    // Cluster IPs, external IPs and the node port: to the chains, or REJECT without endpoints.
    for (const ip of sp.clusterIPs) {
      const match = `-m ${proto} -p ${proto} -d ${ip}/32 --dport ${sp.port}`;
      if (clusterEndpoints.length) natServices.push(`-A KUBE-SERVICES -m comment --comment ${comment(`${name} cluster IP`)} ${match} -j ${clusterChain}`);
      else filter.push(`-A KUBE-SERVICES -m comment --comment ${comment(`${name} has no endpoints`)} ${match} -j REJECT`);
    }
    for (const ip of sp.externalIPs) {
      const match = `-m ${proto} -p ${proto} -d ${ip}/32 --dport ${sp.port}`;
      if (externalEndpoints.length) natServices.push(`-A KUBE-SERVICES -m comment --comment ${comment(`${name} external IP`)} ${match} -j ${extChain}`);
      else filter.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${comment(`${name} has no endpoints`)} ${match} -j REJECT`);
    }
    if (sp.nodePort > 0) {
      if (externalEndpoints.length) nat.push(`-A KUBE-NODEPORTS -m comment --comment ${comment(name)} -m ${proto} -p ${proto} --dport ${sp.nodePort} -j ${extChain}`);
      else filter.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${comment(`${name} has no endpoints`)} -m addrtype --dst-type LOCAL -m ${proto} -p ${proto} --dport ${sp.nodePort} -j REJECT`);
    }

    // KUBE-SVC over every usable endpoint, KUBE-SVL over this node's.
    const endpointChains = new Map<string, Endpoint>();
    if (all.length) {
      natChains.push(svcChain);
      if (opts.clusterCIDR) {
        for (const ip of sp.clusterIPs) {
          nat.push(`-A ${svcChain} -m comment --comment ${comment(`${name} cluster IP`)} -m ${proto} -p ${proto} -d ${ip}/32 --dport ${sp.port} ! -s ${opts.clusterCIDR} -j KUBE-MARK-MASQ`);
        }
      }
      nat.push(...balance(sp, svcChain, all, endpointChains));
    }
    if (needsSVL) {
      natChains.push(svlChain);
      nat.push(...balance(sp, svlChain, local, endpointChains));
    }
    if (usesExternal && externalEndpoints.length) {
      natChains.push(extChain);
      if (sp.externalPolicyLocal) {
        // Local policy keeps the client's address: no masquerade, except for the node itself.
        if (opts.clusterCIDR) nat.push(`-A ${extChain} -m comment --comment ${comment(`pod traffic for ${name} external destinations`)} -s ${opts.clusterCIDR} -j ${svcChain}`);
        nat.push(`-A ${extChain} -m comment --comment ${comment(`masquerade LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`);
        nat.push(`-A ${extChain} -m comment --comment ${comment(`route LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${svcChain}`);
        nat.push(`-A ${extChain} -j ${svlChain}`);
      } else {
        nat.push(`-A ${extChain} -m comment --comment ${comment(`masquerade traffic for ${name} external destinations`)} -j KUBE-MARK-MASQ`);
        nat.push(`-A ${extChain} -j ${svcChain}`);
      }
    }

    // One chain per endpoint.
    for (const [chain, ep] of endpointChains) {
      natChains.push(chain);
      nat.push(`-A ${chain} -m comment --comment ${comment(name)} -s ${ep.ip}/32 -j KUBE-MARK-MASQ`);
      const affinity = sp.sessionAffinity.clientIP ? ` -m recent --name ${chain} --set` : '';
      nat.push(`-A ${chain} -m comment --comment ${comment(name)}${affinity} -m ${proto} -p ${proto} -j DNAT --to-destination ${endpointString(ep)}`);
    }
  }

  // Last: node ports on every local address; 127.0.0.0/8 too only with localhost node ports.
  const destinations = localhostNodePorts ? '-m addrtype --dst-type LOCAL' : '-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8';
  natServices.push(`-A KUBE-SERVICES -m comment --comment ${comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain')} ${destinations} -j KUBE-NODEPORTS`);
  filter.push(
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    `-A KUBE-FORWARD -m comment --comment ${comment('kubernetes forwarding rules')} -m mark --mark ${KUBE_MARK_MASQ_VALUE}/${KUBE_MARK_MASQ_VALUE} -j ACCEPT`,
    `-A KUBE-FORWARD -m comment --comment ${comment('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  );

  const staleNat = stale(opts.existingChains?.nat, natChains);
  const staleFilter = stale(opts.existingChains?.filter, filterChains);
  const lines = [
    '*filter',
    ...filterChains.map((c) => `:${c} - [0:0]`),
    ...staleFilter.map((c) => `:${c} - [0:0]`),
    ...filter,
    ...staleFilter.map((c) => `-X ${c}`),
    'COMMIT',
    '*nat',
    ...natChains.map((c) => `:${c} - [0:0]`),
    ...staleNat.map((c) => `:${c} - [0:0]`),
    ...natServices,
    ...nat,
    ...staleNat.map((c) => `-X ${c}`),
    'COMMIT',
  ];
  return { restore: lines.join('\n') + '\n', chains: { nat: natChains, filter: filterChains } };
}

/** Rules of a KUBE-SVC / KUBE-SVL chain: affinity first, then the random pick. */
function balance(sp: ServicePort, chain: string, endpoints: readonly Endpoint[], endpointChains: Map<string, Endpoint>): string[] {
  const out: string[] = [];
  const named = endpoints.map((ep) => {
    const c = servicePortEndpointChainName(sp, ep);
    endpointChains.set(c, ep);
    return [c, ep] as const;
  });
  if (sp.sessionAffinity.clientIP) {
    for (const [c, ep] of named) {
      out.push(`-A ${chain} -m comment --comment ${comment(`${sp.key} -> ${endpointString(ep)}`)} -m recent --name ${c} --rcheck --seconds ${sp.sessionAffinity.timeoutSeconds} --reap -j ${c}`);
    }
  }
  named.forEach(([c, ep], i) => {
    const left = named.length - i;
    const pick = left > 1 ? ` -m statistic --mode random --probability ${probability(left)}` : '';
    out.push(`-A ${chain} -m comment --comment ${comment(`${sp.key} -> ${endpointString(ep)}`)}${pick} -j ${c}`);
  });
  return out;
}

function stale(existing: readonly string[] | undefined, wanted: readonly string[]): string[] {
  if (!existing) return [];
  const keep = new Set(wanted);
  return existing.filter((c) => isServiceChainName(c) && !keep.has(c));
}

/**
 * The jumps from the built-in chains into ours ([table, chain, rule args]), ensured with -C / -I
 * (so they come first, before e.g. Docker's). KUBE-FIREWALL's jumps carry no comment, as
 * upstream's (they duplicate the kubelet's there).
 */
export function jumpRules(opts: Pick<IptablesRulesOptions, 'localhostNodePorts'> = {}): Array<[table: 'filter' | 'nat', chain: string, args: string[]]> {
  const c = (text: string) => ['-m', 'comment', '--comment', text];
  const firewall: Array<['filter', string, string[]]> = (opts.localhostNodePorts ?? true)
    ? [
        ['filter', 'INPUT', ['-j', 'KUBE-FIREWALL']],
        ['filter', 'OUTPUT', ['-j', 'KUBE-FIREWALL']],
      ]
    : [];
  return [
    ...firewall,
    ['filter', 'INPUT', ['-m', 'conntrack', '--ctstate', 'NEW', ...c('kubernetes externally-visible service portals'), '-j', 'KUBE-EXTERNAL-SERVICES']],
    ['filter', 'INPUT', [...c('kubernetes health check service ports'), '-j', 'KUBE-NODEPORTS']],
    ['filter', 'FORWARD', [...c('kubernetes forwarding rules'), '-j', 'KUBE-FORWARD']],
    ['filter', 'FORWARD', ['-m', 'conntrack', '--ctstate', 'NEW', ...c('kubernetes service portals'), '-j', 'KUBE-SERVICES']],
    ['filter', 'FORWARD', ['-m', 'conntrack', '--ctstate', 'NEW', ...c('kubernetes externally-visible service portals'), '-j', 'KUBE-EXTERNAL-SERVICES']],
    ['filter', 'OUTPUT', ['-m', 'conntrack', '--ctstate', 'NEW', ...c('kubernetes service portals'), '-j', 'KUBE-SERVICES']],
    ['nat', 'PREROUTING', [...c('kubernetes service portals'), '-j', 'KUBE-SERVICES']],
    ['nat', 'OUTPUT', [...c('kubernetes service portals'), '-j', 'KUBE-SERVICES']],
    ['nat', 'POSTROUTING', [...c('kubernetes postrouting rules'), '-j', 'KUBE-POSTROUTING']],
  ];
}
