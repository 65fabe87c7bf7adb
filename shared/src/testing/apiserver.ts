// A real kube-apiserver process (`node apiserver/src/main.ts`) for tests and benchmarks.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
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
  /**
   * Serve HTTPS too, as kube-apiserver does on --secure-port: a free port on 127.0.0.1
   * (--bind-address=127.0.0.1), the self-signed pair in --cert-dir=`certDir`. Without it the
   * secure port is off (--secure-port=-1), so apiservers started side by side never compete
   * for 6443 or a cert dir.
   */
  secure?: boolean;
  /** With `secure`: the --cert-dir. Default a new temporary directory, removed by stop(). */
  certDir?: string;
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
  /** With `secure`: e.g. https://127.0.0.1:41235 (no trailing slash). Stable across restart(). */
  readonly secureUrl?: string;
  readonly securePort?: number;
  /** With `secure`: the --cert-dir (apiserver.crt and apiserver.key are generated there). */
  readonly certDir?: string;
  /**
   * With `secure`: the CA of the generated serving certificate (PEM), read from
   * <certDir>/apiserver.crt after each (re)start; undefined when none was generated (a
   * --tls-cert-file in `args`).
   */
  readonly caPem?: string;
}

/**
 * Spawns `node apiserver/src/main.ts --etcd-servers=... --insecure-bind-address=127.0.0.1
 * --insecure-port=<free port> --secure-port=-1 ...args` (with `secure`: --secure-port=<free
 * port> --bind-address=127.0.0.1 --cert-dir=<certDir>) from the repository root with this
 * process's node executable, and resolves once GET /readyz answers 200 (and, with `secure`,
 * the secure port completes a TLS handshake). Rejects with the process's output when it exits
 * early or is not ready in time (the process is killed then). A test process that exits
 * without stop() kills the apiserver on the way out.
 */
export async function startApiserver(opts: ApiserverOptions): Promise<ApiserverHandle> {
  const ownCertDir = opts.secure && !opts.certDir ? await mkdtemp(join(tmpdir(), 'minik8s-apiserver-certs-')) : undefined;
  const certDir = opts.secure ? (opts.certDir ?? ownCertDir) : undefined;
  // A free port can be taken by another process before the apiserver binds it: the first start
  // then tries other ones (restart() keeps the ports it has).
  let port = await freePort();
  let securePort = opts.secure ? await freePort() : undefined;
  let url = `http://127.0.0.1:${port}`;
  const argvFor = (p: number, sp: number | undefined) => [
    'apiserver/src/main.ts',
    `--etcd-servers=${opts.etcdServers.join(',')}`,
    '--insecure-bind-address=127.0.0.1',
    `--insecure-port=${p}`,
    ...(sp === undefined ? ['--secure-port=-1'] : [`--secure-port=${sp}`, '--bind-address=127.0.0.1', `--cert-dir=${certDir}`]),
    ...(opts.args ?? []),
  ];
  let argv = argvFor(port, securePort);
  let caPem: string | undefined;
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
          return res.status === 200 && (securePort === undefined || (await tlsHandshakes(securePort)));
        },
        { timeoutMs: opts.readyTimeoutMs ?? 30_000, intervalMs: 100, message: `apiserver at ${url} never answered 200 on /readyz` },
      );
      if (exited) throw new Error(`apiserver ${exited} before it was ready`);
      caPem = certDir ? await readGeneratedCA(certDir) : undefined;
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
        securePort = opts.secure ? await freePort() : undefined;
        url = `http://127.0.0.1:${port}`;
        argv = argvFor(port, securePort);
        continue;
      }
      unregister();
      if (ownCertDir) await rm(ownCertDir, { recursive: true, force: true });
      throw err;
    }
  }
  let stopped = false;
  return {
    url,
    port,
    ...(securePort !== undefined ? { secureUrl: `https://127.0.0.1:${securePort}`, securePort, certDir } : {}),
    get caPem() {
      return caPem;
    },
    get process() {
      return child as ChildProcess;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child) await exitOf(child, 'SIGTERM', 10_000);
      unregister();
      if (ownCertDir) await rm(ownCertDir, { recursive: true, force: true });
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

/** True once a TLS handshake with 127.0.0.1:port completes (any certificate: this only asks whether HTTPS is served). */
function tlsHandshakes(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, timeout: 2_000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** The last certificate of <certDir>/apiserver.crt (the generated CA), or undefined when there is none. */
async function readGeneratedCA(certDir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(certDir, 'apiserver.crt'), 'utf8');
  } catch {
    return undefined;
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g);
  return blocks ? blocks[blocks.length - 1] : undefined;
}
