// A bitmap over the offsets 0..size-1 of a range (service IPs, node ports), as upstream's
// allocator.AllocationBitmap: bit i set means offset i is allocated.
//
// Snapshot format: upstream stores the bitmap as a big.Int's Bytes(), i.e. big-endian bytes
// without leading zeros, where bit i of the integer is offset i; in a RangeAllocation object's
// `data` (base64 in JSON). We read and write the same bytes, so `etcdctl get` shows what an
// upstream apiserver would store.
//
// Dynamic allocation follows upstream's split of the range into a static band [0, dynamicOffset)
// that clients pick from explicitly and a dynamic band [dynamicOffset, size) that allocateNext
// prefers, so an explicit request rarely collides with a dynamic one. Upstream picks a random
// free offset in the band; we take the next free offset after a cursor instead: every allocation
// rewrites the whole snapshot in etcd (which keeps each revision until compaction), and filling
// the band from its start keeps that snapshot as short as the highest offset in use.

export class AllocationBitmap {
  readonly size: number;
  readonly dynamicOffset: number;
  private readonly bits: Uint8Array;
  private used = 0;

  constructor(size: number, dynamicOffset = 0, bits?: Uint8Array) {
    this.size = Math.max(0, size);
    this.dynamicOffset = Math.min(Math.max(0, dynamicOffset), this.size);
    this.bits = new Uint8Array(Math.ceil(this.size / 8));
    if (bits) {
      this.bits.set(bits.subarray(0, this.bits.length));
      // Bits past the end (a snapshot of a larger range) are dropped.
      const tail = this.size % 8;
      if (tail && this.bits.length) this.bits[this.bits.length - 1]! &= (1 << tail) - 1;
      for (const b of this.bits) this.used += popcount(b);
    }
  }

  /** Restores a snapshot's bytes (big-endian, as big.Int.Bytes()). */
  static fromSnapshot(size: number, dynamicOffset: number, data: Uint8Array): AllocationBitmap {
    const little = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) little[i] = data[data.length - 1 - i]!;
    return new AllocationBitmap(size, dynamicOffset, little);
  }

  /** The snapshot bytes: big-endian, no leading zero bytes (empty when nothing is allocated). */
  snapshot(): Uint8Array {
    let top = this.bits.length - 1;
    while (top >= 0 && this.bits[top] === 0) top--;
    const out = new Uint8Array(top + 1);
    for (let i = 0; i <= top; i++) out[top - i] = this.bits[i]!;
    return out;
  }

  clone(): AllocationBitmap {
    return new AllocationBitmap(this.size, this.dynamicOffset, this.bits);
  }

  has(offset: number): boolean {
    if (!this.inRange(offset)) return false;
    return (this.bits[offset >> 3]! & (1 << (offset & 7))) !== 0;
  }

  /** Marks `offset` allocated; false when it already was (or lies outside the range). */
  allocate(offset: number): boolean {
    if (!this.inRange(offset) || this.has(offset)) return false;
    this.bits[offset >> 3]! |= 1 << (offset & 7);
    this.used++;
    return true;
  }

  /** Frees `offset`; freeing a free or out-of-range offset is a no-op. */
  release(offset: number): void {
    if (!this.has(offset)) return;
    this.bits[offset >> 3]! &= ~(1 << (offset & 7));
    this.used--;
  }

  /**
   * Allocates a free offset: the first one at or after `cursor` in the dynamic band (wrapping
   * around inside it), else the first free one of the static band; never one of `skip`.
   * Returns undefined when the range is full.
   */
  allocateNext(cursor = this.dynamicOffset, skip: ReadonlySet<number> = EMPTY): number | undefined {
    const lo = this.dynamicOffset;
    const start = cursor >= lo && cursor < this.size ? cursor : lo;
    const found = this.findFree(start, this.size, skip) ?? this.findFree(lo, start, skip) ?? this.findFree(0, lo, skip);
    if (found !== undefined) this.allocate(found);
    return found;
  }

  /** Allocated offsets, ascending. */
  forEach(fn: (offset: number) => void): void {
    for (let byte = 0; byte < this.bits.length; byte++) {
      const b = this.bits[byte]!;
      if (b === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) fn(byte * 8 + bit);
    }
  }

  free(): number {
    return this.size - this.used;
  }

  usedCount(): number {
    return this.used;
  }

  private inRange(offset: number): boolean {
    return Number.isInteger(offset) && offset >= 0 && offset < this.size;
  }

  private findFree(from: number, to: number, skip: ReadonlySet<number>): number | undefined {
    let i = from;
    while (i < to) {
      // Whole bytes in use are skipped at once: a /12 has a million offsets.
      if ((i & 7) === 0 && this.bits[i >> 3] === 0xff) {
        i += 8;
        continue;
      }
      if (!this.has(i) && !skip.has(i)) return i;
      i++;
    }
    return undefined;
  }
}

const EMPTY: ReadonlySet<number> = new Set();

function popcount(b: number): number {
  let n = 0;
  for (let x = b; x; x &= x - 1) n++;
  return n;
}
