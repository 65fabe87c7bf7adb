import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '@minik8s/shared';
import { LoadBalancerRR } from '../../src/index.ts';

const EPS = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'];

test('round-robin over the endpoints; none gives undefined', () => {
  const lb = new LoadBalancerRR();
  assert.equal(lb.nextEndpoint('ns/a:http', '1.1.1.1'), undefined);
  lb.update('ns/a:http', EPS, 0);
  const picks = Array.from({ length: 9 }, () => lb.nextEndpoint('ns/a:http', '1.1.1.1')!);
  for (const ep of EPS) assert.equal(picks.filter((p) => p === ep).length, 3);
  assert.deepEqual(picks.slice(3, 6), picks.slice(0, 3), 'a fixed order, repeated');
  lb.update('ns/a:http', [], 0);
  assert.equal(lb.nextEndpoint('ns/a:http', '1.1.1.1'), undefined);
});

test('the same endpoints in another order keep the position; other endpoints start over shuffled', () => {
  let r = 0;
  const lb = new LoadBalancerRR({ random: () => [0.9, 0.1, 0.5][r++ % 3]! });
  lb.update('s', EPS, 0);
  const first = lb.nextEndpoint('s', 'c')!;
  lb.update('s', [...EPS].reverse(), 0);
  const second = lb.nextEndpoint('s', 'c')!;
  assert.notEqual(second, first, 'the position was kept');
  lb.update('s', ['10.0.0.9:80'], 0);
  assert.equal(lb.nextEndpoint('s', 'c'), '10.0.0.9:80');
});

test('ClientIP affinity: the same client sticks until the timeout or a reset', async () => {
  const clock = new FakeClock(0);
  const lb = new LoadBalancerRR({ clock });
  lb.update('s', EPS, 10);
  const a = lb.nextEndpoint('s', '1.1.1.1')!;
  const b = lb.nextEndpoint('s', '2.2.2.2')!;
  assert.notEqual(a, b, 'new clients still rotate');
  for (let i = 0; i < 5; i++) assert.equal(lb.nextEndpoint('s', '1.1.1.1'), a);
  const moved = lb.nextEndpoint('s', '1.1.1.1', true)!;
  assert.notEqual(moved, a, 'a reset (the endpoint refused) picks the next one');
  assert.equal(lb.nextEndpoint('s', '1.1.1.1'), moved, 'and sticks to it');
  await clock.step(9_999);
  assert.equal(lb.nextEndpoint('s', '1.1.1.1'), moved, 'used within the timeout: kept');
  assert.equal(lb.nextEndpoint('s', '2.2.2.2'), b, 'within 10 s of its last use');
  await clock.step(10_000);
  // 2.2.2.2 was last sent at 9.999 s: expired at 20 s, it gets the next endpoint in turn,
  // which after a, b and the reset pick is the first one again.
  assert.equal(lb.nextEndpoint('s', '2.2.2.2'), a);
  assert.equal(lb.nextEndpoint('s', '2.2.2.2'), a, 'and sticks there');
});

test('affinity to an endpoint that went away is forgotten', () => {
  const lb = new LoadBalancerRR();
  lb.update('s', EPS, 60);
  const a = lb.nextEndpoint('s', '1.1.1.1')!;
  lb.update('s', EPS.filter((e) => e !== a), 60);
  const b = lb.nextEndpoint('s', '1.1.1.1')!;
  assert.notEqual(b, a);
  assert.ok(EPS.includes(b));
});
