// Admission plugins seen through the API: DefaultTolerationSeconds (flags shorten it).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, pod, type TestServer } from '../support/test-server.ts';

describe('admission', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ defaultNotReadyTolerationSeconds: 7, defaultUnreachableTolerationSeconds: 9 });
  });
  after(async () => t?.stop());

  it('adds not-ready and unreachable NoExecute tolerations to a pod that has none', async () => {
    const r = await t.req('POST', '/api/v1/namespaces/default/pods', pod('tol'));
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body.spec.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 7 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 9 },
    ]);
  });

  it('keeps a pod\'s own toleration and adds only the missing one', async () => {
    const p = pod('own');
    (p.spec as any).tolerations = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }];
    const r = await t.req('POST', '/api/v1/namespaces/default/pods', p);
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body.spec.tolerations.map((x: any) => [x.key, x.tolerationSeconds]), [
      ['node.kubernetes.io/not-ready', 1],
      ['node.kubernetes.io/unreachable', 9],
    ]);
  });
});
