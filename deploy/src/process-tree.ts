// The processes a daemon started (pods of the process runtime, etcd's helpers...), read from
// /proc, so the launcher can check that stopping the cluster left nothing behind.
//
// Linux only: elsewhere listProcesses() returns [] and the check finds nothing.

import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Clock ticks since boot when it started: with the pid, it names one process (pids are reused). */
  startTime: number;
  /** The command line, arguments separated by spaces. */
  command: string;
}

/** Every process visible in /proc right now. */
export function listProcesses(): ProcessInfo[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcessInfo[] = [];
  for (const e of entries) {
    if (!/^[0-9]+$/.test(e)) continue;
    const info = readProcess(Number(e));
    if (info) out.push(info);
  }
  return out;
}

/** One process from /proc/<pid>, or undefined when it is gone (or a zombie). */
export function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    // fields[0] is field 3 of stat(5): ppid is field 4, starttime field 22.
    return { pid, ppid: Number(fields[1]), startTime: Number(fields[19]), command };
  } catch {
    return undefined;
  }
}

/** `roots` and all their descendants in `procs`. */
export function processTree(roots: number[], procs: ProcessInfo[] = listProcesses()): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const out: ProcessInfo[] = [];
  const todo = roots.map((pid) => byPid.get(pid)).filter((p): p is ProcessInfo => p !== undefined);
  const seen = new Set<number>();
  while (todo.length > 0) {
    const p = todo.pop() as ProcessInfo;
    if (seen.has(p.pid)) continue;
    seen.add(p.pid);
    out.push(p);
    todo.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/** Those of `procs` that still run (same pid and start time). */
export function stillRunning(procs: ProcessInfo[]): ProcessInfo[] {
  return procs.filter((p) => readProcess(p.pid)?.startTime === p.startTime);
}
