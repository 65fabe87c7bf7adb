import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { applyDefaults, generateJobSelector } from '../../src/defaulting/index.ts';

const template = () => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } });

function obj(kind: string, spec: Record<string, any>): KubeObject {
  return { kind, metadata: { name: 'web', namespace: 'default' }, spec };
}

test('Deployment defaults', () => {
  const d = obj('Deployment', { selector: { matchLabels: { app: 'web' } }, template: template() });
  applyDefaults('apps', 'Deployment', d);
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  // The template gets pod spec defaults, but nothing pod-only.
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(d.spec.template.spec.enableServiceLinks, undefined);
  assert.equal(d.spec.template.spec.priority, undefined);
  // apps/v1 does not copy template labels to the object.
  assert.equal(d.metadata.labels, undefined);
  const recreate = obj('Deployment', { strategy: { type: 'Recreate' }, template: template() });
  applyDefaults('apps', 'Deployment', recreate);
  assert.deepEqual(recreate.spec.strategy, { type: 'Recreate' });
});

test('ReplicaSet, DaemonSet and StatefulSet defaults', () => {
  const rs = obj('ReplicaSet', { template: template() });
  applyDefaults('apps', 'ReplicaSet', rs);
  assert.equal(rs.spec.replicas, 1);

  const ds = obj('DaemonSet', { template: template() });
  applyDefaults('apps', 'DaemonSet', ds);
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec.revisionHistoryLimit, 10);
  assert.equal(ds.spec.replicas, undefined);

  const sts = obj('StatefulSet', { template: template(), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1024Mi' } } } }] });
  applyDefaults('apps', 'StatefulSet', sts);
  assert.equal(sts.spec.replicas, 1);
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.equal(sts.spec.revisionHistoryLimit, 10);
  assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.deepEqual(sts.spec.volumeClaimTemplates[0], {
    metadata: { name: 'data' },
    spec: { resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
    status: { phase: 'Pending' },
  });
});

test('Job defaults: completions and parallelism', () => {
  const j = obj('Job', { template: template() });
  applyDefaults('batch', 'Job', j);
  assert.equal(j.spec.completions, 1);
  assert.equal(j.spec.parallelism, 1);
  assert.equal(j.spec.backoffLimit, 6);
  assert.equal(j.spec.completionMode, 'NonIndexed');
  assert.equal(j.spec.suspend, false);
  assert.equal(j.spec.podReplacementPolicy, 'TerminatingOrFailed');
  assert.equal(j.spec.manualSelector, undefined);
  // A Job without labels takes its template's.
  assert.deepEqual(j.metadata.labels, { app: 'web' });

  const parallel = obj('Job', { parallelism: 4, template: template() });
  applyDefaults('batch', 'Job', parallel);
  assert.equal(parallel.spec.completions, undefined);
  assert.equal(parallel.spec.parallelism, 4);

  const fixed = obj('Job', { completions: 5, template: template() });
  applyDefaults('batch', 'Job', fixed);
  assert.equal(fixed.spec.completions, 5);
  assert.equal(fixed.spec.parallelism, 1);
});

test('generateJobSelector labels the template and selects on the uid', () => {
  const j = obj('Job', { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
  j.metadata.uid = 'uid-1';
  generateJobSelector(j);
  applyDefaults('batch', 'Job', j);
  const expected = { 'batch.kubernetes.io/controller-uid': 'uid-1', 'batch.kubernetes.io/job-name': 'web', 'controller-uid': 'uid-1', 'job-name': 'web' };
  assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } });
  assert.deepEqual(j.spec.template.metadata.labels, expected);
  assert.deepEqual(j.metadata.labels, expected);

  // With template labels of its own, a Job keeps only those, whatever the order of the calls.
  for (const order of ['defaults-first', 'selector-first']) {
    const k = obj('Job', { template: template() });
    k.metadata.uid = 'uid-2';
    if (order === 'defaults-first') applyDefaults('batch', 'Job', k);
    generateJobSelector(k);
    applyDefaults('batch', 'Job', k);
    assert.deepEqual(k.metadata.labels, { app: 'web' }, order);
    assert.equal(k.spec.template.metadata.labels['job-name'], 'web');
  }

  const manual = obj('Job', { manualSelector: true, selector: { matchLabels: { app: 'web' } }, template: template() });
  manual.metadata.uid = 'uid-3';
  generateJobSelector(manual);
  assert.deepEqual(manual.spec.selector, { matchLabels: { app: 'web' } });
});

test('CronJob defaults; its job template only gets pod template defaults', () => {
  const cj = obj('CronJob', { schedule: '@hourly', jobTemplate: { spec: { template: template() } } });
  applyDefaults('batch', 'CronJob', cj);
  assert.equal(cj.spec.concurrencyPolicy, 'Allow');
  assert.equal(cj.spec.suspend, false);
  assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
  assert.equal(cj.spec.failedJobsHistoryLimit, 1);
  assert.equal(cj.spec.jobTemplate.spec.backoffLimit, undefined);
  assert.equal(cj.spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
});
