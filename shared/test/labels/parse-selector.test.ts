import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LabelSelectorError, parseSelector } from '../../src/labels/index.ts';

describe('parseSelector', () => {
  it('parses every operator and keeps requirements sorted by key', () => {
    const s = parseSelector('tier notin (cache), app==web,  env in (prod, staging),!canary,zone!=b,track,n>3,m<10,x=y');
    assert.deepEqual(
      s.requirements.map((r) => [r.key, r.operator, r.values]),
      [
        ['app', '==', ['web']],
        ['canary', '!', []],
        ['env', 'in', ['prod', 'staging']],
        ['m', 'lt', ['10']],
        ['n', 'gt', ['3']],
        ['tier', 'notin', ['cache']],
        ['track', 'exists', []],
        ['x', '=', ['y']],
        ['zone', '!=', ['b']],
      ],
    );
    assert.equal(s.toString(), 'app==web,!canary,env in (prod,staging),m<10,n>3,tier notin (cache),track,x=y,zone!=b');
  });

  it('treats in/notin as identifiers where a key or value is expected', () => {
    const s = parseSelector('in in (in, notin)');
    assert.deepEqual(s.requirements, [{ key: 'in', operator: 'in', values: ['in', 'notin'] }]);
  });

  it('accepts empty values: `a=`, `a in ()`, `(x,,y)`; deduplicates and sorts set values', () => {
    assert.deepEqual(parseSelector('a=').requirements[0].values, ['']);
    assert.deepEqual(parseSelector('a in ()').requirements[0].values, ['']);
    assert.deepEqual(parseSelector('x in (foo,,baz,foo)').requirements[0].values, ['', 'baz', 'foo']);
    assert.equal(parseSelector('x in (foo,,baz),y,z notin ()').toString(), 'x in (,baz,foo),y,z notin ()');
  });

  it('the empty string and whitespace select everything', () => {
    for (const s of ['', '   ']) {
      const sel = parseSelector(s);
      assert.equal(sel.empty(), true);
      assert.equal(sel.matches({ any: 'thing' }), true);
      assert.equal(sel.matches(undefined), true);
    }
  });

  it('round-trips through toString', () => {
    for (const s of ['a=b', 'a!=b,c in (d,e)', '!x,y', 'example.com/app notin (a,b)', 'k>5']) {
      assert.equal(parseSelector(parseSelector(s).toString()).toString(), parseSelector(s).toString());
    }
  });

  const errors: Array<[string, string]> = [
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=b,', "found '', expected: identifier after ','"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['n>x', `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`],
  ];
  for (const [input, message] of errors) {
    it(`rejects ${JSON.stringify(input)} with upstream's message`, () => {
      assert.throws(() => parseSelector(input), (e: unknown) => e instanceof LabelSelectorError && e.message === message);
    });
  }

  it('validates keys against a nil path and values by index and key, as upstream prints them', () => {
    assert.throws(
      () => parseSelector('-a=b'),
      {
        name: 'LabelSelectorError',
        message:
          'unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters, ' +
          "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or " +
          "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      },
    );
    assert.throws(() => parseSelector('a=-b'), /^LabelSelectorError: unable to parse requirement: values\[0\]\[a\]: Invalid value: "-b": a valid label must be an empty string/);
    // Several bad values are aggregated in brackets.
    assert.throws(() => parseSelector('a in (x,-y,-z)'), /requirement: \[values\[0\]\[a\]: Invalid value: "-y": .*, values\[1\]\[a\]: Invalid value: "-z": /);
    assert.throws(() => parseSelector(`a=${'v'.repeat(64)}`), /must be no more than 63 characters/);
    assert.throws(() => parseSelector('Bad.Prefix/k=v'), /prefix part a lowercase RFC 1123 subdomain/);
  });
});
