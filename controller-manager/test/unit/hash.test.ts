import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, computeHash, fnv32a, safeEncodeString, SAFE_ALPHANUMS } from '../../src/util/hash.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('pod-template-hash', () => {
  it('fnv32a matches the FNV-1a test vectors', () => {
    assert.equal(fnv32a(bytes('')), 0x811c9dc5);
    assert.equal(fnv32a(bytes('a')), 0xe40c292c);
    assert.equal(fnv32a(bytes('foobar')), 0xbf9cf968);
    // Continuing from a hash is hashing the concatenation.
    assert.equal(fnv32a(bytes('bar'), fnv32a(bytes('foo'))), 0xbf9cf968);
  });

  it('safeEncodeString maps each character by its code, as rand.SafeEncodeString', () => {
    assert.equal(safeEncodeString('123'), '567');
    assert.equal(safeEncodeString('0'), '4');
    for (const ch of safeEncodeString('4294967295')) assert.ok(SAFE_ALPHANUMS.includes(ch));
  });

  it('canonical JSON ignores key order and null fields', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }), '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
    assert.equal(canonicalJson({ metadata: { creationTimestamp: null, labels: { a: 'b' } } }), canonicalJson({ metadata: { labels: { a: 'b' } } }));
  });

  it('the same template gives the same hash; another template or collision count another one', () => {
    const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1' }] } };
    const same = { spec: { containers: [{ image: 'nginx:1', name: 'app' }] }, metadata: { labels: { app: 'web' } } };
    const h = computeHash(t);
    assert.equal(computeHash(same), h);
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.notEqual(computeHash({ ...t, spec: { containers: [{ name: 'app', image: 'nginx:2' }] } }), h);
    assert.notEqual(computeHash(t, 0), h, 'a collision count of 0 is part of the hash');
    assert.notEqual(computeHash(t, 1), computeHash(t, 0));
    assert.equal(computeHash(t, null), h);
  });
});
