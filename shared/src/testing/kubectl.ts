// The real kubectl against a test apiserver.

import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';

/**
 * Writes `<dir>/kubeconfig` for the apiserver at `url` (cluster "minik8s", user "admin",
 * context "minik8s" in namespace default) and returns its path.
 *
 * Plain HTTP (no `caPem`): the cluster entry says `insecure-skip-tls-verify: true`:
 * @kubernetes/client-node refuses an http:// server without it (API-WIRE.md), and kubectl 1.32
 * accepts it with http:// (checked here against /usr/bin/kubectl 1.32.4; it only rejects the
 * flag together with a CA). The user has no credentials.
 *
 * HTTPS (`caPem`, the CA that signed the serving certificate): the cluster entry carries it as
 * certificate-authority-data. The user then holds a placeholder bearer token: over TLS, kubectl
 * prompts for a username when the user entry has no credentials at all (and fails with EOF
 * without a terminal), and the apiserver has no authentication yet, so it ignores the token.
 */
export async function writeKubeconfig(url: string, dir: string, opts: { caPem?: string } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'kubeconfig');
  const cluster = opts.caPem ? { server: url, 'certificate-authority-data': Buffer.from(opts.caPem).toString('base64') } : { server: url, 'insecure-skip-tls-verify': true };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'minik8s', cluster }],
    users: [{ name: 'admin', user: opts.caPem ? { token: 'minik8s-no-authentication' } : {} }],
    contexts: [{ name: 'minik8s', context: { cluster: 'minik8s', user: 'admin', namespace: 'default' } }],
    'current-context': 'minik8s',
    preferences: {},
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
  return path;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `kubectl --kubeconfig=<kubeconfig> --cache-dir=<kubeconfig>-cache ...args` (the binary is
 * $KUBECTL, default /usr/bin/kubectl) and resolves with its exit code and output, whatever the
 * code. The cache dir belongs to the kubeconfig, so discovery cached for another test server on
 * a reused port never leaks in. `input` is written to stdin (for `-f -`). Rejects when the
 * process cannot start or runs longer than `timeoutMs` (default 60 s; it is killed then).
 */
export function kubectl(args: string[], opts: { kubeconfig: string; input?: string; timeoutMs?: number }): Promise<KubectlResult> {
  const bin = process.env.KUBECTL ?? '/usr/bin/kubectl';
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const argv = [`--kubeconfig=${opts.kubeconfig}`, `--cache-dir=${opts.kubeconfig}-cache`, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, argv, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: opts.kubeconfig } });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`kubectl (${bin}) could not run: ${err.message}; set KUBECTL or install kubernetes-client`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) reject(new Error(`kubectl ${args.join(' ')} ran longer than ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      else resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {}); // kubectl may exit before reading everything
      child.stdin.end(opts.input);
    }
  });
}
