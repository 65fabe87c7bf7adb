// One etcd + one real apiserver process + a kubeconfig, for one e2e test file.
//
// Each test file starts its own (they take a few seconds) so files run in parallel without
// sharing state; tests inside a file share the server and use their own namespaces.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  kubectl,
  startApiserver,
  startEtcd,
  writeKubeconfig,
  type ApiserverHandle,
  type EtcdHandle,
  type KubectlResult,
} from '@minik8s/shared/testing';
import { spawnKubectl, type KubectlProcess } from './kubectl-process.ts';

export type { KubectlResult } from '@minik8s/shared/testing';
export type { KubectlProcess } from './kubectl-process.ts';

/** What kubectl reads on stdin: a string as is, one object as JSON, an array as a stream of JSON objects. */
export type KubectlInput = string | object | object[];

export interface KubectlRunOptions {
  input?: KubectlInput;
  timeoutMs?: number;
}

export interface ApiResponse {
  status: number;
  /** The body parsed as JSON, undefined when it is not JSON. */
  body: any;
  text: string;
  headers: Headers;
}

export interface KubeEnv {
  /** The apiserver's base URL, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** Path of the kubeconfig (its kubectl cache dir is `<kubeconfig>-cache`, fresh per env). */
  readonly kubeconfig: string;
  /** A temporary directory this env owns (removed by stop()). */
  readonly dir: string;
  readonly etcd: EtcdHandle;
  readonly apiserver: ApiserverHandle;
  /** Runs the real kubectl against this apiserver; resolves whatever the exit code. */
  kubectl(args: string[], opts?: KubectlRunOptions): Promise<KubectlResult>;
  /** Runs kubectl, fails (with its output) unless it exits 0, and resolves with its stdout. */
  ok(args: string[], opts?: KubectlRunOptions): Promise<string>;
  /**
   * Creates namespaces with `kubectl create -f -` (JSON manifests). Not `kubectl create
   * namespace`: that generator sends a protobuf body, which is a test of its own.
   */
  createNamespaces(...names: string[]): Promise<void>;
  /** Starts kubectl in the background (watches, waits); stop() kills what is still running. */
  spawn(args: string[]): KubectlProcess;
  /** One HTTP request, as a controller or kubelet would send it (JSON body unless a string). */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  /**
   * Writes an object's status as its controller (or kubelet) would: GET `path`, set the given
   * top-level `.status` fields over the current ones (server-set fields such as a pod's qosClass
   * stay), PUT `path/status` with the read resourceVersion. Throws unless the PUT answers 200;
   * resolves with the updated object.
   */
  writeStatus(path: string, status: Record<string, unknown>): Promise<any>;
  /** Stops the apiserver and etcd and removes the temporary directory. */
  stop(): Promise<void>;
}

export interface KubeEnvOptions {
  /** More apiserver flags, e.g. ['--watch-cache-size=20']. */
  apiserverArgs?: string[];
}

export async function startKubeEnv(opts: KubeEnvOptions = {}): Promise<KubeEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'minik8s-e2e-'));
  const etcd = await startEtcd();
  let apiserver: ApiserverHandle;
  try {
    // --v=3 logs one line per request: the tail ends up in failure messages.
    apiserver = await startApiserver({ etcdServers: etcd.endpoints, args: ['--v=3', ...(opts.apiserverArgs ?? [])] });
  } catch (err) {
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const kubeconfig = await writeKubeconfig(apiserver.url, dir);
  const background = new Set<KubectlProcess>();

  const run = (args: string[], o: KubectlRunOptions = {}): Promise<KubectlResult> =>
    kubectl(args, { kubeconfig, input: o.input === undefined ? undefined : toInput(o.input), timeoutMs: o.timeoutMs });

  const env: KubeEnv = {
    url: apiserver.url,
    kubeconfig,
    dir,
    etcd,
    apiserver,
    kubectl: run,
    async ok(args, o) {
      const r = await run(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
      return r.stdout;
    },
    async createNamespaces(...names) {
      await env.ok(['create', '-f', '-'], { input: names.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })) });
    },
    spawn(args) {
      const p = spawnKubectl(kubeconfig, args);
      background.add(p);
      void p.exited.then(() => background.delete(p));
      return p;
    },
    async request(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { accept: 'application/json', ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
      const res = await fetch(`${apiserver.url}${path}`, init);
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async writeStatus(path, status) {
      const got = await env.request('GET', path);
      if (got.status !== 200) throw new Error(`GET ${path}: ${got.status} ${got.text}`);
      const put = await env.request('PUT', `${path}/status`, { ...got.body, status: { ...got.body.status, ...status } });
      if (put.status !== 200) throw new Error(`PUT ${path}/status: ${put.status} ${put.text}`);
      return put.body;
    },
    async stop() {
      await Promise.all([...background].map((p) => p.kill()));
      if (process.env.E2E_APISERVER_LOGS) process.stderr.write(`--- apiserver logs (${apiserver.url})\n${apiserver.logs()}\n`);
      await apiserver.stop();
      await etcd.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return env;
}

function toInput(input: KubectlInput): string {
  if (typeof input === 'string') return input;
  // A stream of JSON objects (kubectl decodes input that starts with `{` as JSON, object after
  // object): no YAML 1.1 surprises such as `yes` read as a bool.
  if (Array.isArray(input)) return input.map((doc) => JSON.stringify(doc)).join('\n');
  return JSON.stringify(input);
}
