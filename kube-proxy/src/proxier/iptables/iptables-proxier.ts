// The iptables proxier: programs buildIptablesRules() with `iptables-restore --noflush
// --counters` (our chains are replaced whole, everyone else's left alone) after ensuring the
// jumps from the built-in chains, as upstream's iptables mode. Needs root on Linux and the
// iptables binaries; main.ts refuses the mode otherwise. Not exercised by the tests (they
// must not change the host's firewall); the rules themselves are unit-tested.

import { execFile, spawn } from 'node:child_process';
import type { Logger } from 'pino';
import type { ProxyState } from '../../state/proxy-state.ts';
import type { Proxier } from '../proxier.ts';
import { buildIptablesRules, jumpRules } from './iptables-rules.ts';

export interface IptablesProxierOptions {
  logger: Logger;
  nodeName: string;
  clusterCIDR?: string;
}

export class IptablesProxier implements Proxier {
  readonly mode = 'iptables' as const;
  private readonly opts: IptablesProxierOptions;

  constructor(opts: IptablesProxierOptions) {
    this.opts = opts;
  }

  async sync(state: ProxyState): Promise<void> {
    for (const [table, chain, args] of jumpRules()) await ensureRule(table, chain, args);
    const existingChains = { nat: await listChains('nat'), filter: await listChains('filter') };
    const rules = buildIptablesRules(state, { existingChains, ...(this.opts.clusterCIDR ? { clusterCIDR: this.opts.clusterCIDR } : {}) });
    await run('iptables-restore', ['--noflush', '--counters'], rules.restore);
    this.opts.logger.debug({ natChains: rules.chains.nat.length }, 'iptables rules restored');
  }

  async close(): Promise<void> {
    // Rules stay: a restarting kube-proxy must not drop traffic meanwhile (as upstream).
  }
}

/** Our chain names in `table`, from iptables-save. */
async function listChains(table: string): Promise<string[]> {
  const out = await run('iptables-save', ['-t', table]);
  return out
    .split('\n')
    .filter((l) => l.startsWith(':KUBE-'))
    .map((l) => l.slice(1).split(' ')[0]!);
}

async function ensureRule(table: string, chain: string, args: string[]): Promise<void> {
  // Our chains must exist before a jump to them can be checked or added.
  const target = args[args.length - 1]!;
  await run('iptables', ['-w', '-t', table, '-N', target]).catch(() => undefined);
  const exists = await run('iptables', ['-w', '-t', table, '-C', chain, ...args]).then(
    () => true,
    () => false,
  );
  if (!exists) await run('iptables', ['-w', '-t', table, '-I', chain, ...args]);
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  if (input === undefined) {
    return new Promise((resolve, reject) => {
      execFile(cmd, args, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
    });
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${cmd} exited ${code}: ${stderr}`))));
    child.stdin.end(input);
  });
}
