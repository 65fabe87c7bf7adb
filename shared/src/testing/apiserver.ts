// A real kube-apiserver process (`node apiserver/src/main.ts`) for tests and benchmarks.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { onProcessExit } from './exit-cleanup.ts';
import { freePort } from './free-port.ts';
import { OutputTail } from './output-tail.ts';
import { waitFor } from './wait-for.ts';

/** The repository root, found from this file (shared/src/testing/), not from the cwd. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ApiserverOptions {
  /** etcd client URLs, passed as --etcd-servers. */
  etcdServers: string[];
  /** More flags, after the ones this function sets (so a later --etcd-prefix etc. is honoured). */
  args?: string[];
  /** Extra environment, on top of this process's. */
  env?: Record<string, string>;
  /** How long to wait for GET /readyz to answer 200. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface ApiserverHandle {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). Stable across restart(). */
  readonly url: string;
  readonly port: number;
  /** The current child process (a new one after restart()). */
  readonly process: ChildProcess;
  /** SIGTERM, then waits for the process to exit (SIGKILL after 10 s). Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** Stops the process if it runs, starts a new one on the same port; resolves once ready. */
  restart(): Promise<void>;
  /** Everything the process(es) wrote to stdout and stderr so far (the last MiB). */
  logs(): string;
}

/**
 * Spawns `node apiserver/src/main.ts --etcd-servers=... --insecure-bind-address=127.0.0.1
 * --insecure-port=<free port> ...args` from the repository root with this process's node
 * executable, and resolves once GET /readyz answers 200. Rejects with the process's output when
 * it exits early or is not ready in time (the process is killed then). A test process that
 * exits without stop() kills the apiserver on the way out.
 */
export async function startApiserver(opts: ApiserverOptions): Promise<ApiserverHandle> {
  // A free port can be taken by another process before the apiserver binds it: the first start
  // then tries another one (restart() keeps the port it has).
  let port = await freePort();
  let url = `http://127.0.0.1:${port}`;
  const argvFor = (p: number) => [
    'apiserver/src/main.ts',
    `--etcd-servers=${opts.etcdServers.join(',')}`,
    '--insecure-bind-address=127.0.0.1',
    `--insecure-port=${p}`,
    ...(opts.args ?? []),
  ];
  let argv = argvFor(port);
  const output = new OutputTail();
  let child: ChildProcess | undefined;
  const unregister = onProcessExit(() => child?.kill('SIGKILL'));

  const exitOf = async (c: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = once(c, 'exit');
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  const launch = async (): Promise<void> => {
    output.append(`--- ${new Date().toISOString()} starting: node ${argv.join(' ')}\n`);
    const c = spawn(process.execPath, argv, { cwd: REPO_ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout?.on('data', (d: Buffer) => output.append(d));
    c.stderr?.on('data', (d: Buffer) => output.append(d));
    let exited: string | undefined;
    c.on('error', (err) => {
      exited = `could not spawn: ${err.message}`;
    });
    c.on('exit', (code, signal) => {
      exited ??= `exited with ${signal ?? code}`;
    });
    try {
      await waitFor(
        async () => {
          if (exited) return true;
          const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
          await res.arrayBuffer();
          return res.status === 200;
        },
        { timeoutMs: opts.readyTimeoutMs ?? 30_000, intervalMs: 100, message: `apiserver at ${url} never answered 200 on /readyz` },
      );
      if (exited) throw new Error(`apiserver ${exited} before it was ready`);
    } catch (err) {
      await exitOf(c, 'SIGKILL', 0);
      throw new Error(`${err instanceof Error ? err.message : String(err)}\napiserver output:\n${output}`, { cause: err });
    }
  };

  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      if (attempt < 5 && /EADDRINUSE/.test((err as Error).message)) {
        port = await freePort();
        url = `http://127.0.0.1:${port}`;
        argv = argvFor(port);
        continue;
      }
      unregister();
      throw err;
    }
  }
  let stopped = false;
  return {
    url,
    port,
    get process() {
      return child as ChildProcess;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child) await exitOf(child, 'SIGTERM', 10_000);
      unregister();
    },
    async kill() {
      if (child) await exitOf(child, 'SIGKILL', 0);
    },
    async restart() {
      if (stopped) throw new Error('the apiserver was stopped for good: restart() needs kill() instead');
      if (child) await exitOf(child, 'SIGTERM', 10_000);
      await launch();
    },
    logs: () => output.toString(),
  };
}
