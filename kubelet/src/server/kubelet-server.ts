// The kubelet's own API on --port (10250), what the apiserver proxies pods/<name>/log and
// pods/<name>/exec to (server/server.go):
//
//   GET /containerLogs/<namespace>/<pod>/<container>?follow&tailLines&timestamps&previous
//       &sinceSeconds&sinceTime&limitBytes        -> text/plain, streamed while following
//   GET /exec/<namespace>/<pod>/<container>?command=..&command=..&stdin&stdout&stderr&tty
//       as a WebSocket upgrade (v5.channel.k8s.io; see exec-websocket.ts)
//   GET /pods                                     -> PodList of the pods this kubelet runs
//   GET /healthz                                  -> ok
//
// Errors are Status objects (404 pod or container not found, 400 bad parameters).

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Pod } from '../api/pod.ts';
import type { ContainerLogOptions, ContainerStatus as RuntimeContainer, RuntimeService } from '../runtime/interface.ts';
import { isRuntimeError } from '../runtime/interface.ts';
import { containerName, newestFirst } from '../status/generate-pod-status.ts';
import { ExecWebSocketServer, type ExecOptions } from './exec-websocket.ts';

export interface KubeletServerDeps {
  runtime: RuntimeService;
  /** A pod this kubelet runs, by namespace and name (static pods by their mirror name). */
  findPod(namespace: string, name: string): Pod | undefined;
  /** The status this kubelet last generated for a pod (the status manager's), if any. */
  podStatus?(uid: string): Pod['status'] | undefined;
  pods(): Pod[];
  registry?: Registry;
  logger?: Logger;
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

class HttpError extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

function boolParam(v: unknown): boolean {
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  return s === 'true' || s === '1' || s === 'True' || s === '';
}

function intParam(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const s = String(Array.isArray(v) ? v[v.length - 1] : v);
  if (!/^-?[0-9]+$/.test(s)) throw new HttpError(400, 'BadRequest', `invalid ${name}: ${JSON.stringify(s)}`);
  return Number(s);
}

/**
 * Why a container that never ran has no logs, from its waiting reason in the pod's status
 * (upstream's validateContainerLogStatus): the two image-pull reasons in words, any other as it is.
 */
function notStartedMessage(container: string, podName: string, status: Pod['status'] | undefined): string {
  const statuses = [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? [])];
  const cs = statuses.find((s) => s.name === container);
  if (!cs) return `container "${container}" in pod "${podName}" is not available`;
  const prefix = `container "${container}" in pod "${podName}" is waiting to start`;
  const reason = cs.state?.waiting?.reason;
  if (reason === undefined) return `${prefix} - no logs yet`;
  if (reason === 'ErrImagePull') return `${prefix}: image can't be pulled`;
  if (reason === 'ImagePullBackOff') return `${prefix}: trying and failing to pull image`;
  return `${prefix}: ${reason}`;
}

export class KubeletServer {
  readonly app: FastifyInstance;
  private readonly deps: KubeletServerDeps;
  private readonly exec = new ExecWebSocketServer();

  constructor(deps: KubeletServerDeps) {
    this.deps = deps;
    this.app = Fastify({ logger: false });
    this.routes();
    this.app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.onUpgrade(req, socket, head));
  }

  async listen(host: string, port: number): Promise<number> {
    await this.app.listen({ host, port });
    const addr = this.app.server.address();
    if (addr && typeof addr === 'object') return addr.port;
    throw new Error('kubelet server has no TCP address');
  }

  async close(): Promise<void> {
    this.exec.close();
    await this.app.close();
  }

  /** The pod and its runtime container (newest, or the one before with `previous`). */
  private async locate(ns: string, podName: string, container: string, previous: boolean): Promise<{ pod: Pod; c: RuntimeContainer }> {
    const pod = this.deps.findPod(ns, podName);
    if (!pod) throw new HttpError(404, 'NotFound', `pod "${podName}" in namespace "${ns}" not found`);
    const inSpec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].some((c) => c.name === container);
    if (!inSpec) throw new HttpError(404, 'NotFound', `container "${container}" not found in pod "${ns}/${podName}"`);
    const all = newestFirst((await this.deps.runtime.listContainers({ podUid: pod.metadata.uid })).filter((c) => containerName(c) === container));
    const c = previous ? all[1] : all[0];
    if (!c) {
      if (previous) throw new HttpError(400, 'BadRequest', `previous terminated container "${container}" in pod "${podName}" not found`);
      throw new HttpError(400, 'BadRequest', notStartedMessage(container, podName, (pod.metadata.uid && this.deps.podStatus?.(pod.metadata.uid)) || pod.status));
    }
    return { pod, c };
  }

  private sendError(reply: FastifyReply, err: unknown): FastifyReply {
    if (err instanceof HttpError) return reply.code(err.code).type('application/json').send(status(err.code, err.reason, err.message));
    if (isRuntimeError(err, 'NotFound')) return reply.code(404).type('application/json').send(status(404, 'NotFound', err.message));
    this.deps.logger?.error({ err }, 'kubelet server error');
    return reply.code(500).type('application/json').send(status(500, 'InternalError', (err as Error).message));
  }

  private routes(): void {
    const { app } = this;
    app.get('/healthz', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok'));
    if (this.deps.registry) {
      const registry = this.deps.registry;
      app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
    }
    app.get('/pods', async (_req, reply) =>
      reply.type('application/json').send({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: this.deps.pods() }),
    );

    app.get<{ Params: { ns: string; pod: string; container: string }; Querystring: Record<string, string | string[]> }>(
      '/containerLogs/:ns/:pod/:container',
      async (req, reply) => {
        const q = req.query;
        let opts: ContainerLogOptions;
        let located: { pod: Pod; c: RuntimeContainer };
        try {
          const sinceSeconds = intParam('sinceSeconds', q.sinceSeconds);
          const tailLines = intParam('tailLines', q.tailLines);
          const limitBytes = intParam('limitBytes', q.limitBytes);
          if (sinceSeconds !== undefined && sinceSeconds < 1) throw new HttpError(400, 'BadRequest', 'sinceSeconds must be greater than 0');
          if (limitBytes !== undefined && limitBytes < 1) throw new HttpError(400, 'BadRequest', 'limitBytes must be greater than 0');
          if (tailLines !== undefined && tailLines < 0) throw new HttpError(400, 'BadRequest', 'tailLines must be greater than or equal to 0');
          let sinceTime: number | undefined;
          if (sinceSeconds !== undefined) sinceTime = Date.now() - sinceSeconds * 1000;
          else if (q.sinceTime !== undefined) {
            sinceTime = Date.parse(String(q.sinceTime));
            if (Number.isNaN(sinceTime)) throw new HttpError(400, 'BadRequest', `invalid sinceTime: ${JSON.stringify(q.sinceTime)}`);
          }
          opts = { follow: boolParam(q.follow ?? 'false'), timestamps: boolParam(q.timestamps ?? 'false'), tailLines, limitBytes, sinceTime };
          located = await this.locate(req.params.ns, req.params.pod, req.params.container, boolParam(q.previous ?? 'false'));
        } catch (err) {
          return this.sendError(reply, err);
        }
        // Stream the body ourselves: following may last as long as the container.
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked', 'x-content-type-options': 'nosniff' });
        res.flushHeaders();
        const abort = new AbortController();
        res.on('close', () => abort.abort());
        try {
          await this.deps.runtime.readLogs(located.c.id, opts, res, abort.signal);
        } catch (err) {
          this.deps.logger?.warn({ err: (err as Error).message }, 'reading container logs failed');
        }
        res.end();
      },
    );

    const refuse = async (_req: unknown, reply: FastifyReply) =>
      reply.code(400).type('application/json').send(status(400, 'BadRequest', 'exec needs a WebSocket upgrade (Sec-WebSocket-Protocol v5.channel.k8s.io); SPDY is not supported'));
    app.get('/exec/:ns/:pod/:container', refuse);
    app.post('/exec/:ns/:pod/:container', refuse);
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const m = /^\/exec\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
    const fail = (code: number, reason: string, message: string) => {
      const body = JSON.stringify(status(code, reason, message));
      socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    if (!m) return fail(404, 'NotFound', `no WebSocket endpoint at ${url.pathname}`);
    const [ns, podName, container] = m.slice(1).map(decodeURIComponent);
    const q = url.searchParams;
    const flag = (name: string, legacy: string) => {
      const v = q.get(name) ?? q.get(legacy);
      return v !== null && (v === 'true' || v === '1' || v === '');
    };
    const opts: ExecOptions = {
      command: q.getAll('command'),
      stdin: flag('stdin', 'input'),
      stdout: flag('stdout', 'output'),
      stderr: flag('stderr', 'error'),
      tty: flag('tty', 'tty'),
    };
    if (opts.command.length === 0) return fail(400, 'BadRequest', 'you must specify at least 1 command');
    if (!opts.stdin && !opts.stdout && !opts.stderr) return fail(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
    let c: RuntimeContainer;
    try {
      c = (await this.locate(ns, podName, container, false)).c;
    } catch (err) {
      if (err instanceof HttpError) return fail(err.code, err.reason, err.message);
      return fail(500, 'InternalError', (err as Error).message);
    }
    if (c.state !== 'CONTAINER_RUNNING') return fail(400, 'BadRequest', `container ${container} is not running`);
    this.exec.handleUpgrade(req, socket, head, opts, (streams) => this.deps.runtime.exec(c.id, opts.command, streams));
  }
}
