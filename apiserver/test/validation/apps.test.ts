import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { createErrors, deployment, LABEL_MSG, stored, updateErrors } from './helpers.ts';

function workload(kind: string, spec: Record<string, any> = {}): KubeObject {
  const d = deployment(spec);
  d.kind = kind;
  return d;
}

test('a valid Deployment, ReplicaSet, DaemonSet and StatefulSet pass', () => {
  for (const kind of ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet']) {
    assert.deepEqual(createErrors('apps', kind, workload(kind)), [], kind);
  }
});

test('replicas may not be negative; the template must restart Always', () => {
  const d = deployment({ replicas: -1 });
  d.spec.template.spec.restartPolicy = 'Never';
  assert.deepEqual(createErrors('apps', 'Deployment', d), [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  ]);
});

test('an empty selector is invalid', () => {
  const d = deployment({ selector: {} });
  assert.deepEqual(createErrors('apps', 'Deployment', d), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  ]);
});

test('matchExpressions select the template too', () => {
  const d = deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] } });
  assert.deepEqual(createErrors('apps', 'Deployment', d), []);
  const bad = deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }, { key: 'tier', operator: 'Near' }] } });
  assert.deepEqual(createErrors('apps', 'Deployment', bad), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    'spec.selector.matchExpressions[1].operator: Invalid value: "Near": not a valid selector operator',
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string{}}, v1.LabelSelectorRequirement{Key:"tier", Operator:"Near", Values:[]string(nil)}}}: invalid label selector',
  ]);
});

test('maxSurge and maxUnavailable may not both be 0; percentages are checked', () => {
  const d = deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } });
  assert.deepEqual(createErrors('apps', 'Deployment', d), [
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0',
  ]);
  const e = deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'ten', maxUnavailable: '150%' } } });
  assert.deepEqual(createErrors('apps', 'Deployment', e), [
    "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"ten\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
  ]);
  const r = deployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } });
  assert.deepEqual(createErrors('apps', 'Deployment', r), ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
});

test('progressDeadlineSeconds must exceed minReadySeconds', () => {
  const d = deployment({ minReadySeconds: 700 });
  assert.deepEqual(createErrors('apps', 'Deployment', d), ['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds']);
});

test('selectors are immutable for every apps/v1 workload; other changes are fine', () => {
  for (const kind of ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet']) {
    const old = stored('apps', kind, workload(kind));
    const scaled = structuredClone(old);
    if (kind !== 'DaemonSet') scaled.spec.replicas = 5;
    scaled.spec.template.spec.containers[0].image = 'nginx:1.28';
    assert.deepEqual(updateErrors('apps', kind, scaled, old), [], kind);
    const moved = structuredClone(old);
    moved.spec.selector = { matchLabels: { app: 'web', tier: 'x' } };
    moved.spec.template.metadata.labels.tier = 'x';
    const errs = updateErrors('apps', kind, moved, old);
    // StatefulSets refuse it through their list of mutable spec fields, the others explicitly.
    const expected = kind === 'StatefulSet' ? /^spec: Forbidden: updates to statefulset spec for fields other than/ : /^spec\.selector: Invalid value: v1\.LabelSelector\{.*\}: field is immutable$/;
    assert.ok(errs.length === 1 && expected.test(errs[0]!), `${kind}: ${errs}`);
  }
});

test('DaemonSet update strategy: exactly one of maxSurge and maxUnavailable', () => {
  const ds = workload('DaemonSet', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } });
  assert.deepEqual(createErrors('apps', 'DaemonSet', ds), [
    'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
  ]);
  const none = workload('DaemonSet', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } });
  assert.deepEqual(createErrors('apps', 'DaemonSet', none), ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']);
});

test('StatefulSet: DNS-label names, policies, and only some spec fields may change', () => {
  const sts = workload('StatefulSet', { podManagementPolicy: 'Random' });
  sts.metadata.name = 'db.v1';
  assert.deepEqual(createErrors('apps', 'StatefulSet', sts), [
    'metadata.name: Invalid value: "db.v1": must not contain dots',
    "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
  ]);
  const old = stored('apps', 'StatefulSet', workload('StatefulSet', { serviceName: 'db' }));
  const next = structuredClone(old);
  next.spec.serviceName = 'other';
  assert.deepEqual(updateErrors('apps', 'StatefulSet', next, old), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
});

test('the pod template is validated like a pod spec', () => {
  const d = deployment();
  d.spec.template.spec.containers[0].name = 'Bad_Name';
  assert.deepEqual(createErrors('apps', 'ReplicaSet', { ...d, kind: 'ReplicaSet' }), [
    `spec.template.spec.containers[0].name: Invalid value: "Bad_Name": ${LABEL_MSG}`,
  ]);
});
