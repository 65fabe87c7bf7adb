import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scaledValueFromIntOrPercent } from '../../src/util/int-or-string.ts';
import { maxSurge, maxUnavailable, newRSNewReplicas, resolveFenceposts, getProportion } from '../../src/controllers/deployment/deployment-util.ts';
import type { KubeObject } from '@minik8s/shared';

describe('intstr scaling and rollout arithmetic', () => {
  it('scales numbers and percentages, rounding as asked', () => {
    assert.equal(scaledValueFromIntOrPercent(3, 10, true), 3);
    assert.equal(scaledValueFromIntOrPercent('25%', 10, true), 3);
    assert.equal(scaledValueFromIntOrPercent('25%', 10, false), 2);
    assert.equal(scaledValueFromIntOrPercent('0%', 10, true), 0);
    assert.equal(scaledValueFromIntOrPercent(undefined, 10, true), 0);
    assert.throws(() => scaledValueFromIntOrPercent('abc', 10, true), /invalid value for IntOrString/);
  });

  it('resolves fenceposts: surge up, unavailable down, never both zero', () => {
    assert.deepEqual(resolveFenceposts('25%', '25%', 10), [3, 2]);
    assert.deepEqual(resolveFenceposts('0%', '0%', 10), [0, 1]);
    assert.deepEqual(resolveFenceposts(0, '10%', 5), [0, 1]); // floor(0.5) = 0 -> 1
    assert.deepEqual(resolveFenceposts(undefined, undefined, 4), [1, 1]); // defaults 25%/25%
  });

  const d = (replicas: number, strategy: object = {}): KubeObject => ({ metadata: { name: 'd' }, spec: { replicas, strategy } });
  const rs = (replicas: number, annotations: Record<string, string> = {}): KubeObject => ({ metadata: { name: `rs-${replicas}`, annotations }, spec: { replicas } });

  it('maxSurge and maxUnavailable follow the strategy', () => {
    const rolling = d(4, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 10 } });
    assert.equal(maxSurge(rolling), 1);
    assert.equal(maxUnavailable(rolling), 4, 'capped at replicas');
    assert.equal(maxSurge(d(4, { type: 'Recreate' })), 0);
    assert.equal(maxUnavailable(d(0)), 0);
  });

  it('scales the new set up as far as maxSurge allows', () => {
    const dep = d(4, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } });
    const oldRS = rs(4);
    const newRS = rs(0);
    assert.equal(newRSNewReplicas(dep, [oldRS, newRS], newRS), 1);
    assert.equal(newRSNewReplicas(dep, [rs(3), rs(2)], rs(2)), 2, 'already at replicas + maxSurge');
    assert.equal(newRSNewReplicas(dep, [rs(0), rs(3)], rs(3)), 4, 'never beyond replicas');
    assert.equal(newRSNewReplicas(d(4, { type: 'Recreate' }), [rs(4), rs(0)], rs(0)), 4);
  });

  it('spreads a scale-up in proportion to the sets, from their max-replicas annotation', () => {
    const dep = d(20, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 2 } });
    const ann = { 'deployment.kubernetes.io/max-replicas': '12' };
    const big = rs(8, ann);
    const small = rs(4, ann);
    // toAdd = 22 - 12 = 10: 8 -> round(8 * 22 / 12) = 15 (+7), 4 -> round(4 * 22 / 12) = 7 (+3).
    const a = getProportion(big, dep, 10, 0);
    assert.equal(a, 7);
    assert.equal(getProportion(small, dep, 10, a), 3);
    assert.equal(getProportion(rs(0, ann), dep, 10, 0), 0, 'an empty set takes nothing');
    // Scaling down to 0 takes everything.
    assert.equal(getProportion(big, d(0), -12, 0), -8);
  });
});
