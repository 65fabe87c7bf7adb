import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FieldSelector,
  FieldSelectorError,
  escapeFieldValue,
  fieldSelectorFromSet,
  parseFieldSelector,
  unescapeFieldValue,
} from '../../src/fields/index.ts';

function fields(map: Record<string, string>): (f: string) => string | undefined {
  return (f) => map[f];
}

describe('parseFieldSelector', () => {
  it('parses =, == and != terms, sorted as upstream sorts them', () => {
    const s = parseFieldSelector('status.phase!=Failed,metadata.name==web-1,spec.nodeName=node-1');
    assert.deepEqual(s.requirements, [
      { field: 'metadata.name', operator: '=', value: 'web-1' },
      { field: 'spec.nodeName', operator: '=', value: 'node-1' },
      { field: 'status.phase', operator: '!=', value: 'Failed' },
    ]);
    assert.equal(s.toString(), 'metadata.name=web-1,spec.nodeName=node-1,status.phase!=Failed');
  });

  it('splits each term at its first operator; a further `=` in the value must be escaped', () => {
    assert.deepEqual(parseFieldSelector('a=b\\=c').requirements, [{ field: 'a', operator: '=', value: 'b=c' }]);
    assert.deepEqual(parseFieldSelector('a==b').requirements, [{ field: 'a', operator: '=', value: 'b' }]);
    assert.deepEqual(parseFieldSelector('a!=\\=b').requirements, [{ field: 'a', operator: '!=', value: '=b' }]);
    assert.throws(() => parseFieldSelector('a!==b'), FieldSelectorError);
  });

  it('unescapes \\\\, \\, and \\= in values and splits only on unescaped commas', () => {
    const s = parseFieldSelector('involvedObject.name=a\\,b,involvedObject.kind=K\\\\');
    assert.deepEqual(
      s.requirements.map((r) => [r.field, r.value]),
      [
        ['involvedObject.kind', 'K\\'],
        ['involvedObject.name', 'a,b'],
      ],
    );
    assert.equal(parseFieldSelector(s.toString()).toString(), s.toString());
  });

  it('skips empty terms; the empty string selects everything', () => {
    assert.equal(parseFieldSelector('').empty(), true);
    assert.equal(parseFieldSelector(',').empty(), true);
    assert.equal(parseFieldSelector('a=b,,').requirements.length, 1);
    assert.equal(parseFieldSelector('').matches(fields({})), true);
  });

  it("rejects terms without an operator and bad escapes with upstream's messages", () => {
    assert.throws(() => parseFieldSelector('a=b,nonsense'), (e: unknown) =>
      e instanceof FieldSelectorError && e.message === "invalid selector: 'a=b,nonsense'; can't understand 'nonsense'");
    assert.throws(() => parseFieldSelector('a=b\\x'), { message: 'invalid field selector: invalid escape sequence: \\x' });
    assert.throws(() => parseFieldSelector('a=b\\'), { message: 'invalid field selector: invalid escape sequence: \\' });
    assert.throws(() => parseFieldSelector('a=b=c'), { message: 'invalid field selector: unescaped character in value: 61' });
  });
});

describe('FieldSelector.matches', () => {
  const pod = fields({ 'metadata.name': 'web-1', 'spec.nodeName': 'node-1', 'status.phase': 'Running' });

  it('ANDs equality and inequality terms', () => {
    assert.equal(parseFieldSelector('metadata.name=web-1').matches(pod), true);
    assert.equal(parseFieldSelector('metadata.name=web-2').matches(pod), false);
    assert.equal(parseFieldSelector('status.phase!=Failed,spec.nodeName=node-1').matches(pod), true);
    assert.equal(parseFieldSelector('status.phase!=Running').matches(pod), false);
  });

  it('reads an absent field as the empty string (`spec.nodeName=` selects unscheduled pods)', () => {
    const pending = fields({ 'metadata.name': 'p' });
    assert.equal(parseFieldSelector('spec.nodeName=').matches(pending), true);
    assert.equal(parseFieldSelector('spec.nodeName=').matches(pod), false);
    assert.equal(parseFieldSelector('spec.nodeName!=').matches(pending), false);
  });

  it('exposes requirements so a server can refuse unsupported fields', () => {
    const s = parseFieldSelector('metadata.name=x,spec.unknown=y');
    const supported = new Set(['metadata.name', 'metadata.namespace']);
    assert.deepEqual(s.requirements.filter((r) => !supported.has(r.field)).map((r) => r.field), ['spec.unknown']);
    assert.equal(s.requiresExactMatch('metadata.name'), 'x');
    assert.equal(parseFieldSelector('metadata.name!=x').requiresExactMatch('metadata.name'), undefined);
  });
});

describe('escaping and building', () => {
  it('escape and unescape are inverse', () => {
    for (const v of ['plain', 'a,b', 'x=y', 'back\\slash', '\\,=']) assert.equal(unescapeFieldValue(escapeFieldValue(v)), v);
    assert.equal(escapeFieldValue('a,b=c\\'), 'a\\,b\\=c\\\\');
  });

  it('fieldSelectorFromSet builds sorted equality terms', () => {
    const s = fieldSelectorFromSet({ 'spec.nodeName': 'n,1', 'metadata.name': 'a' });
    assert.equal(s.toString(), 'metadata.name=a,spec.nodeName=n\\,1');
    assert.equal(s.matches(fields({ 'metadata.name': 'a', 'spec.nodeName': 'n,1' })), true);
    assert.equal(FieldSelector.everything().empty(), true);
  });
});
