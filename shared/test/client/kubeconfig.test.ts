import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildConfigFromFlags, loadKubeconfig, parseKubeconfig } from '../../src/client/kubeconfig.ts';

const KUBECONFIG = `
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority-data: ${Buffer.from('-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n').toString('base64')}
- name: local
  cluster:
    server: http://127.0.0.1:8080
users:
- name: admin
  user:
    token: s3cret
- name: basic
  user:
    username: alice
    password: pw
contexts:
- name: dev
  context: { cluster: local, user: basic, namespace: team-a }
- name: prod
  context: { cluster: prod, user: admin }
`;

test('the current context selects cluster, user and namespace', () => {
  const cfg = parseKubeconfig(KUBECONFIG);
  assert.deepEqual(cfg, { server: 'http://127.0.0.1:8080', username: 'alice', password: 'pw', namespace: 'team-a' });
});

test('another context, with CA data and a token', () => {
  const cfg = parseKubeconfig(KUBECONFIG, '/', 'prod');
  assert.equal(cfg.server, 'https://10.0.0.1:6443');
  assert.equal(cfg.token, 's3cret');
  assert.match(cfg.ca!, /BEGIN CERTIFICATE/);
});

test('a missing context or cluster is an error naming it', () => {
  assert.throws(() => parseKubeconfig(KUBECONFIG, '/', 'nope'), /context "nope" not found/);
  assert.throws(() => parseKubeconfig('current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n'), /cluster "c"/);
});

test('--master alone, and --master overriding the kubeconfig server; file references are relative to the kubeconfig', () => {
  assert.deepEqual(buildConfigFromFlags('http://127.0.0.1:9999'), { server: 'http://127.0.0.1:9999' });
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  writeFileSync(join(dir, 'token'), 'from-file\n');
  writeFileSync(
    join(dir, 'config'),
    'current-context: c\nclusters: [{name: k, cluster: {server: "http://a:1"}}]\nusers: [{name: u, user: {tokenFile: token}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n',
  );
  assert.equal(loadKubeconfig(join(dir, 'config')).token, 'from-file');
  const cfg = buildConfigFromFlags('http://b:2', join(dir, 'config'));
  assert.equal(cfg.server, 'http://b:2');
  assert.equal(cfg.token, 'from-file');
  const saved = process.env.KUBECONFIG;
  delete process.env.KUBECONFIG;
  try {
    assert.throws(() => buildConfigFromFlags(), /neither --kubeconfig nor --master/);
  } finally {
    if (saved !== undefined) process.env.KUBECONFIG = saved;
  }
});
