// `kube-proxy --cleanup` (upstream's CleanupLeftovers, pkg/proxy/iptables/cleanup.go): removes
// the jumps from other chains into ours, then flushes and deletes every chain we own, in one
// iptables-restore transaction per table. Ours: the fixed chains (KUBE_NAT_CHAINS,
// KUBE_FILTER_CHAINS) and every service or endpoint chain (KUBE-SVC-/SVL-/EXT-/SEP-/FW-). Other
// KUBE-* chains (a real kubelet's KUBE-KUBELET-CANARY, KUBE-MARK-DROP...) and everyone else's
// chains (Docker's) stay as they are.
//
// Differences from upstream, on purpose:
// - The jumps to delete are read from iptables-save (every rule of a chain that is not ours
//   jumping to one that is), not from the list of jumps this version adds, so jumps an older
//   version added with other comments go too.
// - KUBE-FIREWALL is removed: upstream leaves it to the kubelet, which owns the original; no
//   minik8s kubelet creates it, so here kube-proxy owns it.
// - The sysctl net.ipv4.conf.all.route_localnet is left as it is (as upstream).

import { chainsOf, iptablesPresent, iptablesRestore, iptablesSave, type IptablesTable } from './iptables.ts';
import { isServiceChainName, KUBE_FILTER_CHAINS, KUBE_NAT_CHAINS } from './iptables-rules.ts';

export interface CleanupPlan {
  /** iptables-restore --noflush input; '' when there is nothing to remove. */
  restore: string;
  /** The chains it deletes, per table. */
  chains: Record<IptablesTable, string[]>;
  /** The jump rules it deletes (`-D` lines), per table. */
  jumps: Record<IptablesTable, string[]>;
}

const FIXED: Record<IptablesTable, readonly string[]> = { nat: KUBE_NAT_CHAINS, filter: KUBE_FILTER_CHAINS };

/** A chain kube-proxy owns in `table`. */
export function isOwnChain(table: IptablesTable, chain: string): boolean {
  return FIXED[table].includes(chain) || isServiceChainName(chain);
}

/** The cleanup as restore input, computed from the tables as `iptables-save -t <table>` printed them. */
export function buildCleanupRules(saved: Record<IptablesTable, string>): CleanupPlan {
  const plan: CleanupPlan = { restore: '', chains: { filter: [], nat: [] }, jumps: { filter: [], nat: [] } };
  const blocks: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const chains = chainsOf(saved[table]).filter((c) => isOwnChain(table, c));
    // A rule jumping to a chain ends with `-j CHAIN` (or `-g CHAIN`): chain targets take no options.
    const jumps = saved[table]
      .split('\n')
      .filter((l) => {
        const m = /^-A (\S+) .*-[jg] (\S+)$/.exec(l);
        return !!m && !isOwnChain(table, m[1]!) && isOwnChain(table, m[2]!);
      })
      .map((l) => `-D${l.slice(2)}`);
    plan.chains[table] = chains;
    plan.jumps[table] = jumps;
    if (!chains.length && !jumps.length) continue;
    // Declaring a chain flushes it, so the rules between our chains go with them; then -X.
    blocks.push(`*${table}`, ...chains.map((c) => `:${c} - [0:0]`), ...jumps, ...chains.map((c) => `-X ${c}`), 'COMMIT');
  }
  plan.restore = blocks.length ? blocks.join('\n') + '\n' : '';
  return plan;
}

/**
 * Removes kube-proxy's rules and chains from this host. A host without iptables has nothing to
 * remove. Rejects when iptables-save or iptables-restore fail (e.g. not root); retries twice
 * when the tables changed between the save and the restore.
 */
export async function cleanupLeftovers(): Promise<CleanupPlan> {
  const empty: CleanupPlan = { restore: '', chains: { filter: [], nat: [] }, jumps: { filter: [], nat: [] } };
  if (!(await iptablesPresent())) return empty;
  for (let attempt = 1; ; attempt++) {
    const plan = buildCleanupRules({ filter: await iptablesSave('filter'), nat: await iptablesSave('nat') });
    if (!plan.restore) return plan;
    try {
      await iptablesRestore(plan.restore);
      return plan;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}
