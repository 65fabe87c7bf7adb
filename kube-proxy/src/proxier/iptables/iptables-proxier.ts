// The iptables proxier (upstream's pkg/proxy/iptables Proxier): the kernel forwards, this
// process only writes rules. Each sync:
//   1. the first time, with localhost node ports: sets net.ipv4.conf.all.route_localnet=1, so
//      a packet to 127.0.0.1:<node port> may be DNATed to another address (upstream does this
//      when the proxier starts; KUBE-FIREWALL then closes the hole it opens);
//   2. reads both tables with iptables-save: the KUBE-* chains that exist now;
//   3. ensures our fixed chains exist and the jumps from the built-in chains into them
//      (jumpRules(), `iptables -C` then `-I`, so they come before anyone else's);
//   4. writes buildIptablesRules() with one `iptables-restore --noflush --counters`: our
//      chains are replaced whole, service and endpoint chains no longer wanted are deleted,
//      everyone else's chains are left alone.
// A failed step rejects; the runner retries. Needs root on Linux and the iptables binaries
// (main.ts refuses the mode otherwise). close() leaves the rules: a restarting kube-proxy must
// not drop traffic meanwhile (as upstream); `kube-proxy --cleanup` removes them.
// Exercised with real iptables by kube-proxy/test/iptables-proxy.test.ts (root only).

import type { Logger } from 'pino';
import type { ProxyState } from '../../state/proxy-state.ts';
import type { Proxier } from '../proxier.ts';
import { chainsOf, ensureSysctl, iptables, iptablesRestore, iptablesSave } from './iptables.ts';
import { buildIptablesRules, jumpRules } from './iptables-rules.ts';

export const SYSCTL_ROUTE_LOCALNET = 'net/ipv4/conf/all/route_localnet';

export interface IptablesProxierOptions {
  logger: Logger;
  nodeName: string;
  clusterCIDR?: string;
  /** --iptables-localhost-nodeports (default true): node ports answer on 127.0.0.1 too. */
  localhostNodePorts?: boolean;
}

export class IptablesProxier implements Proxier {
  readonly mode = 'iptables' as const;
  private readonly opts: IptablesProxierOptions;
  private readonly localhostNodePorts: boolean;
  private sysctlDone = false;

  constructor(opts: IptablesProxierOptions) {
    this.opts = opts;
    this.localhostNodePorts = opts.localhostNodePorts ?? true;
  }

  async sync(state: ProxyState): Promise<void> {
    const log = this.opts.logger;
    // 1.
    if (this.localhostNodePorts && !this.sysctlDone) {
      if (await ensureSysctl(SYSCTL_ROUTE_LOCALNET, 1)) {
        log.info('Setting route_localnet=1 to allow node-ports on localhost; to change this disable --iptables-localhost-nodeports');
      }
      this.sysctlDone = true;
    }
    // 2.
    const existing = { filter: chainsOf(await iptablesSave('filter')), nat: chainsOf(await iptablesSave('nat')) };
    // 3.
    for (const [table, chain, args] of jumpRules({ localhostNodePorts: this.localhostNodePorts })) {
      const target = args[args.length - 1]!;
      if (!existing[table].includes(target)) {
        await iptables(['-t', table, '-N', target]);
        existing[table].push(target);
      }
      const present = await iptables(['-t', table, '-C', chain, ...args]).then(
        () => true,
        () => false,
      );
      if (!present) await iptables(['-t', table, '-I', chain, ...args]);
    }
    // 4.
    const rules = buildIptablesRules(state, {
      existingChains: existing,
      localhostNodePorts: this.localhostNodePorts,
      ...(this.opts.clusterCIDR ? { clusterCIDR: this.opts.clusterCIDR } : {}),
    });
    await iptablesRestore(rules.restore);
    log.debug({ natChains: rules.chains.nat.length, filterChains: rules.chains.filter.length }, 'iptables rules restored');
  }

  async close(): Promise<void> {
    // Rules stay (see the header).
  }
}
