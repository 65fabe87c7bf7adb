// One daemon of the local cluster: a child process in its own process group whose stdout and
// stderr go to one log file, with a health probe and a graceful stop.
//
// Its own process group (detached) so that Ctrl-C in the launcher's terminal reaches only the
// launcher, which then stops the daemons one by one in reverse start order; a terminal's
// SIGINT would otherwise hit every process of the foreground group at once.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ManagedProcessSpec {
  /** Unique in the cluster, e.g. "kube-scheduler-1"; names the log file. */
  name: string;
  /** Executable (node's path for the components, etcd's for etcd). */
  command: string;
  args: string[];
  cwd: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Appended to (created if missing). */
  logFile: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves true once healthy; false or a throw means "not yet". */
export type HealthProbe = () => Promise<boolean>;

export interface WaitHealthyOptions {
  timeoutMs: number;
  /** Called about once a second while waiting, with the time waited so far. */
  onWaiting?(elapsedMs: number): void;
}

/** A probe that GETs `url` and wants a 200 (the body is read and dropped). */
export function httpProbe(url: string, accept: (body: string) => boolean = () => true): HealthProbe {
  return async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const body = await res.text();
    return res.status === 200 && accept(body);
  };
}

export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly commandLine: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited, with how. */
  readonly exited: Promise<ExitInfo>;
  #exit: ExitInfo | undefined;
  #spawnError: Error | undefined;

  /** Spawns the process now (it runs from `spec.cwd`, output appended to `spec.logFile`). */
  constructor(spec: ManagedProcessSpec) {
    this.name = spec.name;
    this.logFile = spec.logFile;
    this.commandLine = [spec.command, ...spec.args].join(' ');
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const fd = openSync(spec.logFile, 'a');
    writeSync(fd, `--- ${new Date().toISOString()} starting: ${this.commandLine}\n`);
    try {
      // The child gets its own descriptor of the file: logs keep flowing if the launcher dies.
      this.child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.#spawnError = err;
        this.#exit ??= { code: null, signal: null };
        resolve(this.#exit);
      });
      this.child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** "exited with code 1", "ended by SIGTERM", "could not start (...)", or "running". */
  describeExit(): string {
    if (this.#spawnError) return `could not start (${this.#spawnError.message})`;
    const e = this.#exit;
    if (!e) return 'running';
    return e.signal ? `ended by ${e.signal}` : `exited with code ${e.code}`;
  }

  /**
   * Polls `probe` every 250 ms until it answers true. Rejects when the process exits first or
   * the deadline passes, with the end of the log file in the message.
   */
  async waitHealthy(probe: HealthProbe, opts: WaitHealthyOptions): Promise<void> {
    const start = Date.now();
    let lastReport = start;
    let lastError = '';
    for (;;) {
      if (!this.running) throw new Error(`${this.name} ${this.describeExit()} before it was healthy\n${this.logTail()}`);
      try {
        if (await probe()) return;
        lastError = 'not healthy yet';
      } catch (err) {
        lastError = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      }
      const now = Date.now();
      if (now - start >= opts.timeoutMs) {
        throw new Error(`${this.name} was not healthy within ${Math.round(opts.timeoutMs / 1000)} s (last: ${lastError})\n${this.logTail()}`);
      }
      if (opts.onWaiting && now - lastReport >= 1_000) {
        lastReport = now;
        opts.onWaiting(now - start);
      }
      await Promise.race([new Promise((r) => setTimeout(r, 250)), this.exited]);
    }
  }

  /**
   * SIGTERM, then SIGKILL once `graceMs` has passed; resolves when the process has exited.
   * Safe to call on a process that already exited.
   */
  async stop(graceMs = 10_000): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      this.signal('SIGTERM');
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `sig` to the process (not its group); no-op once it exited. */
  signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      this.child.kill(sig);
    } catch {
      // Already gone between the check and the kill.
    }
  }

  /** The last `bytes` of the log file, indented, for error messages. */
  logTail(bytes = 3_000): string {
    try {
      const size = statSync(this.logFile).size;
      const fd = openSync(this.logFile, 'r');
      try {
        const buf = Buffer.alloc(Math.min(bytes, size));
        readSync(fd, buf, 0, buf.length, size - buf.length);
        return `--- last lines of ${this.logFile}:\n${buf.toString('utf8').replace(/^/gm, '    ')}`;
      } finally {
        closeSync(fd);
      }
    } catch {
      return `(no log at ${this.logFile})`;
    }
  }

  /** The whole log file ('' when missing). */
  readLog(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }
}
