import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, applyJsonPatch, formatJsonPointer, parseJsonPointer } from '../../src/patch/index.ts';

const pod = () => ({
  metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'example.com/a~b': 'x' } },
  spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] },
});

function failsWith(fn: () => unknown, code: 400 | 422, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PatchError, `not a PatchError: ${e}`);
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('JSON pointers', () => {
  it('unescape ~1 to / and ~0 to ~, in that order', () => {
    assert.deepEqual(parseJsonPointer('/metadata/annotations/example.com~1a~0b'), ['metadata', 'annotations', 'example.com/a~b']);
    assert.deepEqual(parseJsonPointer('/a/~01'), ['a', '~1']);
    assert.deepEqual(parseJsonPointer(''), []);
    assert.equal(formatJsonPointer(['metadata', 'annotations', 'example.com/a~b']), '/metadata/annotations/example.com~1a~0b');
  });
});

describe('applyJsonPatch', () => {
  it('replaces a field (client-node patch shape) and returns a new object', () => {
    const doc = { spec: { replicas: 1 } };
    const out = applyJsonPatch(doc, [{ op: 'replace', path: '/spec/replicas', value: 3 }]);
    assert.deepEqual(out, { spec: { replicas: 3 } });
    assert.deepEqual(doc, { spec: { replicas: 1 } });
  });

  it('adds members and array elements, `-` appends, an index inserts', () => {
    const out = applyJsonPatch(pod(), [
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
      { op: 'add', path: '/spec/containers/-', value: { name: 'c' } },
      { op: 'add', path: '/spec/containers/0', value: { name: 'first' } },
      { op: 'add', path: '/spec/containers/4', value: { name: 'end' } },
    ]) as any;
    assert.deepEqual(out.metadata.labels, { app: 'web', tier: 'front' });
    assert.deepEqual(out.spec.containers.map((c: any) => c.name), ['first', 'a', 'b', 'c', 'end']);
  });

  it('add replaces an existing member', () => {
    assert.deepEqual((applyJsonPatch(pod(), [{ op: 'add', path: '/metadata/name', value: 'x' }]) as any).metadata.name, 'x');
  });

  it('removes members and elements, addressing escaped keys', () => {
    const out = applyJsonPatch(pod(), [
      { op: 'remove', path: '/metadata/annotations/example.com~1a~0b' },
      { op: 'remove', path: '/spec/containers/0' },
    ]) as any;
    assert.deepEqual(out.metadata.annotations, {});
    assert.deepEqual(out.spec.containers, [{ name: 'b', image: 'b:1' }]);
  });

  it('moves and copies values (copies are independent)', () => {
    const out = applyJsonPatch(pod(), [
      { op: 'copy', from: '/spec/containers/0', path: '/spec/containers/-' },
      { op: 'replace', path: '/spec/containers/2/name', value: 'copy' },
      { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/role' },
    ]) as any;
    assert.deepEqual(out.spec.containers.map((c: any) => c.name), ['a', 'b', 'copy']);
    assert.deepEqual(out.metadata.labels, { role: 'web' });
  });

  it('test passes on equal JSON (key order ignored) and lets later operations run', () => {
    const out = applyJsonPatch(pod(), [
      { op: 'test', path: '/spec/containers/0', value: { image: 'a:1', name: 'a' } },
      { op: 'replace', path: '/spec/containers/0/image', value: 'a:2' },
    ]) as any;
    assert.equal(out.spec.containers[0].image, 'a:2');
  });

  it('a path of "" addresses the whole document', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'test', path: '', value: { a: 1 } }]), { a: 1 });
  });

  it('is all or nothing: a failing operation leaves the input untouched', () => {
    const doc = pod();
    const before = structuredClone(doc);
    assert.throws(() => applyJsonPatch(doc, [{ op: 'remove', path: '/metadata/labels/app' }, { op: 'test', path: '/metadata/name', value: 'other' }]));
    assert.deepEqual(doc, before);
  });

  it("answers 422 with evanphx/json-patch's messages when an operation cannot apply", () => {
    failsWith(() => applyJsonPatch(pod(), [{ op: 'test', path: '/metadata/name', value: 'x' }]), 422, 'testing value /metadata/name failed: test failed');
    failsWith(() => applyJsonPatch(pod(), [{ op: 'test', path: '/nope', value: 1 }]), 422, 'test operation does not apply: is missing path: /nope: missing value');
    failsWith(() => applyJsonPatch(pod(), [{ op: 'add', path: '/status/phase', value: 'Running' }]), 422, 'add operation does not apply: doc is missing path: "/status/phase": missing value');
    failsWith(() => applyJsonPatch(pod(), [{ op: 'remove', path: '/metadata/labels/zzz' }]), 422, "error in remove for path: '/metadata/labels/zzz': Unable to remove nonexistent key: zzz: missing value");
    failsWith(() => applyJsonPatch(pod(), [{ op: 'replace', path: '/metadata/uid', value: 'u' }]), 422, 'replace operation does not apply: doc is missing key: /metadata/uid: missing value');
    failsWith(() => applyJsonPatch(pod(), [{ op: 'remove', path: '/spec/containers/5' }]), 422, "error in remove for path: '/spec/containers/5': Unable to access invalid index: 5: invalid index referenced");
    failsWith(() => applyJsonPatch(pod(), [{ op: 'add', path: '/spec/containers/9', value: {} }]), 422, /Unable to access invalid index: 9/);
    failsWith(() => applyJsonPatch(pod(), [{ op: 'replace', path: '/spec/containers/-', value: {} }]), 422, /not a proper array index: '-'/);
    failsWith(() => applyJsonPatch(pod(), [{ op: 'move', from: '/nope', path: '/x' }]), 422, 'move operation does not apply: doc is missing from path: /nope: missing value');
    failsWith(() => applyJsonPatch(pod(), [{ op: 'move', from: '/spec', path: '/spec/inner' }]), 422, /is a prefix of path/);
    failsWith(() => applyJsonPatch(pod(), [{ op: 'copy', from: '/nope', path: '/x' }]), 422, 'copy operation does not apply: doc is missing from path: /nope: missing value');
    failsWith(() => applyJsonPatch(pod(), [{ op: 'frobnicate', path: '/x' }]), 422, 'Unexpected kind: frobnicate');
    failsWith(() => applyJsonPatch(pod(), [{ op: 'add', path: '/x' }]), 422, 'operation, missing value field: missing value');
    failsWith(() => applyJsonPatch(pod(), [{ op: 'add', value: 1 }]), 422, 'operation missing path field: missing value');
    failsWith(() => applyJsonPatch(pod(), [{ op: 'remove', path: 'metadata' }]), 422, /JSON pointer must be empty or start with a "\/"/);
  });

  it('answers 400 when the patch is not a list of operation objects', () => {
    failsWith(() => applyJsonPatch(pod(), { op: 'add' } as unknown as unknown[]), 400, 'json patch must be an array of operations');
    failsWith(() => applyJsonPatch(pod(), ['add']), 400, /operation must be an object/);
  });

  it('never shares values with the operations', () => {
    const value = { name: 'c' };
    const out = applyJsonPatch(pod(), [{ op: 'add', path: '/spec/containers/-', value }]) as any;
    out.spec.containers[2].name = 'changed';
    assert.equal(value.name, 'c');
  });
});
