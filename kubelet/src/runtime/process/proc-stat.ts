// Reads a process's start time from /proc/<pid>/stat (field 22, in clock ticks since boot),
// which together with the pid names one process for good: a pid reused later has another
// start time. The process runtime records both so a later kubelet kills only what it started.

import { readFile } from 'node:fs/promises';

export async function processStartTicks(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count after it.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); field 22 is rest[19].
    return rest[19];
  } catch {
    return undefined;
  }
}
