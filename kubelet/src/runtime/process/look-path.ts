// Finds an executable as exec(3)/Go's exec.LookPath do: a name with a slash is taken as is,
// otherwise each directory of PATH is tried in order.

import { access, constants, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

async function isExecutable(path: string): Promise<boolean> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The executable's path, or undefined when there is none (relative names resolve against `cwd`). */
export async function lookPath(name: string, pathEnv: string = DEFAULT_PATH, cwd = '/'): Promise<string | undefined> {
  if (name.includes('/')) {
    const p = isAbsolute(name) ? name : resolve(cwd, name);
    return (await isExecutable(p)) ? p : undefined;
  }
  for (const dir of pathEnv.split(':')) {
    const p = join(dir || '.', name);
    if (await isExecutable(isAbsolute(p) ? p : resolve(cwd, p))) return p;
  }
  return undefined;
}
