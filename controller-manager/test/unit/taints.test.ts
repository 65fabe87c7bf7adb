import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getMatchingTolerations, minTolerationTimeMs, toleratesTaint } from '../../src/util/taints.ts';

const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
const notReady = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };

describe('taints and tolerations', () => {
  it('matches by key, operator, value and effect', () => {
    assert.equal(toleratesTaint({ key: unreachable.key, operator: 'Exists', effect: 'NoExecute' }, unreachable), true);
    assert.equal(toleratesTaint({ key: unreachable.key, operator: 'Exists', effect: 'NoSchedule' }, unreachable), false);
    assert.equal(toleratesTaint({ operator: 'Exists' }, unreachable), true, 'empty key with Exists tolerates everything');
    assert.equal(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, { key: 'k', value: 'v', effect: 'NoExecute' }), true);
    assert.equal(toleratesTaint({ key: 'k', value: 'w' }, { key: 'k', value: 'v', effect: 'NoExecute' }), false);
  });

  it('every taint needs a toleration; the shortest tolerationSeconds decides', () => {
    const tolerations = [
      { key: unreachable.key, operator: 'Exists' as const, effect: 'NoExecute', tolerationSeconds: 300 },
      { key: notReady.key, operator: 'Exists' as const, effect: 'NoExecute', tolerationSeconds: 30 },
    ];
    assert.equal(getMatchingTolerations([unreachable, { key: 'other', effect: 'NoExecute' }], tolerations), undefined);
    const m = getMatchingTolerations([unreachable, notReady], tolerations)!;
    assert.equal(minTolerationTimeMs(m), 30_000);
    assert.equal(minTolerationTimeMs([{ operator: 'Exists' }]), -1, 'no tolerationSeconds: forever');
    assert.equal(minTolerationTimeMs([{ operator: 'Exists', tolerationSeconds: -5 }]), 0);
  });
});
