import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, applyMergePatch } from '../../src/patch/index.ts';

describe('applyMergePatch (RFC 7386)', () => {
  it('applies the kubectl label and scale patches from API-WIRE.md', () => {
    const pod = { metadata: { name: 'web-1', labels: { app: 'web' } }, spec: { nodeName: 'n1' } };
    const labelled = applyMergePatch(pod, { metadata: { labels: { a: 'b' } } });
    assert.deepEqual(labelled, { metadata: { name: 'web-1', labels: { app: 'web', a: 'b' } }, spec: { nodeName: 'n1' } });
    // `kubectl label pod web-1 a-`
    assert.deepEqual(applyMergePatch(labelled, { metadata: { labels: { a: null } } }), pod);
    assert.deepEqual(applyMergePatch({ spec: { replicas: 1 }, status: { replicas: 1 } }, { spec: { replicas: 3 } }), {
      spec: { replicas: 3 },
      status: { replicas: 1 },
    });
  });

  // The examples of RFC 7386 appendix A: [target, patch, result].
  const rfc: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  rfc.forEach(([target, patch, result], i) => {
    it(`RFC 7386 example ${i + 1}`, () => {
      assert.deepEqual(applyMergePatch(target, patch), result);
    });
  });

  it('does not modify its inputs nor share values with them', () => {
    const doc = { spec: { list: [1, 2], nested: { a: 1 } } };
    const patch = { spec: { nested: { b: { deep: true } } } };
    const docBefore = structuredClone(doc);
    const patchBefore = structuredClone(patch);
    const out = applyMergePatch(doc, patch) as any;
    out.spec.list.push(3);
    out.spec.nested.b.deep = false;
    assert.deepEqual(doc, docBefore);
    assert.deepEqual(patch, patchBefore);
  });

  it('keeps a `__proto__` member as data', () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses a null patch with 400, as the apiserver does', () => {
    assert.throws(() => applyMergePatch({ a: 1 }, null), (e: unknown) => e instanceof PatchError && e.code === 400 && e.message === 'Invalid JSON Patch');
  });
});
