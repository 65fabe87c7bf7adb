// The iptables binaries, as upstream's pkg/util/iptables wraps them: iptables-save per table,
// iptables-restore --noflush (our chains are replaced whole, everyone else's left alone; one
// transaction per table), single `iptables -w` commands for the jumps from the built-in chains,
// and the sysctl the iptables mode needs. Only the iptables proxier and --cleanup use this.

import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';

export type IptablesTable = 'filter' | 'nat';

/** `iptables-save -t <table>`: the table's rules in iptables-restore format. */
export function iptablesSave(table: IptablesTable): Promise<string> {
  return run('iptables-save', ['-t', table]);
}

/**
 * `iptables-restore -w --noflush --counters` fed `input` (one or more `*table ... COMMIT`
 * blocks). Chains declared in the input are flushed and refilled; other chains are untouched.
 */
export async function iptablesRestore(input: string): Promise<void> {
  try {
    await run('iptables-restore', ['-w', '--noflush', '--counters'], input);
  } catch (err) {
    // Point at the line iptables-restore refused, as upstream logs it.
    const line = Number(/line:? (\d+)/.exec((err as Error).message)?.[1]);
    const text = line > 0 ? input.split('\n')[line - 1] : undefined;
    throw text === undefined ? err : new Error(`${(err as Error).message} (line ${line}: ${text})`, { cause: err });
  }
}

/** One `iptables -w <args>` command; rejects with its stderr when it exits non-zero. */
export function iptables(args: string[]): Promise<string> {
  return run('iptables', ['-w', ...args]);
}

/** The chain names a saved table declares (`:NAME POLICY [p:b]` lines). */
export function chainsOf(saved: string): string[] {
  return saved
    .split('\n')
    .filter((l) => l.startsWith(':'))
    .map((l) => l.slice(1).split(' ')[0]!);
}

/** Whether iptables-restore can be run here (installed, IPv4). Says nothing about permissions. */
export function iptablesPresent(): Promise<boolean> {
  return run('iptables-restore', ['--version']).then(
    () => true,
    () => false,
  );
}

const sysctlPath = (name: string) => `/proc/sys/${name}`;

/** Reads a numeric sysctl such as `net/ipv4/conf/all/route_localnet`. */
export async function getSysctl(name: string): Promise<number> {
  return Number((await readFile(sysctlPath(name), 'utf8')).trim());
}

/** upstream's EnsureSysctl: writes `value` unless the sysctl already has it; returns whether it wrote. */
export async function ensureSysctl(name: string, value: number): Promise<boolean> {
  if ((await getSysctl(name)) === value) return false;
  await writeFile(sysctlPath(name), `${value}\n`);
  return true;
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  if (input === undefined) {
    return new Promise((resolve, reject) => {
      execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${cmd} ${args.join(' ')}: ${(stderr || err.message).trim()}`)) : resolve(stdout),
      );
    });
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${cmd} exited ${code}: ${stderr.trim()}`))));
    child.stdin.end(input);
  });
}
