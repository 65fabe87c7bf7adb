// pods/<name>/log and pods/<name>/exec go to the kubelet of the pod's node, as upstream's
// apiserver does: it finds the node's InternalIP and kubelet port and forwards the request
// (logs as a streamed GET, exec as a WebSocket upgrade whose bytes are piped both ways).

import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { StatusError, badRequest, type KubeObject } from '@minik8s/shared';
import type { Registry } from '../registry/registry.ts';
import type { RequestScope } from './scope.ts';

interface KubeletTarget {
  host: string;
  port: number;
  container: string;
}

const LOG_PARAMS = ['follow', 'tailLines', 'timestamps', 'previous', 'sinceSeconds', 'sinceTime', 'limitBytes', 'insecureSkipTLSVerifyBackend'];

/** Where the pod's kubelet listens, and which container is meant. */
export async function kubeletTarget(registry: Registry, namespace: string, podName: string, container: string | undefined): Promise<KubeletTarget> {
  const pods = registry.store({ group: '', resource: 'pods' })!;
  const pod = await pods.get(namespace, podName);
  const containers: string[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c: { name: string }) => c.name);
  let name = container;
  if (!name) {
    const app = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
    if (app.length !== 1) {
      throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${app.join(' ')}]`);
    }
    name = app[0];
  } else if (!containers.includes(name)) {
    throw badRequest(`container ${name} is not valid for pod ${podName}`);
  }
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${podName} does not have a host assigned`);
  const node: KubeObject = await registry.store({ group: '', resource: 'nodes' })!.get(undefined, nodeName);
  const addresses: Array<{ type: string; address: string }> = node.status?.addresses ?? [];
  const host = (addresses.find((a) => a.type === 'InternalIP') ?? addresses.find((a) => a.type === 'Hostname'))?.address;
  if (!host) throw StatusError.from(500, 'InternalError', `Internal error occurred: node ${nodeName} has no address`);
  const port: number = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250;
  return { host, port, container: name! };
}

export async function podLogHandler(scope: RequestScope): Promise<void> {
  const q = scope.query;
  const container = typeof q.container === 'string' ? q.container : undefined;
  const target = await kubeletTarget(scope.registry, scope.path.namespace!, scope.path.name!, container);
  const params = new URLSearchParams();
  for (const p of LOG_PARAMS) {
    const v = q[p];
    if (typeof v === 'string') params.set(p, v);
  }
  const path = `/containerLogs/${encodeURIComponent(scope.path.namespace!)}/${encodeURIComponent(scope.path.name!)}/${encodeURIComponent(target.container)}?${params}`;
  await new Promise<void>((resolve, reject) => {
    const upstream = http.get({ host: target.host, port: target.port, path, headers: { accept: '*/*' } }, (res) => {
      if ((res.statusCode ?? 500) >= 400) {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let status: StatusError;
          try {
            const parsed = JSON.parse(text);
            status = parsed?.kind === 'Status' ? new StatusError(parsed) : StatusError.from(res.statusCode!, 'BadRequest', text.trim());
          } catch {
            status = StatusError.from(res.statusCode!, res.statusCode === 404 ? 'NotFound' : 'BadRequest', text.trim() || `kubelet answered ${res.statusCode}`);
          }
          reject(status);
        });
        return;
      }
      scope.reply.hijack();
      const out = scope.reply.raw;
      out.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      out.flushHeaders();
      res.pipe(out);
      const done = () => resolve();
      res.on('end', done);
      out.on('close', () => {
        res.destroy();
        done();
      });
    });
    upstream.on('error', (e) => reject(StatusError.from(500, 'InternalError', `Internal error occurred: Get "http://${target.host}:${target.port}${path}": ${e.message}`)));
    scope.reply.raw.on('close', () => upstream.destroy());
  });
}

/** Upgraded connections being proxied: not tracked by the HTTP server, so closed here on shutdown. */
const upgraded = new Set<Duplex>();

export function closeUpgradedConnections(): void {
  for (const s of upgraded) s.destroy();
  upgraded.clear();
}

const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)(\?.*)?$/;

/**
 * Handles HTTP upgrades (WebSocket exec/attach): everything else is refused. The upgrade
 * request is replayed to the kubelet as is (with its path rewritten), and from its answer on
 * the two sockets are joined.
 */
export function handleUpgrade(registry: Registry, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  const m = EXEC_PATH.exec(req.url ?? '');
  const fail = (code: number, status: StatusError) => {
    const body = JSON.stringify(status.status);
    socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  };
  if (!m) {
    fail(404, StatusError.from(404, 'NotFound', 'the server could not find the requested resource'));
    return;
  }
  const [, ns, pod, verb, rawQuery] = m;
  upgraded.add(socket);
  socket.on('close', () => upgraded.delete(socket));
  const query = new URLSearchParams(rawQuery?.slice(1) ?? '');
  void (async () => {
    try {
      const target = await kubeletTarget(registry, decodeURIComponent(ns), decodeURIComponent(pod), query.get('container') ?? undefined);
      query.delete('container');
      const path = `/${verb}/${ns}/${pod}/${encodeURIComponent(target.container)}?${query}`;
      const upstream = net.connect(target.port, target.host, () => {
        const lines = [`${req.method} ${path} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const k = req.rawHeaders[i];
          if (k.toLowerCase() === 'host') lines.push(`Host: ${target.host}:${target.port}`);
          else lines.push(`${k}: ${req.rawHeaders[i + 1]}`);
        }
        upstream.write(lines.join('\r\n') + '\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', (e) => {
        if (!socket.writableEnded) fail(500, StatusError.from(500, 'InternalError', `Internal error occurred: error dialing backend: ${e.message}`));
      });
      upgraded.add(upstream);
      // A WebSocket has no use for half-closed connections: when one side goes, both go.
      socket.on('error', () => upstream.destroy());
      socket.on('end', () => upstream.destroy());
      socket.on('close', () => upstream.destroy());
      upstream.on('end', () => socket.end());
      upstream.on('close', () => {
        upgraded.delete(upstream);
        socket.destroy();
      });
    } catch (e) {
      const status = e instanceof StatusError ? e : StatusError.from(500, 'InternalError', String(e));
      fail(status.code, status);
    }
  })();
}
