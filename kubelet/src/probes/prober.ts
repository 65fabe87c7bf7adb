// Runs one probe (prober.go): exec in the container, an HTTP GET or a TCP connect to the pod,
// within timeoutSeconds. The output is what the Unhealthy event shows, worded as upstream
// (`HTTP probe failed with statuscode: 500`, `dial tcp 10.0.0.5:80: connect: connection refused`).

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Container, ProbeHandler } from '../api/pod.ts';
import type { RuntimeService } from '../runtime/interface.ts';

export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

export interface ProbeOutcome {
  result: ProbeResult;
  output: string;
}

export interface ProbeTarget {
  runtime: Pick<RuntimeService, 'execSync'>;
  containerId: string;
  container: Container;
  podIP: string;
  timeoutMs: number;
  /** The kubelet's version for User-Agent (kube-probe/1.32). */
  userAgentVersion?: string;
}

/** A port by number, or by the name of one of the container's ports. */
export function resolvePort(port: number | string, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^[0-9]+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function dialError(host: string, port: number, err: NodeJS.ErrnoException): string {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  if (err.code === 'ECONNREFUSED') return `dial tcp ${addr}: connect: connection refused`;
  if (err.code === 'ETIMEDOUT' || err.message === 'timeout') return `dial tcp ${addr}: i/o timeout`;
  if (err.code === 'EHOSTUNREACH') return `dial tcp ${addr}: connect: no route to host`;
  return `dial tcp ${addr}: ${err.message}`;
}

async function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ result: 'Failure', output: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ result: 'Success', output: '' });
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ result: 'Failure', output: dialError(host, port, err) });
    });
  });
}

async function probeHttp(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(o);
    };
    const req = mod.request(url, { method: 'GET', headers, rejectUnauthorized: false, agent: false }, (res) => {
      const code = res.statusCode ?? 0;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 10 * 1024) body += d;
      });
      res.on('end', () => {
        if (code >= 200 && code < 400) finish({ result: 'Success', output: body });
        else finish({ result: 'Failure', output: `HTTP probe failed with statuscode: ${code}` });
      });
      res.on('error', () => finish({ result: 'Failure', output: `HTTP probe failed with statuscode: ${code}` }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ result: 'Failure', output: `Get "${url.href}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
      finish({ result: 'Failure', output: `Get "${url.href}": ${dialError(url.hostname.replace(/^\[|\]$/g, ''), port, err)}` });
    });
    req.end();
  });
}

export async function runProbe(handler: ProbeHandler, target: ProbeTarget): Promise<ProbeOutcome> {
  const { container, podIP, timeoutMs } = target;
  if (handler.exec) {
    const cmd = handler.exec.command ?? [];
    try {
      const r = await target.runtime.execSync(target.containerId, cmd, timeoutMs);
      const output = r.stdout + r.stderr;
      if (r.timedOut) return { result: 'Failure', output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
      return { result: r.exitCode === 0 ? 'Success' : 'Failure', output };
    } catch (err) {
      return { result: 'Unknown', output: (err as Error).message };
    }
  }
  if (handler.httpGet) {
    const g = handler.httpGet;
    const port = resolvePort(g.port, container);
    if (port === undefined) return { result: 'Failure', output: `couldn't find port: ${JSON.stringify(g.port)} in ${container.name}` };
    const host = g.host || podIP;
    const scheme = (g.scheme ?? 'HTTP').toLowerCase();
    let path = g.path ?? '/';
    if (!path.startsWith('/')) path = `/${path}`;
    const url = new URL(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`);
    const headers: Record<string, string> = { 'user-agent': `kube-probe/${target.userAgentVersion ?? '1.32'}`, accept: '*/*' };
    for (const h of g.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
    return probeHttp(url, headers, timeoutMs);
  }
  if (handler.tcpSocket) {
    const port = resolvePort(handler.tcpSocket.port, container);
    if (port === undefined) return { result: 'Failure', output: `couldn't find port: ${JSON.stringify(handler.tcpSocket.port)} in ${container.name}` };
    return probeTcp(handler.tcpSocket.host || podIP, port, timeoutMs);
  }
  if (handler.grpc) return { result: 'Unknown', output: 'gRPC probes are not supported by this kubelet' };
  return { result: 'Unknown', output: 'missing probe handler' };
}
