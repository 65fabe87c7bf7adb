import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repackSubsets } from '../../src/controllers/endpoint/repack-subsets.ts';

const ref = (uid: string) => ({ kind: 'Pod', namespace: 'ns', name: uid, uid });

describe('Endpoints subsets repacking', () => {
  it('groups addresses by port set and sorts them', () => {
    const p80 = [{ name: 'web', port: 80, protocol: 'TCP' }];
    const p81 = [{ name: 'web', port: 81, protocol: 'TCP' }];
    const out = repackSubsets([
      { addresses: [{ ip: '10.0.0.3', targetRef: ref('c') }], ports: p80 },
      { addresses: [{ ip: '10.0.0.1', targetRef: ref('a') }], ports: p80 },
      { notReadyAddresses: [{ ip: '10.0.0.2', targetRef: ref('b') }], ports: p80 },
      { addresses: [{ ip: '10.0.0.4', targetRef: ref('d') }], ports: p81 },
    ]);
    assert.equal(out.length, 2);
    const s80 = out.find((s) => s.ports?.[0].port === 80)!;
    assert.deepEqual(s80.addresses?.map((a) => a.ip), ['10.0.0.1', '10.0.0.3']);
    assert.deepEqual(s80.notReadyAddresses?.map((a) => a.ip), ['10.0.0.2']);
    assert.deepEqual(out.find((s) => s.ports?.[0].port === 81)!.addresses?.map((a) => a.ip), ['10.0.0.4']);
  });

  it('merges the ports of one address into one subset, in a stable order', () => {
    const a = { ip: '10.0.0.1', targetRef: ref('a') };
    const one = repackSubsets([
      { addresses: [a], ports: [{ name: 'b', port: 2, protocol: 'TCP' }] },
      { addresses: [a], ports: [{ name: 'a', port: 1, protocol: 'TCP' }] },
    ]);
    const two = repackSubsets([
      { addresses: [a], ports: [{ name: 'a', port: 1, protocol: 'TCP' }] },
      { addresses: [a], ports: [{ name: 'b', port: 2, protocol: 'TCP' }] },
    ]);
    assert.equal(one.length, 1);
    assert.deepEqual(one, two);
    assert.equal(one[0].ports?.length, 2);
  });

  it('keeps addresses of a headless service without ports', () => {
    const out = repackSubsets([{ addresses: [{ ip: '10.0.0.9' }] }]);
    assert.deepEqual(out, [{ addresses: [{ ip: '10.0.0.9' }] }]);
  });
});
