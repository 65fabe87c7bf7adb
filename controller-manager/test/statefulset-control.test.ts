// One StatefulSet sync step at a time (syncStatefulSet) with a recording StatefulPodControl.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { syncStatefulSet, type Revision, type StatefulPodControl } from '../src/controllers/statefulset/stateful-set-control.ts';
import { newStatefulSetPod, parentNameAndOrdinal } from '../src/controllers/statefulset/stateful-pod.ts';

const NOW = Date.UTC(2026, 0, 1);
const R1: Revision = { name: 'web-r1', template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } } };
const R2: Revision = { name: 'web-r2', template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v2' }] } } };

function sts(replicas: number, spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name: 'web', namespace: 'ns', uid: 'u', generation: 1 }, spec: { replicas, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: R2.template, ...spec }, status };
}

type State = 'pending' | 'running' | 'ready' | 'terminating' | 'failed';

function pod(set: KubeObject, ordinal: number, rev: Revision, state: State): KubeObject {
  const p = newStatefulSetPod(set, rev.template, rev.name, ordinal);
  p.metadata.uid = `uid-${ordinal}`;
  const phase = state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running';
  p.status = { phase, conditions: [{ type: 'Ready', status: state === 'ready' || state === 'terminating' ? 'True' : 'False', lastTransitionTime: '2025-01-01T00:00:00Z' }] };
  if (state === 'terminating') p.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  return p;
}

function recorder(): StatefulPodControl & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async createPod(_set, p) {
      calls.push(`create ${p.metadata.name} ${p.metadata.labels!['controller-revision-hash']}`);
    },
    async deletePod(_set, p) {
      calls.push(`delete ${p.metadata.name}`);
    },
    async updatePodIdentity(_set, p) {
      calls.push(`identity ${p.metadata.name}`);
    },
    event(_set, _type, reason) {
      calls.push(`event ${reason}`);
    },
  };
}

describe('syncStatefulSet', () => {
  it('OrderedReady creates one pod per step, only after its predecessors are Running and Ready', async () => {
    const set = sts(3);
    const c = recorder();
    await syncStatefulSet(set, [], R2, R2, c, NOW);
    assert.deepEqual(c.calls, ['create web-0 web-r2']);
    const c2 = recorder();
    await syncStatefulSet(set, [pod(set, 0, R2, 'running')], R2, R2, c2, NOW);
    assert.deepEqual(c2.calls, [], 'web-0 is not Ready: wait');
    const c3 = recorder();
    const s = await syncStatefulSet(set, [pod(set, 0, R2, 'ready')], R2, R2, c3, NOW);
    assert.deepEqual(c3.calls, ['create web-1 web-r2']);
    // The pod just created counts as a replica in this step's status.
    assert.deepEqual([s.replicas, s.readyReplicas, s.updatedReplicas], [2, 1, 2]);
  });

  it('Parallel creates every missing pod at once', async () => {
    const set = sts(3, { podManagementPolicy: 'Parallel' });
    const c = recorder();
    await syncStatefulSet(set, [pod(set, 1, R2, 'pending')], R2, R2, c, NOW);
    assert.deepEqual(c.calls.sort(), ['create web-0 web-r2', 'create web-2 web-r2']);
  });

  it('scales down from the highest ordinal, one at a time, waiting for a terminating pod', async () => {
    const set = sts(1);
    const pods = [0, 1, 2].map((i) => pod(set, i, R2, 'ready'));
    const c = recorder();
    await syncStatefulSet(set, pods, R2, R2, c, NOW);
    assert.deepEqual(c.calls, ['delete web-2']);
    const c2 = recorder();
    await syncStatefulSet(set, [pods[0]!, pods[1]!, pod(set, 2, R2, 'terminating')], R2, R2, c2, NOW);
    assert.deepEqual(c2.calls, []);
    // An unhealthy predecessor blocks the scale down, unless the condemned pod is the unhealthy one.
    const c3 = recorder();
    await syncStatefulSet(set, [pods[0]!, pods[1]!, pod(set, 2, R2, 'running')], R2, R2, c3, NOW);
    assert.deepEqual(c3.calls, ['delete web-2']);
  });

  it('recreates a deleted or failed pod under its name before anything after it', async () => {
    const set = sts(3);
    const c = recorder();
    await syncStatefulSet(set, [pod(set, 0, R2, 'ready'), pod(set, 2, R2, 'ready')], R2, R2, c, NOW);
    assert.deepEqual(c.calls, ['create web-1 web-r2']);
    const c2 = recorder();
    await syncStatefulSet(set, [pod(set, 0, R2, 'failed'), pod(set, 1, R2, 'ready')], R2, R2, c2, NOW);
    assert.deepEqual(c2.calls, ['event RecreatingFailedPod', 'delete web-0']);
  });

  it('rolls from the highest ordinal to the partition, one pod at a time, and recreates below it at the current revision', async () => {
    const set = sts(3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
    const c = recorder();
    const s = await syncStatefulSet(set, [0, 1, 2].map((i) => pod(set, i, R1, 'ready')), R1, R2, c, NOW);
    assert.deepEqual(c.calls, ['delete web-2']);
    assert.equal(s.currentReplicas, 2);
    // web-2 updated but not Ready yet: wait.
    const c2 = recorder();
    await syncStatefulSet(set, [pod(set, 0, R1, 'ready'), pod(set, 1, R1, 'ready'), pod(set, 2, R2, 'running')], R1, R2, c2, NOW);
    assert.deepEqual(c2.calls, []);
    const c3 = recorder();
    await syncStatefulSet(set, [pod(set, 0, R1, 'ready'), pod(set, 1, R1, 'ready'), pod(set, 2, R2, 'ready')], R1, R2, c3, NOW);
    assert.deepEqual(c3.calls, ['delete web-1']);
    // web-0 is below the partition: never updated, and recreated at the current revision.
    const c4 = recorder();
    await syncStatefulSet(set, [pod(set, 1, R2, 'ready'), pod(set, 2, R2, 'ready')], R1, R2, c4, NOW);
    assert.deepEqual(c4.calls, ['create web-0 web-r1']);
    const c5 = recorder();
    const done = await syncStatefulSet(set, [pod(set, 0, R1, 'ready'), pod(set, 1, R2, 'ready'), pod(set, 2, R2, 'ready')], R1, R2, c5, NOW);
    assert.deepEqual(c5.calls, []);
    assert.deepEqual([done.currentReplicas, done.updatedReplicas, done.currentRevision, done.updateRevision], [1, 2, 'web-r1', 'web-r2']);
  });

  it('OnDelete never deletes for an update; a recreated pod gets the update revision', async () => {
    const set = sts(2, { updateStrategy: { type: 'OnDelete' } });
    const c = recorder();
    await syncStatefulSet(set, [pod(set, 0, R1, 'ready'), pod(set, 1, R1, 'ready')], R1, R2, c, NOW);
    assert.deepEqual(c.calls, []);
    const c2 = recorder();
    await syncStatefulSet(set, [pod(set, 0, R1, 'ready')], R1, R2, c2, NOW);
    assert.deepEqual(c2.calls, ['create web-1 web-r2']);
  });

  it('fixes identity labels that drifted', async () => {
    const set = sts(1);
    const p = pod(set, 0, R2, 'ready');
    delete p.metadata.labels!['apps.kubernetes.io/pod-index'];
    const c = recorder();
    await syncStatefulSet(set, [p], R2, R2, c, NOW);
    assert.deepEqual(c.calls, ['identity web-0']);
  });

  it('names pods <set>-<ordinal> with hostname, subdomain and claim volumes', () => {
    const set = sts(1, { volumeClaimTemplates: [{ metadata: { name: 'data' } }], template: { spec: { volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'x' } }] } } });
    const p = newStatefulSetPod(set, set.spec.template, 'web-r', 4);
    assert.equal(p.metadata.name, 'web-4');
    assert.equal(p.spec.hostname, 'web-4');
    assert.equal(p.spec.subdomain, 'web');
    assert.deepEqual(p.spec.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-4' } }, { name: 'cfg', configMap: { name: 'x' } }]);
    assert.deepEqual(parentNameAndOrdinal(p), { parent: 'web', ordinal: 4 });
    assert.deepEqual(parentNameAndOrdinal({ metadata: { name: 'my-web-12' } }), { parent: 'my-web', ordinal: 12 });
    assert.deepEqual(parentNameAndOrdinal({ metadata: { name: 'web' } }), { parent: '', ordinal: -1 });
  });
});
