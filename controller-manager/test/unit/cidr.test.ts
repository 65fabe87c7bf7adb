import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet, formatCidr, parseCidr } from '../../src/util/cidr.ts';

describe('CIDR allocation', () => {
  it('parses and normalizes IPv4 CIDRs', () => {
    assert.equal(formatCidr(parseCidr('10.244.3.7/16')), '10.244.0.0/16');
    assert.throws(() => parseCidr('10.244.0.0'), /invalid CIDR/);
    assert.throws(() => parseCidr('10.300.0.0/16'), /invalid IPv4/);
    assert.throws(() => parseCidr('10.0.0.0/33'), /invalid CIDR/);
  });

  it('hands out subnets in order, skipping occupied ones, and reuses released ones', () => {
    const set = new CidrSet(parseCidr('10.244.0.0/22'), 24);
    assert.equal(set.free(), 4);
    assert.equal(set.occupy('10.244.1.0/24'), true);
    assert.equal(set.occupy('10.245.0.0/24'), false, 'outside the cluster CIDR');
    assert.equal(set.occupy('10.244.2.0/25'), false, 'wrong mask size');
    assert.equal(set.allocateNext(), '10.244.0.0/24');
    assert.equal(set.allocateNext(), '10.244.2.0/24');
    assert.equal(set.allocateNext(), '10.244.3.0/24');
    assert.equal(set.allocateNext(), undefined, 'exhausted');
    set.release('10.244.2.0/24');
    assert.equal(set.isAllocated('10.244.2.0/24'), false);
    assert.equal(set.allocateNext(), '10.244.2.0/24');
  });

  it('refuses a mask that does not fit', () => {
    assert.throws(() => new CidrSet(parseCidr('10.0.0.0/24'), 16));
  });
});
