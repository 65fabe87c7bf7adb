import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  LabelSelector,
  LabelSelectorError,
  newLabelRequirement,
  parseSelector,
  selectorFromLabelSelector,
  selectorFromSet,
  selectorToString,
} from '../../src/labels/index.ts';

describe('LabelSelector.matches', () => {
  const pod = { app: 'web', tier: 'front', n: '7' };

  const cases: Array<[string, Record<string, string> | undefined, boolean]> = [
    ['app=web', pod, true],
    ['app==web', pod, true],
    ['app=db', pod, false],
    ['app!=db', pod, true],
    ['app!=web', pod, false],
    ['missing!=x', pod, true], // NotEquals holds when the key is absent
    ['missing=x', pod, false],
    ['app in (db,web)', pod, true],
    ['app in (db)', pod, false],
    ['app notin (db)', pod, true],
    ['missing notin (db)', pod, true], // NotIn holds when the key is absent
    ['tier', pod, true],
    ['missing', pod, false],
    ['!missing', pod, true],
    ['!tier', pod, false],
    ['n>5', pod, true],
    ['n<5', pod, false],
    ['app>5', pod, false], // not an integer: no match
    ['app=web,tier=back', pod, false],
    ['app=web,tier=front', pod, true],
    ['app=web', undefined, false],
    ['!app', undefined, true],
    ['app=', { app: '' }, true],
    ['app=', {}, false],
  ];
  for (const [sel, labels, want] of cases) {
    it(`${sel} on ${JSON.stringify(labels)} -> ${want}`, () => {
      assert.equal(parseSelector(sel).matches(labels), want);
    });
  }

  it('does not see inherited properties as labels', () => {
    assert.equal(parseSelector('toString').matches({}), false);
    assert.equal(parseSelector('!constructor').matches({}), true);
  });
});

describe('everything and nothing', () => {
  it('everything matches all and is empty; nothing matches none and is not empty', () => {
    assert.equal(LabelSelector.everything().matches({ a: 'b' }), true);
    assert.equal(LabelSelector.everything().empty(), true);
    assert.equal(LabelSelector.nothing().matches({ a: 'b' }), false);
    assert.equal(LabelSelector.nothing().matches(undefined), false);
    assert.equal(LabelSelector.nothing().empty(), false);
    assert.equal(LabelSelector.nothing().matchesNothing(), true);
    assert.equal(LabelSelector.nothing().toString(), '');
  });
});

describe('selectorFromLabelSelector (metav1.LabelSelector)', () => {
  it('null and undefined select nothing; {} selects everything', () => {
    assert.equal(selectorFromLabelSelector(null).matches({ app: 'web' }), false);
    assert.equal(selectorFromLabelSelector(undefined).matches({}), false);
    assert.equal(selectorFromLabelSelector({}).matches({ app: 'web' }), true);
    assert.equal(selectorFromLabelSelector({ matchLabels: {}, matchExpressions: [] }).empty(), true);
  });

  it('ANDs matchLabels and matchExpressions, sorted by key', () => {
    const s = selectorFromLabelSelector({
      matchLabels: { tier: 'front', app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
        { key: 'owner', operator: 'Exists' },
      ],
    });
    assert.equal(s.toString(), 'app=web,!canary,env in (dev,prod),owner,tier=front,zone notin (b)');
    assert.equal(s.matches({ app: 'web', tier: 'front', env: 'dev', owner: 'me' }), true);
    assert.equal(s.matches({ app: 'web', tier: 'front', env: 'dev', owner: 'me', canary: 'y' }), false);
    assert.equal(s.matches({ app: 'web', tier: 'front', env: 'qa', owner: 'me' }), false);
    assert.equal(s.matches({ app: 'web', tier: 'front', env: 'dev' }), false);
    // The string form of a converted selector parses back to the same selector (Scale.status.selector).
    assert.equal(selectorToString(parseSelector(s.toString())), s.toString());
  });

  it('rejects unknown operators and invalid requirements', () => {
    assert.throws(
      () => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }),
      (e: unknown) => e instanceof LabelSelectorError && e.message === '"Gt" is not a valid label selector operator',
    );
    assert.throws(
      () => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
      { message: `values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty` },
    );
    assert.throws(
      () => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
      { message: `values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist` },
    );
    assert.throws(() => selectorFromLabelSelector({ matchLabels: { 'bad key': 'v' } }), /^LabelSelectorError: key: Invalid value: "bad key": name part must consist/);
  });
});

describe('selectorFromSet and add', () => {
  it('builds key=value requirements sorted by key; an empty set selects everything', () => {
    assert.equal(selectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
    assert.equal(selectorFromSet({}).empty(), true);
    assert.equal(selectorFromSet(undefined).matches({ x: 'y' }), true);
  });

  it('add returns a new selector and leaves the original untouched', () => {
    const base = parseSelector('app=web');
    const more = base.add(newLabelRequirement('tier', 'in', ['front']));
    assert.equal(base.toString(), 'app=web');
    assert.equal(more.toString(), 'app=web,tier in (front)');
    assert.equal(more.requiresExactMatch('tier'), 'front');
    assert.equal(more.requiresExactMatch('nope'), undefined);
    assert.equal(LabelSelector.nothing().add(newLabelRequirement('a', 'exists', [])).matchesNothing(), true);
  });

  it('requirements cannot be mutated through the selector', () => {
    const s = parseSelector('a=b');
    assert.throws(() => (s.requirements as unknown as unknown[]).push({}));
  });
});
