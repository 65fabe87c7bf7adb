// The node port range (--service-node-port-range) as offsets for an AllocationBitmap, as
// upstream's portallocator: offset i is port base+i.

import { rangeOffset } from './service-cidr.ts';

export class NodePortRange {
  readonly base: number;
  readonly size: number;
  /** Upstream's static band for ports: min(max(16, size/32), 128). */
  readonly dynamicOffset: number;

  private constructor(base: number, size: number) {
    this.base = base;
    this.size = size;
    this.dynamicOffset = rangeOffset(size, 16, 128, 32);
  }

  /** `30000-32767` (inclusive) or `30000+2767` (base + extra ports), as net.ParsePortRange. */
  static parse(flag: string): NodePortRange {
    const s = flag.trim();
    const dash = /^(\d+)-(\d+)$/.exec(s);
    const plus = /^(\d+)\+(\d+)$/.exec(s);
    let lo: number;
    let hi: number;
    if (dash) [lo, hi] = [Number(dash[1]), Number(dash[2])];
    else if (plus) [lo, hi] = [Number(plus[1]), Number(plus[1]) + Number(plus[2])];
    else throw new Error(`invalid --service-node-port-range "${flag}": want a range such as 30000-32767`);
    if (lo < 1 || hi > 65535 || hi < lo) throw new Error(`invalid --service-node-port-range "${flag}": ports must satisfy 1 <= low <= high <= 65535`);
    return new NodePortRange(lo, hi - lo + 1);
  }

  /** As net.PortRange.String(): `30000-32767`. */
  toString(): string {
    return `${this.base}-${this.base + this.size - 1}`;
  }

  offsetOf(port: number): number | undefined {
    const offset = port - this.base;
    return Number.isInteger(port) && offset >= 0 && offset < this.size ? offset : undefined;
  }

  portAt(offset: number): number {
    return this.base + offset;
  }
}
