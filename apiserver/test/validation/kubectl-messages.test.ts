// The messages kubectl users see most, word for word as Kubernetes 1.32 prints them after
// `The <Kind> "<name>" is invalid: `.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createErrors, deployment, pod, service, stored, SUBDOMAIN_MSG, updateErrors } from './helpers.ts';

test('a Pod with no containers', () => {
  assert.deepEqual(createErrors('', 'Pod', pod({ containers: [] })), ['spec.containers: Required value']);
});

test('a Pod named Foo_Bar', () => {
  const p = pod();
  p.metadata.name = 'Foo_Bar';
  assert.deepEqual(createErrors('', 'Pod', p), [`metadata.name: Invalid value: "Foo_Bar": ${SUBDOMAIN_MSG}`]);
});

test('a Deployment whose selector does not match its template', () => {
  const d = deployment({ selector: { matchLabels: { app: 'api' } } });
  assert.deepEqual(createErrors('apps', 'Deployment', d), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
  ]);
});

test('a Deployment without a selector', () => {
  const d = deployment();
  delete d.spec.selector;
  assert.deepEqual(createErrors('apps', 'Deployment', d), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
  ]);
});

test('a Service with port 70000 (targetPort defaults to it)', () => {
  assert.deepEqual(createErrors('', 'Service', service({ ports: [{ port: 70000 }] })), [
    'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
  ]);
});

test('an update that changes a Deployment selector', () => {
  const old = stored('apps', 'Deployment', deployment());
  const next = structuredClone(old);
  next.spec.selector = { matchLabels: { app: 'web2' } };
  next.spec.template.metadata.labels = { app: 'web2' };
  assert.deepEqual(updateErrors('apps', 'Deployment', next, old), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
});

test("an update that changes a Pod's container command", () => {
  const old = stored('', 'Pod', pod({ containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] }));
  const next = structuredClone(old);
  next.spec.containers[0].command = ['sleep', '60'];
  const errs = updateErrors('', 'Pod', next, old);
  assert.equal(errs.length, 1);
  const prefix =
    'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,' +
    '`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
    '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n';
  assert.ok(errs[0]!.startsWith(prefix), errs[0]);
  // The rest describes the difference.
  assert.match(errs[0]!, /- \tcontainers\[0\]\.command\[1\]: "3600"/);
  assert.match(errs[0]!, /\+ \tcontainers\[0\]\.command\[1\]: "60"/);
});

test("an update that changes only a Pod's image is allowed", () => {
  const old = stored('', 'Pod', pod());
  const next = structuredClone(old);
  next.spec.containers[0].image = 'nginx:1.28';
  assert.deepEqual(updateErrors('', 'Pod', next, old), []);
});
