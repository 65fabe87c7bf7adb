// Which flags a component's main.ts accepts, read from its --help, so the launcher passes
// only flags the component knows (components grow flags while this project is built, and
// commander rejects an unknown flag).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

/** The daemons started as `node <main> [flags]` from the repository root. */
export type ComponentKind = 'kube-apiserver' | 'kube-scheduler' | 'kube-controller-manager' | 'kubelet' | 'kube-proxy';

/** Entry point of each daemon, relative to the repository root. */
export const COMPONENT_MAINS: Readonly<Record<ComponentKind, string>> = {
  'kube-apiserver': 'apiserver/src/main.ts',
  'kube-scheduler': 'scheduler/src/main.ts',
  'kube-controller-manager': 'controller-manager/src/main.ts',
  kubelet: 'kubelet/src/main.ts',
  'kube-proxy': 'kube-proxy/src/main.ts',
};

export function componentMainExists(kind: ComponentKind): boolean {
  return existsSync(join(REPO_ROOT, COMPONENT_MAINS[kind]));
}

/**
 * Runs `node <main> --help` and resolves with the long flag names it lists (without "--").
 * Rejects, with the output, when --help fails: the component does not even load.
 */
export function supportedFlags(kind: ComponentKind): Promise<Set<string>> {
  const main = COMPONENT_MAINS[kind];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [main, '--help'], { cwd: REPO_ROOT, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`node ${main} --help failed (${err.message.split('\n')[0]}):\n${stdout}${stderr}`));
        return;
      }
      resolve(new Set(Array.from(stdout.matchAll(/(?:^|[\s,])--([a-z0-9][a-z0-9-]*)/gm), (m) => m[1])));
    });
  });
}
