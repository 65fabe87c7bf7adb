// --advertise-address: the address this apiserver publishes in the `kubernetes` Endpoints and
// EndpointSlice, i.e. where pods reach it through the `kubernetes` Service (upstream's
// ServerRunOptions.DefaultAdvertiseAddress and SecureServingOptions.ResolveExternalAddress).

import { isIP, isIPv4 } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/**
 * The default when --advertise-address is not given: --bind-address itself unless it is
 * unspecified (0.0.0.0, ::) or loopback, else the host's first non-loopback, non-link-local
 * IPv4 address (upstream asks the default route's interface; without routes to read, the
 * first such interface address stands in for it). undefined when there is none: the host
 * has only loopback.
 */
export function defaultAdvertiseAddress(
  bindAddress: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string | undefined {
  if (isIP(bindAddress) !== 0 && !isUnspecified(bindAddress) && !isLoopback(bindAddress)) return bindAddress;
  for (const addresses of Object.values(interfaces)) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal && !isLoopback(a.address) && !isLinkLocal(a.address)) return a.address;
    }
  }
  return undefined;
}

/**
 * Why `ip` cannot be the address of the `kubernetes` Endpoints (their validation refuses
 * unspecified, loopback and link-local addresses; this cluster is single-stack IPv4), or
 * undefined when it can.
 */
export function unusableAdvertiseAddress(ip: string): string | undefined {
  if (isIP(ip) === 0) return 'it is not an IP address';
  if (!isIPv4(ip)) return 'it is not an IPv4 address and this cluster is single-stack IPv4';
  if (isUnspecified(ip)) return 'it is unspecified';
  if (isLoopback(ip)) return 'it is a loopback address, which Endpoints may not hold';
  if (isLinkLocal(ip)) return 'it is a link-local address, which Endpoints may not hold';
  return undefined;
}

function isUnspecified(ip: string): boolean {
  return ip === '0.0.0.0' || /^[0:]+$/.test(ip);
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

function isLinkLocal(ip: string): boolean {
  return ip.startsWith('169.254.') || /^fe[89ab]/i.test(ip);
}
