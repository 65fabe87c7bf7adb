// IPv4 CIDR arithmetic for the node IPAM controller (upstream's cidrset, IPv4 only).

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function parseIPv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address: "${text}"`);
  let n = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) throw new Error(`invalid IPv4 address: "${text}"`);
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses `a.b.c.d/n` (IPv4 only); the address is reduced to its network address. */
export function parseCidr(text: string): Cidr {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text.trim());
  if (!m) throw new Error(`invalid CIDR address: ${text}`);
  const prefix = Number(m[2]);
  if (prefix > 32) throw new Error(`invalid CIDR address: ${text}`);
  const ip = parseIPv4(m[1]);
  return { base: (ip & maskOf(prefix)) >>> 0, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

/**
 * The subnets of size `/maskSize` inside `cluster`, handed out lowest free first (upstream
 * CidrSet: allocations round-robin from the last one, occupy() marks ones already in use).
 */
export class CidrSet {
  readonly cluster: Cidr;
  readonly maskSize: number;
  private readonly size: number;
  private readonly used = new Set<number>();
  private next = 0;

  constructor(cluster: Cidr, maskSize: number) {
    if (maskSize < cluster.prefix || maskSize > 32) throw new Error(`mask size ${maskSize} does not fit in ${formatCidr(cluster)}`);
    if (maskSize - cluster.prefix > 24) throw new Error(`too many subnets of /${maskSize} in ${formatCidr(cluster)}`);
    this.cluster = cluster;
    this.maskSize = maskSize;
    this.size = 2 ** (maskSize - cluster.prefix);
  }

  /** How many subnets are free. */
  free(): number {
    return this.size - this.used.size;
  }

  private subnet(index: number): string {
    return formatCidr({ base: (this.cluster.base + index * 2 ** (32 - this.maskSize)) >>> 0, prefix: this.maskSize });
  }

  /** The index of `cidr` in this set, or undefined when it is not one of its subnets. */
  private indexOf(cidr: string): number | undefined {
    let c: Cidr;
    try {
      c = parseCidr(cidr);
    } catch {
      return undefined;
    }
    if (c.prefix !== this.maskSize) return undefined;
    const offset = c.base - this.cluster.base;
    const step = 2 ** (32 - this.maskSize);
    if (offset < 0 || offset % step !== 0) return undefined;
    const i = offset / step;
    return i < this.size ? i : undefined;
  }

  /** Takes the next free subnet, or undefined when the range is exhausted. */
  allocateNext(): string | undefined {
    for (let k = 0; k < this.size; k++) {
      const i = (this.next + k) % this.size;
      if (!this.used.has(i)) {
        this.used.add(i);
        this.next = (i + 1) % this.size;
        return this.subnet(i);
      }
    }
    return undefined;
  }

  /** Marks a subnet in use (a node that already has it); false when it is not of this set. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    this.used.add(i);
    return true;
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.delete(i);
  }

  isAllocated(cidr: string): boolean {
    const i = this.indexOf(cidr);
    return i !== undefined && this.used.has(i);
  }
}
