// object-json.ts: the JSON of a new object built once and reused for what the write returns;
// own-writes.ts: a watch event of our own write reusing the object written.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { insertResourceVersion, isPlainJson, knownJson, stringifyObject, withResourceVersion } from '../../src/storage/object-json.ts';
import { OwnWrites } from '../../src/storage/own-writes.ts';

const objects: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, status: {} },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} },
  { metadata: { name: 'only-metadata' } },
  // Member order, unicode, escapes, nested empties, numbers, and members JSON leaves out.
  { kind: 'X', data: { 'a"b': 'line\nbreak \u2028 é \ud800' }, metadata: { name: 'x', annotations: { k: '{}' }, finalizers: [] }, n: [1.5, -2, 0, 1e21], skip: undefined, f: () => 1 } as unknown as KubeObject,
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', managedFields: [{ manager: 'm', fieldsV1: { 'f:metadata': {} } }] } },
];

test('stringifyObject is JSON.stringify, and knows where metadata ends', () => {
  for (const obj of objects) {
    const json = stringifyObject(obj);
    assert.equal(json.text, JSON.stringify(obj));
    assert.ok(json.metadataEnd > 0);
    assert.equal(json.text[json.metadataEnd - 1], '}');
    assert.equal(json.text.slice(json.metadataEnd - JSON.stringify(obj.metadata).length, json.metadataEnd), JSON.stringify(obj.metadata));
  }
  assert.equal(stringifyObject({ kind: 'NoMeta' } as unknown as KubeObject).metadataEnd, -1);
});

test('insertResourceVersion gives the JSON of the object at that revision', () => {
  for (const obj of objects) {
    for (const rv of [1, 42, 123456789012]) {
      assert.equal(insertResourceVersion(stringifyObject(obj), rv), JSON.stringify(withResourceVersion(obj, rv)));
    }
  }
  assert.equal(insertResourceVersion(stringifyObject({ kind: 'NoMeta' } as unknown as KubeObject), 5), undefined);
});

test('isPlainJson: exactly the values that survive a JSON round trip unchanged', () => {
  const plain: unknown[] = ['s', '', 0, 1.5, -3, true, false, null, [], {}, [1, 'a', null, { b: [] }], { a: { b: { c: 'd' } } }, JSON.parse('{"__proto__":{"x":1}}')];
  for (const v of plain) {
    assert.equal(isPlainJson(v), true, JSON.stringify(v));
    assert.deepEqual(JSON.parse(JSON.stringify(v)), v);
  }
  const notPlain: unknown[] = [undefined, -0, NaN, Infinity, () => 1, Symbol('s'), 1n, new Date(0), Buffer.from('x'), new Map(), Object.create(null), [1, undefined], [, 1], { a: undefined }, { a: { b: NaN } }, [new Uint8Array(1)]];
  for (const v of notPlain) assert.equal(isPlainJson(v), false, String(typeof v));
});

function pod(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
}

function expectWrite(w: OwnWrites, key: string, obj: KubeObject) {
  const json = stringifyObject(obj);
  const value = Buffer.from(json.text);
  return { value, own: w.expect(key, value, obj, json) };
}

test('an event of our own write gets the written object, shared with the write answer, with its JSON known', () => {
  const w = new OwnWrites();
  w.watching('/registry/pods/');
  const obj = pod('a');
  const { value, own } = expectWrite(w, '/registry/pods/ns/a', obj);
  assert.ok(own);
  // The event first, then the answer.
  const fromEvent = w.take('/registry/pods/ns/a', Buffer.from(value), 7);
  assert.ok(fromEvent);
  const parsed = JSON.parse(value.toString());
  parsed.metadata.resourceVersion = '7';
  assert.deepEqual(fromEvent, parsed, 'what parsing the event would give');
  assert.equal(w.resultOf(own, 7), fromEvent, 'the answer is the very object the event carried');
  assert.equal(knownJson(fromEvent), JSON.stringify(fromEvent));
  assert.equal(w.size, 0);
  // The answer first, then the event.
  const second = expectWrite(w, '/registry/pods/ns/b', pod('b'));
  const answer = w.resultOf(second.own!, 9);
  assert.equal(w.take('/registry/pods/ns/b', second.value, 9), answer);
});

test('an event with other bytes, a forgotten write, an unwatched key or a non-JSON object is not reused', () => {
  const w = new OwnWrites();
  const stop = w.watching('/registry/pods/');
  const { own } = expectWrite(w, '/registry/pods/ns/a', pod('a'));
  assert.equal(w.take('/registry/pods/ns/a', Buffer.from(JSON.stringify(pod('someone-else'))), 3), undefined);
  w.forget('/registry/pods/ns/a', own);
  assert.equal(w.size, 0);
  assert.equal(expectWrite(w, '/registry/configmaps/ns/a', pod('a')).own, undefined, 'nobody watches configmaps');
  const withUndefined = { ...pod('u'), status: undefined } as unknown as KubeObject;
  assert.equal(expectWrite(w, '/registry/pods/ns/u', withUndefined).own, undefined);
  stop();
  assert.equal(expectWrite(w, '/registry/pods/ns/a', pod('a')).own, undefined, 'the watch ended');
});

test('writes whose event never comes are bounded in number and in bytes, oldest first', () => {
  const w = new OwnWrites({ maxEntries: 3, maxBytes: 1_000_000 });
  w.watching('/registry/pods/');
  const writes = ['a', 'b', 'c', 'd'].map((n) => expectWrite(w, `/registry/pods/ns/${n}`, pod(n)));
  assert.equal(w.size, 3);
  assert.equal(w.take('/registry/pods/ns/a', writes[0].value, 1), undefined, 'the oldest went');
  assert.ok(w.take('/registry/pods/ns/d', writes[3].value, 2));
  const small = new OwnWrites({ maxEntries: 100, maxBytes: 2 * writes[0].value.length });
  small.watching('/registry/pods/');
  for (const n of ['a', 'b', 'c']) expectWrite(small, `/registry/pods/ns/${n}`, pod(n));
  assert.equal(small.size, 2);
});
