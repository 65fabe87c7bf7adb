import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { nameValidatorFor, validateCreate, validateUpdate } from '../../src/validation/index.ts';
import { createErrors, DNS1035_MSG, LABEL_MSG, pod, service, stored, SUBDOMAIN_MSG, updateErrors } from './helpers.ts';

test('name or generateName is required', () => {
  const p = pod();
  delete p.metadata.name;
  assert.deepEqual(createErrors('', 'Pod', p), ['metadata.name: Required value: name or generateName is required']);
});

test('generateName may end with a dash; a bad prefix is reported on generateName', () => {
  const subdomain = nameValidatorFor('', 'pods');
  assert.deepEqual(subdomain('web-', true), []);
  assert.deepEqual(subdomain('web-', false), [SUBDOMAIN_MSG]);
  const p = pod();
  p.metadata = { generateName: 'Web-', name: 'web-x1y2z', namespace: 'default' };
  assert.deepEqual(createErrors('', 'Pod', p), [`metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN_MSG}`]);
});

test('name rules differ per resource', () => {
  assert.deepEqual(nameValidatorFor('', 'namespaces')('a.b', false), ['must not contain dots']);
  assert.deepEqual(nameValidatorFor('', 'configmaps')('a.b', false), []);
  assert.deepEqual(nameValidatorFor('', 'services')('1web', false), [DNS1035_MSG]);
  assert.deepEqual(nameValidatorFor('', 'pods')('1web', false), []);
  assert.deepEqual(nameValidatorFor('apps', 'statefulsets')('db.v1', false), ['must not contain dots']);
  assert.deepEqual(nameValidatorFor('', 'events')('Any_Name.123abc', false), []);
  assert.deepEqual(nameValidatorFor('', 'events')('a/b', false), ["may not contain '/'"]);
  assert.deepEqual(nameValidatorFor('', 'namespaces')('x'.repeat(64), false), ['must be no more than 63 characters']);
});

test('a Service name must be a DNS-1035 label', () => {
  const s = service();
  s.metadata.name = '1web';
  assert.deepEqual(createErrors('', 'Service', s), [`metadata.name: Invalid value: "1web": ${DNS1035_MSG}`]);
});

test('a namespaced object needs a namespace; a cluster-scoped one may not have one', () => {
  const p = pod();
  delete p.metadata.namespace;
  assert.deepEqual(createErrors('', 'Pod', p), ['metadata.namespace: Required value']);
  const node: KubeObject = { metadata: { name: 'n1', namespace: 'default' } };
  assert.deepEqual(createErrors('', 'Node', node), ['metadata.namespace: Forbidden: not allowed on this type']);
  const p2 = pod();
  p2.metadata.namespace = 'Bad_NS';
  assert.deepEqual(createErrors('', 'Pod', p2), [`metadata.namespace: Invalid value: "Bad_NS": ${LABEL_MSG}`]);
});

test('label keys and values', () => {
  const p = pod();
  p.metadata.labels = { 'app.kubernetes.io/name': 'ok', 'bad key': 'v', k: '-bad-' };
  const errs = createErrors('', 'Pod', p);
  assert.equal(errs.length, 2);
  assert.match(errs[0]!, /^metadata\.labels: Invalid value: "bad key": name part must consist of alphanumeric characters/);
  assert.match(errs[1]!, /^metadata\.labels: Invalid value: "-bad-": a valid label must be an empty string or consist of/);
});

test('annotation keys and total size (256 KiB)', () => {
  const p = pod();
  p.metadata.annotations = { 'example.com/Mixed_Case': 'fine', big: 'x'.repeat(256 * 1024) };
  assert.deepEqual(createErrors('', 'Pod', p), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
  const q = pod();
  q.metadata.annotations = { '/nope': 'v' };
  assert.deepEqual(createErrors('', 'Pod', q), ['metadata.annotations: Invalid value: "/nope": prefix part must be non-empty']);
});

test('finalizers must be standard or fully qualified', () => {
  const p = pod();
  p.metadata.finalizers = ['example.com/cleanup', 'kubernetes', 'cleanup'];
  assert.deepEqual(createErrors('', 'Pod', p), [
    'metadata.finalizers[2]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
  ]);
});

test('owner references need a version, kind, name and uid; one controller at most', () => {
  const p = pod();
  p.metadata.ownerReferences = [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs2', uid: '', controller: true },
  ];
  const errs = createErrors('', 'Pod', p);
  assert.equal(errs[0], 'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty');
  assert.match(errs[1]!, /Only one reference can have Controller set to true. Found "true" in references for ReplicaSet\/rs and ReplicaSet\/rs2$/);
});

test('uid, name, namespace and creationTimestamp are immutable', () => {
  const old = stored('', 'ConfigMap', { metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1' } });
  const next = structuredClone(old);
  next.metadata.uid = 'other';
  next.metadata.name = 'cfg2';
  next.metadata.creationTimestamp = '2030-01-01T00:00:00Z';
  assert.deepEqual(updateErrors('', 'ConfigMap', next, old), [
    'metadata.name: Invalid value: "cfg2": field is immutable',
    'metadata.uid: Invalid value: "other": field is immutable',
    'metadata.creationTimestamp: Invalid value: 2030-01-01 00:00:00 +0000 UTC: field is immutable',
  ]);
});

test('an object being deleted takes no new finalizers', () => {
  const old = stored('', 'ConfigMap', { metadata: { name: 'cfg', namespace: 'default', deletionTimestamp: '2025-01-02T00:00:00Z', finalizers: ['a.io/x'] } });
  const next = structuredClone(old);
  next.metadata.finalizers = ['a.io/x', 'b.io/y'];
  assert.deepEqual(updateErrors('', 'ConfigMap', next, old), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
  ]);
});

test('an Event name only needs to fit in a URL path segment', () => {
  const ev: KubeObject = {
    metadata: { name: 'web.17f3a2b4c5d6e7f8', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
    reason: 'Scheduled',
  };
  assert.deepEqual(validateCreate('', 'Event', ev), []);
  const bad: KubeObject = { metadata: { name: '..', namespace: 'default' }, involvedObject: { namespace: 'default' } };
  assert.deepEqual(validateCreate('', 'Event', bad).map((e) => `${e.field}: ${e.detail}`), [`metadata.name: Invalid value: "..": may not be '..'`]);
  const other: KubeObject = { metadata: { name: 'e', namespace: 'default' }, involvedObject: { namespace: 'kube-system' } };
  assert.deepEqual(validateUpdate('', 'Event', other, other).map((e) => `${e.field}: ${e.detail}`), [
    'involvedObject.namespace: Invalid value: "kube-system": does not match event.namespace',
  ]);
});
