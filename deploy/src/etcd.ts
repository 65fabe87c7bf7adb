// The local cluster's etcd: the `etcd` binary (Debian's etcd-server, or any 3.4+), one member,
// data under the launcher's data directory so the cluster's state survives a restart.

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { httpProbe, ManagedProcess } from './managed-process.ts';

export interface EtcdSpec {
  /** etcd's data directory (created by etcd, mode 0700). */
  dataDir: string;
  logFile: string;
  clientPort: number;
  peerPort: number;
  cwd: string;
}

/** ETCD_BIN, else the first executable `etcd` on PATH, else undefined. */
export function findEtcdBinary(): string | undefined {
  const candidates = process.env.ETCD_BIN ? [process.env.ETCD_BIN] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'etcd'));
  return candidates.find((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Spawns etcd listening on 127.0.0.1 only. The peer port may change between runs: a single
 * member with existing data does not need to reach any peer, so it starts anyway.
 */
export function spawnEtcd(spec: EtcdSpec): { process: ManagedProcess; clientUrl: string; probe: () => Promise<boolean> } {
  const bin = findEtcdBinary();
  if (!bin) {
    throw new Error('no etcd binary: install it (apt-get install etcd-server), point ETCD_BIN at one, or pass --etcd-endpoints of a running etcd');
  }
  const clientUrl = `http://127.0.0.1:${spec.clientPort}`;
  const peerUrl = `http://127.0.0.1:${spec.peerPort}`;
  const proc = new ManagedProcess({
    name: 'etcd',
    command: bin,
    args: [
      '--name=minik8s',
      `--data-dir=${spec.dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=minik8s=${peerUrl}`,
    ],
    cwd: spec.cwd,
    // etcd 3.4 defaults to the deprecated capnslog logger; zap is 3.5's default.
    env: { ETCD_LOGGER: 'zap' },
    logFile: spec.logFile,
  });
  return { process: proc, clientUrl, probe: httpProbe(`${clientUrl}/health`, (body) => /"health"\s*:\s*"true"/.test(body)) };
}
