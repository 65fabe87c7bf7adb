import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, validateLabelKey, validateLabelValue } from '../../src/labels/index.ts';

describe('isDNS1123Label', () => {
  it('accepts lower-case alphanumerics and inner dashes, up to 63 characters', () => {
    for (const ok of ['a', 'my-name', '123-abc', '0', 'a'.repeat(63)]) assert.deepEqual(isDNS1123Label(ok), [], ok);
  });
  it("returns upstream's messages", () => {
    assert.deepEqual(isDNS1123Label('My_name'), [
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end " +
        "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
    assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
    assert.equal(isDNS1123Label('').length, 1);
    assert.equal(isDNS1123Label('-a').length, 1);
    assert.equal(isDNS1123Label('a\n').length, 1);
  });
});

describe('isDNS1123Subdomain', () => {
  it('accepts dotted names up to 253 characters', () => {
    for (const ok of ['example.com', 'a', 'kube-system', `${'a'.repeat(63)}.${'b'.repeat(63)}`]) assert.deepEqual(isDNS1123Subdomain(ok), [], ok);
  });
  it('rejects upper case, empty labels and overlong names', () => {
    assert.deepEqual(isDNS1123Subdomain('Example.com'), [
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end " +
        "with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    assert.equal(isDNS1123Subdomain('a..b').length, 1);
    assert.deepEqual(isDNS1123Subdomain('a'.repeat(254))[0], 'must be no more than 253 characters');
  });
});

describe('isDNS1035Label', () => {
  it('must start with a letter', () => {
    assert.deepEqual(isDNS1035Label('web'), []);
    assert.match(isDNS1035Label('1web')[0], /^a DNS-1035 label must consist of .* \(e\.g\. 'my-name',  or 'abc-123', /);
  });
});

describe('validateLabelKey', () => {
  it('accepts a name with an optional DNS subdomain prefix', () => {
    for (const ok of ['app', 'App.Name_1', 'example.com/app', 'kubernetes.io/metadata.name', 'a'.repeat(63)]) assert.deepEqual(validateLabelKey(ok), [], ok);
  });
  it('rejects bad prefixes, names and shapes', () => {
    assert.deepEqual(validateLabelKey('/a'), ['prefix part must be non-empty']);
    assert.deepEqual(validateLabelKey('a/'), [
      'name part must be non-empty',
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
        "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
    assert.deepEqual(validateLabelKey('a'.repeat(64))[0], 'name part must be no more than 63 characters');
    assert.match(validateLabelKey('Ex.com/a')[0], /^prefix part a lowercase RFC 1123 subdomain/);
    assert.match(validateLabelKey('a/b/c')[0], /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  });
});

describe('validateLabelValue', () => {
  it('accepts the empty string and qualified-name characters', () => {
    for (const ok of ['', 'v', 'My_value-1.2', 'a'.repeat(63)]) assert.deepEqual(validateLabelValue(ok), [], ok);
  });
  it('rejects bad characters and overlong values', () => {
    assert.match(validateLabelValue('-v')[0], /^a valid label must be an empty string or consist of .*'MyValue',  or 'my_value',  or '12345'/);
    assert.equal(validateLabelValue('a b').length, 1);
    assert.deepEqual(validateLabelValue('a'.repeat(64)), ['must be no more than 63 characters']);
  });
});
