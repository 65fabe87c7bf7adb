// The service IP range (--service-cluster-ip-range) as offsets for an AllocationBitmap, the way
// upstream's ipallocator.Range lays it out: offset 0 is the address after the network address,
// and the network and broadcast addresses are never handed out. This cluster is single-stack
// IPv4: an IPv6 range is refused at start-up.

import { isIPv4 } from 'node:net';

export class ServiceCIDR {
  /** Normalised, as upstream prints it in errors: `10.96.0.0/12`. */
  readonly cidr: string;
  /** How many addresses may be allocated (the range minus network and broadcast). */
  readonly size: number;
  /** Upstream's static band: offsets below it are left to explicit requests. */
  readonly dynamicOffset: number;
  private readonly base: number;

  private constructor(network: number, prefix: number) {
    const total = 2 ** (32 - prefix);
    this.cidr = `${formatIPv4(network)}/${prefix}`;
    this.base = network + 1;
    this.size = Math.max(0, total - 2);
    this.dynamicOffset = rangeOffset(total, 16, 256, 16);
  }

  /**
   * Parses `--service-cluster-ip-range`. Only the first of a comma-separated (dual-stack) list is
   * used; it must be IPv4 and no larger than a /12 (kube-apiserver's limit: the allocator keeps a
   * bitmap of the whole range).
   */
  static parse(flag: string): ServiceCIDR {
    const first = flag.split(',')[0]!.trim();
    const m = /^([^/]+)\/(\d{1,2})$/.exec(first);
    if (!m || !isIPv4(m[1]!)) throw new Error(`invalid --service-cluster-ip-range "${flag}": want an IPv4 CIDR such as 10.96.0.0/12`);
    const prefix = Number(m[2]);
    if (prefix > 32) throw new Error(`invalid --service-cluster-ip-range "${flag}": prefix length ${prefix} is over 32`);
    if (prefix < 12) throw new Error(`specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12`);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return new ServiceCIDR((parseIPv4(m[1]!)! & mask) >>> 0, prefix);
  }

  /** The bitmap offset of `ip`, or undefined when it is not an allocatable address of the range. */
  offsetOf(ip: string): number | undefined {
    const n = parseIPv4(ip);
    if (n === undefined) return undefined;
    const offset = n - this.base;
    return offset >= 0 && offset < this.size ? offset : undefined;
  }

  ipAt(offset: number): string {
    return formatIPv4(this.base + offset);
  }
}

/** upstream calculateRangeOffset: min(max(lo, size/step), hi), or 0 for tiny ranges. */
export function rangeOffset(size: number, lo: number, hi: number, step: number): number {
  if (size <= lo) return 0;
  return Math.min(Math.max(lo, Math.floor(size / step)), hi);
}

export function parseIPv4(ip: string): number | undefined {
  if (!isIPv4(ip)) return undefined;
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
