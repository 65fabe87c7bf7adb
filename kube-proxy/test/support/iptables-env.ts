// What the iptables-mode test needs beyond proxy-env.ts: whether it may touch this host's
// firewall at all, snapshots of the filter and nat tables to prove it leaves them as it found
// them, `kube-proxy --cleanup` as a real process, and the route_localnet sysctl.

import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { REPO_ROOT } from '@minik8s/shared/testing';
import { chainsOf, getSysctl, iptablesPresent, iptablesSave, SYSCTL_ROUTE_LOCALNET } from '../../src/index.ts';

/**
 * Why the iptables test cannot run here, or undefined when it can: it needs root on Linux,
 * iptables-restore, and a host without kube-proxy chains already (its --cleanup would remove
 * them along with its own).
 */
export async function iptablesSkipReason(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'iptables mode needs Linux';
  if (process.getuid?.() !== 0) return 'iptables mode needs root (it programs the host firewall)';
  if (!(await iptablesPresent())) return 'iptables-restore is not installed';
  const existing = [...chainsOf(await iptablesSave('filter')), ...chainsOf(await iptablesSave('nat'))].filter((c) => c.startsWith('KUBE-'));
  if (existing.length) return `this host already has KUBE-* chains (${existing.slice(0, 3).join(', ')}...): the test's --cleanup would remove them`;
  return undefined;
}

/** `iptables-save` of filter and nat, without the comment lines and counters that change by themselves. */
export async function firewallSnapshot(): Promise<string[]> {
  const out = (await iptablesSave('filter')) + (await iptablesSave('nat'));
  return out
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]$/, '[0:0]'));
}

/** The lines of the filter and nat tables that mention a KUBE-* chain. */
export async function kubeLines(): Promise<string[]> {
  return (await firewallSnapshot()).filter((l) => l.includes('KUBE-'));
}

/**
 * Lines of `before` missing from `after`, except rules that come and go with other tests running
 * beside this one: Docker's per-container rules (in its DOCKER chains or naming a container's /32
 * address) and the FORWARD rules of our kubelets' pod bridges (`mk8s<hash>`).
 */
export function removedLines(before: readonly string[], after: readonly string[]): string[] {
  const now = new Set(after);
  const transient = (l: string) => /^-A DOCKER /.test(l) || /\/32 /.test(l) || / mk8s[0-9a-f]+ /.test(l);
  return before.filter((l) => !now.has(l) && !transient(l));
}

/** Runs `node kube-proxy/src/main.ts --cleanup`; resolves with its exit code and output. */
export function runCleanup(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['kube-proxy/src/main.ts', '--cleanup'], { cwd: REPO_ROOT }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}

/** The same, synchronously: the last line of defence in a process 'exit' hook. */
export function runCleanupSync(): void {
  execFileSync(process.execPath, ['kube-proxy/src/main.ts', '--cleanup'], { cwd: REPO_ROOT, stdio: 'ignore' });
}

export function routeLocalnet(): Promise<number> {
  return getSysctl(SYSCTL_ROUTE_LOCALNET);
}

/** Puts route_localnet back (kube-proxy sets it to 1 and, as upstream, never resets it). */
export function restoreRouteLocalnet(value: number): void {
  writeFileSync(`/proc/sys/${SYSCTL_ROUTE_LOCALNET}`, `${value}\n`);
}
