// Host ports in use on a node (upstream framework.HostPortInfo): ip -> set of "protocol/port".
// 0.0.0.0 conflicts with every address, as a wildcard bind does.

import type { ContainerPort, Pod } from '../types.ts';

export const DEFAULT_BIND_ALL_HOST_IP = '0.0.0.0';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

function sanitize(ip: string | undefined, protocol: string | undefined): { ip: string; protocol: string } {
  return { ip: ip || DEFAULT_BIND_ALL_HOST_IP, protocol: protocol || 'TCP' };
}

export class HostPortInfo {
  private readonly byIP = new Map<string, Map<string, number>>();

  add(ip: string | undefined, protocol: string | undefined, port: number): void {
    if (port <= 0) return;
    const s = sanitize(ip, protocol);
    let ports = this.byIP.get(s.ip);
    if (!ports) this.byIP.set(s.ip, (ports = new Map()));
    const key = `${s.protocol}/${port}`;
    // Counted, so two pods holding the same port (only possible when bound by hand) release it one at a time.
    ports.set(key, (ports.get(key) ?? 0) + 1);
  }

  remove(ip: string | undefined, protocol: string | undefined, port: number): void {
    if (port <= 0) return;
    const s = sanitize(ip, protocol);
    const ports = this.byIP.get(s.ip);
    if (!ports) return;
    const key = `${s.protocol}/${port}`;
    const n = (ports.get(key) ?? 0) - 1;
    if (n > 0) ports.set(key, n);
    else ports.delete(key);
    if (ports.size === 0) this.byIP.delete(s.ip);
  }

  /** True when binding (ip, protocol, port) would clash with a port already in use. */
  checkConflict(ip: string | undefined, protocol: string | undefined, port: number): boolean {
    if (port <= 0) return false;
    const s = sanitize(ip, protocol);
    const key = `${s.protocol}/${port}`;
    if (s.ip === DEFAULT_BIND_ALL_HOST_IP) {
      for (const ports of this.byIP.values()) if (ports.has(key)) return true;
      return false;
    }
    return (this.byIP.get(s.ip)?.has(key) ?? false) || (this.byIP.get(DEFAULT_BIND_ALL_HOST_IP)?.has(key) ?? false);
  }

  get size(): number {
    let n = 0;
    for (const ports of this.byIP.values()) n += ports.size;
    return n;
  }
}

/** The host ports a pod asks for: app containers and sidecars (restartable init containers). */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const take = (ports: ContainerPort[] | undefined) => {
    for (const p of ports ?? []) {
      if (p.hostPort && p.hostPort > 0) out.push({ ip: p.hostIP || DEFAULT_BIND_ALL_HOST_IP, protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  };
  for (const c of pod.spec?.containers ?? []) take(c.ports);
  for (const c of pod.spec?.initContainers ?? []) if (c.restartPolicy === 'Always') take(c.ports);
  return out;
}
