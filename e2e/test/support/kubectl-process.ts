// kubectl running in the background: `get -w`, `delete` waiting for a graceful deletion,
// `rollout status`. The test reads its output as it comes and ends it when done.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { KubectlResult } from '@minik8s/shared/testing';

export interface KubectlProcess {
  /** Everything written to stdout so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** True until the process has exited. */
  readonly running: boolean;
  /** Resolves when the process exits (by itself or through kill()). */
  readonly exited: Promise<KubectlResult>;
  /**
   * Resolves with stdout once `pred(stdout)` holds. Rejects at the deadline (default 20 s),
   * or as soon as the process has exited without the output matching, with what it wrote.
   */
  waitForOutput(pred: (stdout: string) => boolean, opts?: { timeoutMs?: number; message?: string }): Promise<string>;
  /** SIGTERM (SIGKILL after 5 s) and waits for the exit. Safe to call after it exited. */
  kill(): Promise<void>;
}

/** Spawns `kubectl --kubeconfig=<kubeconfig> --cache-dir=<kubeconfig>-cache ...args` ($KUBECTL or /usr/bin/kubectl). */
export function spawnKubectl(kubeconfig: string, args: string[]): KubectlProcess {
  const bin = process.env.KUBECTL ?? '/usr/bin/kubectl';
  const child = spawn(bin, [`--kubeconfig=${kubeconfig}`, `--cache-dir=${kubeconfig}-cache`, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBECONFIG: kubeconfig },
  });
  let stdout = '';
  let stderr = '';
  let running = true;
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<KubectlResult>((resolve) => {
    child.on('error', (err) => {
      running = false;
      stderr += `\n[could not run ${bin}: ${err.message}]`;
      resolve({ code: 127, stdout, stderr });
    });
    child.on('close', (code, signal) => {
      running = false;
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
  const describe = (): string => `kubectl ${args.join(' ')}${running ? '' : ' (exited)'}\nstdout:\n${stdout}\nstderr:\n${stderr}`;

  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    get running() {
      return running;
    },
    exited,
    async waitForOutput(pred, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? 20_000;
      const message = opts.message ?? 'kubectl output never matched';
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (pred(stdout)) return stdout;
        // 'close' comes after the last output was read: nothing more can match.
        if (!running) throw new Error(`${message}: kubectl exited first\n${describe()}`);
        if (Date.now() >= deadline) throw new Error(`${message} (waited ${timeoutMs} ms)\n${describe()}`);
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 25)), exited]);
      }
    },
    async kill() {
      if (!running) return;
      const closed = once(child, 'close');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      try {
        await closed;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
