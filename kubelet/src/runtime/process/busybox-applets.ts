// A directory of busybox applet links (sh, httpd, wget, ... -> the host's busybox), which the
// process runtime puts first on the PATH of busybox-userland containers so they find the same
// tools as in the image. Made once per runtime state dir; undefined without a host busybox.

import { execFile } from 'node:child_process';
import { mkdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { lookPath } from './look-path.ts';

const run = promisify(execFile);

/** `<stateDir>/busybox-applets`, filled with a link per applet of the host's busybox. */
export async function busyboxAppletDir(stateDir: string): Promise<string | undefined> {
  const busybox = await lookPath('busybox');
  if (!busybox) return undefined;
  let applets: string[];
  try {
    applets = (await run(busybox, ['--list'])).stdout.split('\n').filter((a) => /^[\w.[\]-]+$/.test(a));
  } catch {
    return undefined;
  }
  const dir = join(stateDir, 'busybox-applets');
  if (await linksTo(join(dir, 'sh'), busybox)) return dir;
  // Built beside the final name and renamed into place, so a kubelet that stops half-way
  // never leaves a directory missing applets.
  const tmp = `${dir}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await Promise.all(applets.map((a) => symlink(busybox, join(tmp, a))));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return dir;
}

async function linksTo(link: string, target: string): Promise<boolean> {
  try {
    return (await readlink(link)) === target;
  } catch {
    return false;
  }
}
