// Pod networking for the process runtime (as root, `--pod-network=bridge`): what a pause
// container and a bridge CNI plugin do, with `ip` and `iptables`.
//
// - One Linux bridge per kubelet (`mk8s<tag>`, the tag a hash of the node name and the state
//   dir, so two clusters on one machine that both have a `node-1` do not share one, while a
//   restarted kubelet finds what its predecessor left), holding the first address of
//   the node's podCIDR as the pods' gateway. FORWARD rules accept traffic in and out of it
//   (Docker's FORWARD policy is DROP), so pods on two kubelets of one machine reach each other
//   through the host, and the host reaches every pod.
// - Per sandbox: a network namespace (`/var/run/netns/mk8s-<bridge hash>-<sandbox>`), a veth
//   pair (eth0 inside, the other end on the bridge), an address from the podCIDR (leases are
//   files under the state dir, so a restarted kubelet never hands one out twice), lo up and a
//   default route via the gateway. Containers run under `nsenter --net=<netns>`.
// - Addresses are handed out as host-local IPAM does: the next one after the last reserved,
//   wrapping around, so a deleted pod's address is not at once a new pod's. When one is reused,
//   the host's neighbour entry for it (the old veth's MAC, trusted for up to ~45 s) is flushed
//   first: else the host, and probes from it, cannot reach the new pod until it expires.
// - tearDown removes the namespace (its veth goes with it) and frees the address; close()
//   removes every namespace of this kubelet, the bridge and its rules: nothing leaks.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { RuntimeError } from '../interface.ts';

const run = promisify(execFile);

/** The lease dir's record of the address handed out last (host-local's last_reserved_ip). */
const LAST_RESERVED = 'last_reserved_ip';

export interface BridgeNetworkOptions {
  nodeName: string;
  /** The node's pod CIDR (IPv4), once known (spec.podCIDR or --pod-cidr). */
  podCIDR(): string | undefined;
  /** Where address leases are kept. */
  stateDir: string;
  logger?: Logger;
}

export interface PodNetwork {
  netnsPath: string;
  ip: string;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Network, gateway (first address), prefix length and the usable pod addresses of a CIDR. */
export function parseCIDR(cidr: string): { base: number; prefix: number; gateway: string; first: number; last: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30) throw new Error(`pod CIDR ${cidr}: prefix must be between /8 and /30`);
  const size = 2 ** (32 - prefix);
  const base = Math.floor(ipToInt(m[1]) / size) * size;
  return { base, prefix, gateway: intToIp(base + 1), first: base + 2, last: base + size - 2 };
}

async function ip(...args: string[]): Promise<string> {
  const { stdout } = await run('ip', args);
  return stdout;
}

async function succeeds(cmd: string, args: string[]): Promise<boolean> {
  try {
    await run(cmd, args);
    return true;
  } catch {
    return false;
  }
}

export class BridgeNetwork {
  readonly bridge: string;
  private readonly opts: BridgeNetworkOptions;
  private readonly tag: string;
  private readonly leaseDir: string;
  /** The lease being taken (lease() runs one at a time). */
  private leasing: Promise<void> = Promise.resolve();
  private bridgeCIDR: string | undefined;

  constructor(opts: BridgeNetworkOptions) {
    this.opts = opts;
    this.tag = BridgeNetwork.tagFor(opts.nodeName, opts.stateDir);
    this.bridge = `mk8s${this.tag}`;
    this.leaseDir = join(opts.stateDir, 'ipam');
  }

  /** The 8 hex digits that name a kubelet's bridge (`mk8s<tag>`) and prefix its namespaces (`mk8s-<tag>-`). */
  static tagFor(nodeName: string, stateDir: string): string {
    return createHash('sha256').update(`${nodeName}\0${resolve(stateDir)}`).digest('hex').slice(0, 8);
  }

  static supported(): boolean {
    return process.platform === 'linux' && process.getuid?.() === 0;
  }

  private netnsName(sandboxId: string): string {
    return `mk8s-${this.tag}-${sandboxId.slice(0, 12)}`;
  }

  private async forwardRules(action: '-I' | '-D'): Promise<void> {
    for (const dir of ['-i', '-o']) {
      const rule = ['FORWARD', dir, this.bridge, '-j', 'ACCEPT'];
      if (action === '-I') {
        if (!(await succeeds('iptables', ['-w', '-C', ...rule]))) await run('iptables', ['-w', '-I', 'FORWARD', '1', ...rule.slice(1)]);
      } else {
        // Every copy goes (an older kubelet may have inserted one twice).
        while (await succeeds('iptables', ['-w', '-C', ...rule])) await run('iptables', ['-w', '-D', ...rule]);
      }
    }
  }

  /** One bridge setup at a time: pods starting together must not race on the rules. */
  private ensuring: Promise<void> = Promise.resolve();

  private ensureBridge(cidr: string): Promise<void> {
    const next = this.ensuring.then(() => this.ensureBridgeNow(cidr));
    this.ensuring = next.catch(() => {});
    return next;
  }

  private async ensureBridgeNow(cidr: string): Promise<void> {
    if (this.bridgeCIDR === cidr) return;
    const { gateway, prefix } = parseCIDR(cidr);
    if (!(await succeeds('ip', ['link', 'show', this.bridge]))) {
      await ip('link', 'add', this.bridge, 'type', 'bridge');
      this.opts.logger?.info({ bridge: this.bridge, podCIDR: cidr }, 'created the pod bridge');
    }
    const addrs = await ip('-4', 'addr', 'show', 'dev', this.bridge);
    if (!addrs.includes(` ${gateway}/${prefix} `)) await ip('addr', 'replace', `${gateway}/${prefix}`, 'dev', this.bridge);
    await ip('link', 'set', this.bridge, 'up');
    await this.forwardRules('-I');
    this.bridgeCIDR = cidr;
  }

  /**
   * Takes a free address (an exclusive lease file per address), trying from the one after the
   * last reserved (kept in `last_reserved_ip`) round the range. One lease at a time, as
   * host-local holds a lock, so `last_reserved_ip` is always the newest.
   */
  private lease(cidr: string, sandboxId: string): Promise<string> {
    const next = this.leasing.then(() => this.leaseNow(cidr, sandboxId));
    this.leasing = next.then(() => undefined, () => undefined);
    return next;
  }

  private async leaseNow(cidr: string, sandboxId: string): Promise<string> {
    await mkdir(this.leaseDir, { recursive: true });
    const { first, last } = parseCIDR(cidr);
    const lastReservedFile = join(this.leaseDir, LAST_RESERVED);
    const previous = ipToInt((await readFile(lastReservedFile, 'utf8').catch(() => '')).trim() || '0.0.0.0');
    const start = previous >= first && previous < last ? previous + 1 : first;
    const size = last - first + 1;
    for (let i = 0; i < size; i++) {
      const addr = intToIp(first + ((start - first + i) % size));
      try {
        const fh = await open(join(this.leaseDir, addr), 'wx');
        await fh.writeFile(sandboxId);
        await fh.close();
        await writeFile(lastReservedFile, addr);
        return addr;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    throw new RuntimeError('CreatePodSandboxError', `no free address left in pod CIDR ${cidr}`);
  }

  private async release(sandboxId: string): Promise<void> {
    let files: string[] = [];
    try {
      files = await readdir(this.leaseDir);
    } catch {
      return;
    }
    for (const f of files) {
      if (f === LAST_RESERVED) continue;
      const owner = await readFile(join(this.leaseDir, f), 'utf8').catch(() => '');
      if (owner === sandboxId) await rm(join(this.leaseDir, f), { force: true });
    }
  }

  /** Creates the sandbox's namespace, veth and address. */
  async setUp(sandboxId: string): Promise<PodNetwork> {
    const cidr = this.opts.podCIDR();
    if (!cidr) throw new RuntimeError('CreatePodSandboxError', 'network is not ready: the node has no podCIDR yet (set --pod-cidr or let the controller manager allocate one)');
    await this.ensureBridge(cidr);
    const { gateway, prefix } = parseCIDR(cidr);
    const ns = this.netnsName(sandboxId);
    const hostIf = `v${this.tag.slice(0, 4)}${sandboxId.slice(0, 10)}`;
    const addr = await this.lease(cidr, sandboxId);
    try {
      await succeeds('ip', ['neigh', 'flush', 'to', addr, 'dev', this.bridge]);
      await ip('netns', 'add', ns);
      await ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      await ip('link', 'set', hostIf, 'master', this.bridge, 'up');
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
      await ip('-n', ns, 'addr', 'add', `${addr}/${prefix}`, 'dev', 'eth0');
      await ip('-n', ns, 'link', 'set', 'eth0', 'up');
      await ip('-n', ns, 'route', 'add', 'default', 'via', gateway);
    } catch (err) {
      await this.tearDown(sandboxId);
      throw new RuntimeError('CreatePodSandboxError', `setting up the pod network failed: ${(err as Error).message}`, { cause: err });
    }
    return { netnsPath: `/var/run/netns/${ns}`, ip: addr };
  }

  /** Removes the sandbox's namespace (and with it its veth) and frees its address. */
  async tearDown(sandboxId: string): Promise<void> {
    const ns = this.netnsName(sandboxId);
    if (await succeeds('ip', ['netns', 'pids', ns])) await succeeds('ip', ['netns', 'del', ns]);
    await this.release(sandboxId);
  }

  /** Removes every namespace of this kubelet, the bridge and its rules, and all leases. */
  async close(): Promise<void> {
    const list = await ip('netns', 'list').catch(() => '');
    for (const line of list.split('\n')) {
      const name = line.split(' ')[0];
      if (name.startsWith(`mk8s-${this.tag}-`)) await succeeds('ip', ['netns', 'del', name]);
    }
    if (await succeeds('ip', ['link', 'show', this.bridge])) await succeeds('ip', ['link', 'del', this.bridge]);
    await this.forwardRules('-D').catch(() => {});
    await rm(this.leaseDir, { recursive: true, force: true });
    this.bridgeCIDR = undefined;
  }
}
