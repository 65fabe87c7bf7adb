// etcd as a child process of the test, for machines without Docker.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EtcdHandle } from './etcd.ts';
import { waitForEtcdHealth } from './etcd-health.ts';
import { onProcessExit } from './exit-cleanup.ts';
import { freePort } from './free-port.ts';
import { OutputTail } from './output-tail.ts';

/**
 * Spawns `bin` (an etcd 3.4+ binary) with a fresh data dir under the OS temp dir and free
 * client and peer ports on 127.0.0.1. kill() is SIGKILL; restart() spawns it again with the
 * same ports and data dir; stop() kills it and deletes the data dir. A test process that exits
 * without stop() kills it on the way out (the data dir stays behind in that case).
 */
export async function startEtcdProcess(opts: { bin: string }): Promise<EtcdHandle> {
  const dataDir = await mkdtemp(join(tmpdir(), 'minik8s-etcd-'));
  const clientUrl = `http://127.0.0.1:${await freePort()}`;
  const peerUrl = `http://127.0.0.1:${await freePort()}`;
  const args = [
    '--name=default',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=default=${peerUrl}`,
  ];
  const output = new OutputTail(256 * 1024);
  let child: ChildProcess | undefined;
  let exitCode: number | null | undefined;
  const unregister = onProcessExit(() => child?.kill('SIGKILL'));

  const launch = async (): Promise<void> => {
    exitCode = undefined;
    const c = spawn(opts.bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ETCD_LOGGER: 'zap' } });
    child = c;
    c.stdout?.on('data', (d: Buffer) => output.append(d));
    c.stderr?.on('data', (d: Buffer) => output.append(d));
    c.on('error', (err) => output.append(`spawn ${opts.bin}: ${err.message}\n`));
    c.on('exit', (code) => {
      if (child === c) exitCode = code;
    });
    try {
      await waitForEtcdHealth(clientUrl, {
        timeoutMs: 30_000,
        failed: () => (exitCode !== undefined ? `etcd (${opts.bin}) exited with ${exitCode} before it was healthy:\n${output}` : undefined),
      });
    } catch (err) {
      await killChild();
      throw new Error(`${err instanceof Error ? err.message : String(err)}\netcd output:\n${output}`, { cause: err });
    }
  };

  const killChild = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = once(c, 'exit');
    c.kill('SIGKILL');
    await exited;
  };

  try {
    await launch();
  } catch (err) {
    unregister();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  return {
    endpoints: [clientUrl],
    async stop() {
      if (stopped) return;
      stopped = true;
      await killChild();
      unregister();
      await rm(dataDir, { recursive: true, force: true });
    },
    kill: killChild,
    async restart() {
      if (stopped) throw new Error('etcd was stopped: restart() needs kill() instead');
      await killChild();
      await launch();
    },
  };
}
