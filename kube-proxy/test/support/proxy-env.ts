// Real processes for kube-proxy tests and the proxy benchmark: etcd, a kube-apiserver, a
// kube-proxy (`node kube-proxy/src/main.ts`), and small HTTP servers standing in for pods.
//
// Pods' addresses: EndpointSlice validation refuses loopback addresses (as upstream), so the
// stand-in pods listen on this host's first non-loopback IPv4 address; clients still reach the
// node ports on 127.0.0.1. Nothing leaves the host.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { RestClient, type KubeObject } from '@minik8s/shared';
import { REPO_ROOT, freePort, waitFor } from '@minik8s/shared/testing';

/** This host's first non-loopback IPv4 address, or undefined when it has none. */
export function podAddress(): string | undefined {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.')) return a.address;
  }
  return undefined;
}

export interface Backend {
  name: string;
  host: string;
  port: number;
  /** Requests answered so far. */
  served(): number;
  /** The addresses its clients came from (after iptables' DNAT and masquerade: the node's). */
  peers(): Set<string>;
  close(): Promise<void>;
}

/** An HTTP server answering every request with its name (a pod of a Deployment). */
export async function startBackend(name: string, host: string): Promise<Backend> {
  let served = 0;
  const peers = new Set<string>();
  const server: Server = createHttpServer((req, res) => {
    served++;
    peers.add(req.socket.remoteAddress ?? '');
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(name) });
    res.end(name);
  });
  server.keepAliveTimeout = 60_000;
  server.listen({ host, port: 0 });
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    name,
    host,
    port,
    served: () => served,
    peers: () => peers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port of the default node port range that nothing on 127.0.0.1 listens on right now. */
export async function freeNodePort(taken: ReadonlySet<number> = new Set(), range: { base: number; size: number } = { base: 30000, size: 2768 }): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = range.base + Math.floor(Math.random() * range.size);
    if (taken.has(port)) continue;
    const ok = await new Promise<boolean>((resolve) => {
      const s = createTcpServer();
      s.once('error', () => resolve(false));
      s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${range.base}-${range.base + range.size - 1}`);
}

export interface KubeProxyProcess {
  healthzPort: number;
  metricsPort: number;
  process: ChildProcess;
  /** The kube-proxy's output so far (the last 256 KiB). */
  logs(): string;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts `node kube-proxy/src/main.ts --master=<apiserver> --hostname-override=node-1
 * --proxy-mode=userspace --bind-address=127.0.0.1 ...` and resolves once its /healthz says it
 * programmed the state (200).
 */
export async function startKubeProxy(master: string, extraArgs: string[] = []): Promise<KubeProxyProcess> {
  const healthzPort = await freePort();
  const metricsPort = await freePort();
  const args = [
    'kube-proxy/src/main.ts',
    `--master=${master}`,
    '--hostname-override=node-1',
    '--proxy-mode=userspace',
    '--bind-address=127.0.0.1',
    '--healthz-bind-address=127.0.0.1',
    `--healthz-port=${healthzPort}`,
    `--metrics-port=${metricsPort}`,
    '--min-sync-period=0',
    '--sync-period=10s',
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-256 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    process.off('exit', killOnExit);
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await once(child, 'exit').catch(() => undefined);
    clearTimeout(timer);
  };
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`kube-proxy exited:\n${out}`);
        return (await fetch(`http://127.0.0.1:${healthzPort}/healthz`)).status === 200;
      },
      { timeoutMs: 30_000, message: 'kube-proxy never became healthy' },
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- kube-proxy output ---\n${out}`);
  }
  return {
    healthzPort,
    metricsPort,
    process: child,
    logs: () => out,
    metrics: async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
    stop,
  };
}

export function apiClient(url: string): RestClient {
  return new RestClient({ config: { server: url }, component: 'kube-proxy-test', qps: 0 });
}

/** A NodePort Service `name` selecting app=name, port 80 -> targetPort `http` on `nodePort`. */
export function nodePortService(name: string, nodePort: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { type: 'NodePort', selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort, protocol: 'TCP' }], ...extra },
  };
}

/**
 * An EndpointSlice as the EndpointSlice controller writes it for one pod: labelled with its
 * Service, the pod's address, readiness and node, and the named port's number.
 */
export function endpointSlice(service: string, name: string, backend: { host: string; port: number }, ready = true): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [backend.host], conditions: { ready, serving: ready, terminating: false }, nodeName: 'node-1' }],
    ports: [{ name: 'http', port: backend.port, protocol: 'TCP' }],
  };
}

export { getOnce, tally } from '@minik8s/shared/testing';
