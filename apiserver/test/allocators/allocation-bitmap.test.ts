import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AllocationBitmap, NodePortRange, ServiceCIDR } from '../../src/registry/allocators/index.ts';

test('the snapshot is big.Int.Bytes() of the bitmap: big-endian, bit i = offset i, no leading zeros', () => {
  const b = new AllocationBitmap(100);
  assert.deepEqual([...b.snapshot()], []);
  b.allocate(0);
  b.allocate(9);
  // 2^0 + 2^9 = 513 = 0x0201
  assert.deepEqual([...b.snapshot()], [0x02, 0x01]);
  b.allocate(63);
  const restored = AllocationBitmap.fromSnapshot(100, 0, b.snapshot());
  const seen: number[] = [];
  restored.forEach((o) => seen.push(o));
  assert.deepEqual(seen, [0, 9, 63]);
  assert.equal(restored.usedCount(), 3);
});

test('a snapshot of a larger range loses the offsets past the end', () => {
  const big = new AllocationBitmap(64);
  big.allocate(3);
  big.allocate(40);
  const small = AllocationBitmap.fromSnapshot(20, 0, big.snapshot());
  assert.equal(small.has(3), true);
  assert.equal(small.has(40), false);
  assert.equal(small.usedCount(), 1);
});

test('allocateNext prefers the dynamic band, continues after the cursor, then falls back to the static band', () => {
  const b = new AllocationBitmap(12, 8);
  assert.equal(b.allocateNext(), 8);
  assert.equal(b.allocateNext(9), 9);
  b.release(8);
  // after the cursor first: 10, 11, then wraps inside the band to 8, then the static band.
  assert.equal(b.allocateNext(10), 10);
  assert.equal(b.allocateNext(11), 11);
  assert.equal(b.allocateNext(12), 8);
  assert.equal(b.allocateNext(12, new Set([0])), 1);
  for (let i = 2; i < 8; i++) assert.equal(b.allocateNext(8, new Set([0])), i);
  assert.equal(b.allocateNext(8, new Set([0])), undefined, 'full but for the reserved offset');
  assert.equal(b.allocateNext(), 0);
  assert.equal(b.free(), 0);
});

test('allocate refuses an allocated or out-of-range offset; release of a free one is a no-op', () => {
  const b = new AllocationBitmap(10);
  assert.equal(b.allocate(4), true);
  assert.equal(b.allocate(4), false);
  assert.equal(b.allocate(10), false);
  b.release(5);
  b.release(4);
  assert.equal(b.usedCount(), 0);
});

test('the service CIDR skips the network and broadcast addresses and has upstream static band', () => {
  const c = ServiceCIDR.parse('10.96.0.0/12');
  assert.equal(c.cidr, '10.96.0.0/12');
  assert.equal(c.size, 2 ** 20 - 2);
  assert.equal(c.dynamicOffset, 256);
  assert.equal(c.offsetOf('10.96.0.1'), 0);
  assert.equal(c.offsetOf('10.96.0.0'), undefined);
  assert.equal(c.offsetOf('10.111.255.255'), undefined);
  assert.equal(c.offsetOf('10.111.255.254'), c.size - 1);
  assert.equal(c.offsetOf('10.0.0.1'), undefined);
  assert.equal(c.ipAt(256), '10.96.1.1');
  assert.equal(ServiceCIDR.parse('10.0.0.7/24').cidr, '10.0.0.0/24');
  assert.equal(ServiceCIDR.parse('10.0.0.0/24').dynamicOffset, 16);
  assert.equal(ServiceCIDR.parse('10.0.0.0/28').dynamicOffset, 0);
  assert.throws(() => ServiceCIDR.parse('10.0.0.0/8'), /too large; for 32-bit addresses, the mask must be >= 12/);
  assert.throws(() => ServiceCIDR.parse('fd00::/108'), /IPv4 CIDR/);
});

test('the node port range parses both forms and has upstream static band', () => {
  const r = NodePortRange.parse('30000-32767');
  assert.equal(String(r), '30000-32767');
  assert.equal(r.size, 2768);
  assert.equal(r.dynamicOffset, 86);
  assert.equal(r.offsetOf(30000), 0);
  assert.equal(r.offsetOf(32768), undefined);
  assert.equal(String(NodePortRange.parse('30000+99')), '30000-30099');
  assert.throws(() => NodePortRange.parse('32767-30000'), /low <= high/);
  assert.throws(() => NodePortRange.parse('abc'), /want a range/);
});
