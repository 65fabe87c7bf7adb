// Rows of apps/v1 and batch/v1 resources.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { columnDefinitions, printRow } from '../../src/printers/index.ts';
import { NOW, ago, S, M, H } from './support.ts';

const names = (group: string, resource: string) => columnDefinitions(group, resource).map((c) => (c.priority ? `${c.name}*` : c.name));
const template = {
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'nginx', image: 'nginx:1.27' },
      { name: 'log', image: 'busybox:1.36' },
    ],
  },
};

function workload(spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(5 * M), ...meta }, spec: { template, ...spec }, status };
}

describe('deployment printer', () => {
  it('has upstream columns', () => {
    assert.deepEqual(names('apps', 'deployments'), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
  });

  it('prints READY as ready/desired', () => {
    const d = workload(
      { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }] } },
      { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
    );
    assert.deepEqual(printRow('apps', 'deployments', d, NOW), ['web', '2/3', 3, 2, '5m', 'nginx,log', 'nginx:1.27,busybox:1.36', 'app=web,tier in (edge,front)']);
  });

  it('prints a fresh deployment with zero counts and the defaulted replica count', () => {
    const d = workload({ selector: { matchLabels: { app: 'web' } } }, {});
    assert.deepEqual(printRow('apps', 'deployments', d, NOW).slice(1, 4), ['0/1', 0, 0]);
    const scaledToZero = workload({ replicas: 0, selector: {} }, {});
    assert.deepEqual(printRow('apps', 'deployments', scaledToZero, NOW).slice(1, 2), ['0/0']);
    // An empty selector prints as the empty string for deployments.
    assert.equal(printRow('apps', 'deployments', scaledToZero, NOW)[7], '');
    const bad = workload({ selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } }, {});
    assert.equal(printRow('apps', 'deployments', bad, NOW)[7], '<invalid>');
  });
});

describe('replicaset, daemonset and statefulset printers', () => {
  it('replicasets: DESIRED CURRENT READY', () => {
    assert.deepEqual(names('apps', 'replicasets'), ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']);
    const rs = workload({ replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d8f9' } } }, { replicas: 3, readyReplicas: 1 }, { name: 'web-5d8f9' });
    assert.deepEqual(printRow('apps', 'replicasets', rs, NOW), ['web-5d8f9', 3, 3, 1, '5m', 'nginx,log', 'nginx:1.27,busybox:1.36', 'app=web,pod-template-hash=5d8f9']);
    assert.equal(printRow('apps', 'replicasets', workload({ selector: {} }, {}), NOW)[7], '<none>');
    assert.equal(printRow('apps', 'replicasets', workload({ selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } }, {}), NOW)[7], '<error>');
  });

  it('daemonsets: DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR', () => {
    assert.deepEqual(names('apps', 'daemonsets'), ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers*', 'Images*', 'Selector*']);
    const ds = workload(
      {
        selector: { matchLabels: { app: 'proxy' } },
        template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'kube-proxy', image: 'minik8s/node:dev' }] } },
      },
      { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
      { name: 'kube-proxy' },
    );
    assert.deepEqual(printRow('apps', 'daemonsets', ds, NOW), ['kube-proxy', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '5m', 'kube-proxy', 'minik8s/node:dev', 'app=proxy']);
    assert.equal(printRow('apps', 'daemonsets', workload({}, {}), NOW)[6], '<none>');
  });

  it('statefulsets: READY as ready/desired', () => {
    assert.deepEqual(names('apps', 'statefulsets'), ['Name', 'Ready', 'Age', 'Containers*', 'Images*']);
    const sts = workload({ replicas: 3, serviceName: 'db' }, { replicas: 2, readyReplicas: 2 }, { name: 'db' });
    assert.deepEqual(printRow('apps', 'statefulsets', sts, NOW), ['db', '2/3', '5m', 'nginx,log', 'nginx:1.27,busybox:1.36']);
  });
});

describe('job printer', () => {
  const job = (spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}) =>
    workload({ selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, ...spec }, status, { name: 'pi', ...meta });

  it('has the 1.32 columns: STATUS COMPLETIONS DURATION AGE', () => {
    assert.deepEqual(names('batch', 'jobs'), ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers*', 'Images*', 'Selector*']);
  });

  it('prints a completed job 1/1 Complete with completionTime - startTime as duration', () => {
    const j = job(
      { completions: 1, parallelism: 1 },
      {
        startTime: ago(4 * M),
        completionTime: ago(4 * M - 17 * S),
        succeeded: 1,
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True' },
          { type: 'Complete', status: 'True' },
        ],
      },
    );
    assert.deepEqual(printRow('batch', 'jobs', j, NOW), ['pi', 'Complete', '1/1', '17s', '5m', 'nginx,log', 'nginx:1.27,busybox:1.36', 'batch.kubernetes.io/controller-uid=u1']);
  });

  it('prints a running job with the time since it started, and empty before it starts', () => {
    assert.deepEqual(printRow('batch', 'jobs', job({ completions: 5, parallelism: 2 }, { startTime: ago(3 * M + 20 * S), active: 2, succeeded: 1 }), NOW).slice(1, 4), ['Running', '1/5', '3m20s']);
    assert.deepEqual(printRow('batch', 'jobs', job({ completions: 1 }, {}), NOW).slice(1, 4), ['Running', '0/1', '']);
  });

  it('prints completions of work-queue jobs without spec.completions', () => {
    assert.equal(printRow('batch', 'jobs', job({ parallelism: 3 }, { succeeded: 1 }), NOW)[2], '1/1 of 3');
    assert.equal(printRow('batch', 'jobs', job({ parallelism: 1 }, {}), NOW)[2], '0/1');
    assert.equal(printRow('batch', 'jobs', job({}, {}), NOW)[2], '0/1');
  });

  it('orders STATUS as Complete, Failed, Terminating, Suspended, FailureTarget, Running', () => {
    const status = (conditions: { type: string; status: string }[], meta: Record<string, unknown> = {}) => printRow('batch', 'jobs', job({ completions: 1 }, { conditions }, meta), NOW)[1];
    assert.equal(status([{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True' }]), 'Failed');
    assert.equal(status([{ type: 'Failed', status: 'True' }], { deletionTimestamp: ago(0) }), 'Failed');
    assert.equal(status([{ type: 'Suspended', status: 'True' }], { deletionTimestamp: ago(0) }), 'Terminating');
    assert.equal(status([{ type: 'Suspended', status: 'True' }]), 'Suspended');
    assert.equal(status([{ type: 'Suspended', status: 'False' }]), 'Running');
    assert.equal(status([{ type: 'FailureTarget', status: 'True' }]), 'FailureTarget');
  });
});

describe('cronjob printer', () => {
  it('prints SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE', () => {
    assert.deepEqual(names('batch', 'cronjobs'), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers*', 'Images*', 'Selector*']);
    const cj: KubeObject = {
      metadata: { name: 'hello', creationTimestamp: ago(2 * H) },
      spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'hello', image: 'busybox' }] } } } } },
      status: { active: [{ name: 'hello-29000' }], lastScheduleTime: ago(2 * M) },
    };
    assert.deepEqual(printRow('batch', 'cronjobs', cj, NOW), ['hello', '*/5 * * * *', '<none>', 'False', 1, '2m', '120m', 'hello', 'busybox', '<none>']);
    const tz: KubeObject = { metadata: { name: 'tz', creationTimestamp: ago(M) }, spec: { schedule: '@daily', timeZone: 'Etc/UTC', suspend: true, jobTemplate: { spec: {} } } };
    assert.deepEqual(printRow('batch', 'cronjobs', tz, NOW).slice(1, 6), ['@daily', 'Etc/UTC', 'True', 0, '<none>']);
  });
});
