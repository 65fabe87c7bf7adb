import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { createErrors, stored, updateErrors } from './helpers.ts';

const KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

function cm(data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data, ...extra };
}

function secret(fields: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'default' }, ...fields };
}

test('config keys', () => {
  assert.deepEqual(createErrors('', 'ConfigMap', cm({ 'app.properties': 'x', 'bad/key': 'y', '..dots': 'z' })), [
    `data[bad/key]: Invalid value: "bad/key": ${KEY_MSG}`,
    `data[..dots]: Invalid value: "..dots": must not start with '..'`,
  ]);
});

test('a ConfigMap holds at most 1 MiB', () => {
  assert.deepEqual(createErrors('', 'ConfigMap', cm({ a: 'x'.repeat(1024 * 1024), b: 'y' })), ['[]: Too long: may not be more than 1048576 bytes']);
  assert.deepEqual(createErrors('', 'ConfigMap', cm({ a: 'x'.repeat(1024 * 1024) })), []);
});

test('a key may not be in both data and binaryData', () => {
  assert.deepEqual(createErrors('', 'ConfigMap', cm({ a: 'x' }, { binaryData: { a: 'eA==' } })), [
    'data[a]: Invalid value: "a": duplicate of key present in binaryData',
  ]);
});

test('immutable ConfigMaps and Secrets keep their data', () => {
  const old = stored('', 'ConfigMap', cm({ a: '1' }, { immutable: true }));
  const next = structuredClone(old);
  next.data = { a: '2' };
  assert.deepEqual(updateErrors('', 'ConfigMap', next, old), ['data: Forbidden: field is immutable when `immutable` is set']);
  const s = stored('', 'Secret', secret({ data: { a: 'MQ==' }, immutable: true }));
  const t = structuredClone(s);
  t.immutable = false;
  assert.deepEqual(updateErrors('', 'Secret', t, s), ['immutable: Forbidden: field is immutable when `immutable` is set']);
});

test('Secret data must be base64; its keys are config keys; its type is immutable', () => {
  assert.deepEqual(createErrors('', 'Secret', secret({ data: { token: 'c2VjcmV0', 'bad key': 'eA==' } })), [`data[bad key]: Invalid value: "bad key": ${KEY_MSG}`]);
  assert.deepEqual(createErrors('', 'Secret', secret({ data: { token: 'not base64!' } })), [
    'data[token]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3',
  ]);
  assert.deepEqual(createErrors('', 'Secret', secret({ data: { token: 'abcde' } })), [
    'data[token]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 4',
  ]);
  const old = stored('', 'Secret', secret({ data: { a: 'MQ==' } }));
  const next = structuredClone(old);
  next.type = 'kubernetes.io/tls';
  const errs = updateErrors('', 'Secret', next, old);
  assert.equal(errs[0], 'type: Invalid value: "kubernetes.io/tls": field is immutable');
});

test('typed Secrets need their keys', () => {
  assert.deepEqual(createErrors('', 'Secret', secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } })), ['data[tls.key]: Required value']);
  assert.deepEqual(createErrors('', 'Secret', secret({ type: 'kubernetes.io/basic-auth', stringData: { username: 'admin' } })), []);
  assert.deepEqual(createErrors('', 'Secret', secret({ type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': 'not json' } })).length, 1);
});

test('a Secret holds at most 1 MiB of decoded data', () => {
  const big = Buffer.alloc(1024 * 1024 + 1).toString('base64');
  assert.deepEqual(createErrors('', 'Secret', secret({ data: { big } })), ['data: Too long: may not be more than 1048576 bytes']);
});

test('bad base64 and bad quantities are decode errors upstream (400), reported with its message', async () => {
  const { decodeError } = await import('../../src/validation/index.ts');
  assert.equal(
    decodeError('', 'v1', 'Secret', secret({ data: { a: 'no!' } })),
    'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 2',
  );
  const d: KubeObject = {
    metadata: { name: 'd', namespace: 'default' },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: 'lots' } } }] } } },
  };
  assert.equal(
    decodeError('apps', 'v1', 'Deployment', d),
    `Deployment in version "apps/v1" cannot be handled as a Deployment: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
  );
  assert.equal(decodeError('', 'v1', 'Secret', secret({ data: { a: 'MQ==' } })), undefined);
});
