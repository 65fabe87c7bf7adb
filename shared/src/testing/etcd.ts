// A real etcd for tests: an external cluster, a container, or a local binary, in that order.

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DockerUnavailableError, startEtcdContainer } from './etcd-container.ts';
import { startEtcdProcess } from './etcd-process.ts';

/** A running etcd (one member) that a test owns. */
export interface EtcdHandle {
  /** Client URLs, e.g. ['http://127.0.0.1:32769']. Stable across kill() and restart(). */
  endpoints: string[];
  /** Stops etcd for good and deletes its data. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops etcd abruptly (SIGKILL); its data stays for restart(). */
  kill(): Promise<void>;
  /** Starts etcd again on the same endpoints with the same data; resolves once it is healthy. */
  restart(): Promise<void>;
}

/**
 * Starts an etcd for one test (file). Chosen in this order:
 *  1. `ETCD_ENDPOINTS` (comma-separated URLs): an etcd someone else runs; stop() leaves it alone,
 *     kill() and restart() throw. Tests sharing it share its keys.
 *  2. A container through testcontainers when a Docker engine answers (image `ETCD_IMAGE`,
 *     default quay.io/coreos/etcd:v3.5.17).
 *  3. An `etcd` binary (`ETCD_BIN`, else `etcd` on PATH) as a child process.
 * Resolves once etcd answers /health; rejects with what to install when none of these works.
 */
export async function startEtcd(): Promise<EtcdHandle> {
  const external = process.env.ETCD_ENDPOINTS?.trim();
  if (external) return externalEtcd(external);

  let containerError: unknown;
  try {
    return await startEtcdContainer();
  } catch (err) {
    containerError = err;
  }
  const bin = findEtcdBinary();
  if (bin) {
    // No Docker is an expected setup; Docker that fails to run etcd deserves a word.
    if (!(containerError instanceof DockerUnavailableError)) warnOnce(`startEtcd: the etcd container failed (${errorMessage(containerError)}); using ${bin} instead`);
    return startEtcdProcess({ bin });
  }
  throw new Error(
    'startEtcd: no etcd to test against. Either run a Docker engine (the image is ETCD_IMAGE, default ' +
      'quay.io/coreos/etcd:v3.5.17; deploy/images/etcd/build.sh builds one offline), or install the etcd ' +
      'binary (apt-get install etcd-server, or point ETCD_BIN at it), or set ETCD_ENDPOINTS to a running etcd. ' +
      `Docker: ${errorMessage(containerError)}`,
    { cause: containerError },
  );
}

function externalEtcd(list: string): EtcdHandle {
  const endpoints = list.split(',').map((s) => s.trim()).filter(Boolean);
  const refuse = async (): Promise<void> => {
    throw new Error(`etcd at ETCD_ENDPOINTS=${list} is not ours: kill() and restart() need an etcd this process starts (unset ETCD_ENDPOINTS to use Docker or an etcd binary)`);
  };
  return { endpoints, stop: async () => {}, kill: refuse, restart: refuse };
}

/** ETCD_BIN, else the first executable `etcd` on PATH, else undefined. */
export function findEtcdBinary(): string | undefined {
  const candidates = process.env.ETCD_BIN ? [process.env.ETCD_BIN] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'etcd'));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

let warned = false;
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`${message}\n`);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
