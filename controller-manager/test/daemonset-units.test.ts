// The pure pieces of the DaemonSet controller: which nodes run a daemon, the rolling update
// plan, the failed pod backoff and the template generation annotation.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, type KubeObject } from '@minik8s/shared';
import { nodeShouldRunDaemonPod, withDaemonPodTolerations } from '../src/controllers/daemonset/node-should-run.ts';
import { getTargetNodeName, replaceNodeNameAffinity } from '../src/controllers/daemonset/daemon-pods.ts';
import { planRollingUpdate, surgeAndUnavailable } from '../src/controllers/daemonset/rolling-update.ts';
import { FailedPodsBackoff } from '../src/controllers/daemonset/failed-pods-backoff.ts';
import { TemplateGenerations } from '../src/controllers/daemonset/template-generation.ts';

function node(name: string, labels: Record<string, string> = {}, taints: { key: string; value?: string; effect: string }[] = []): KubeObject {
  return { metadata: { name, labels }, spec: { taints } };
}

function ds(templateSpec: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name: 'd', namespace: 'ns', uid: 'u1', generation: 1 }, spec: { template: { spec: { containers: [], ...templateSpec } }, ...spec } };
}

const NOW = Date.UTC(2026, 0, 1);

function pod(name: string, nodeName: string, hash: string, opts: { ready?: boolean; deleting?: boolean } = {}): KubeObject {
  return {
    metadata: { name, labels: { 'controller-revision-hash': hash }, ...(opts.deleting ? { deletionTimestamp: 'x' } : {}) },
    spec: { nodeName },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2025-12-31T00:00:00Z' }] },
  };
}

describe('nodeShouldRunDaemonPod', () => {
  it('follows nodeSelector and required node affinity', () => {
    const sel = ds({ nodeSelector: { disk: 'ssd' } });
    assert.deepEqual(nodeShouldRunDaemonPod(node('a', { disk: 'ssd' }), sel), { shouldRun: true, shouldContinueRunning: true });
    assert.deepEqual(nodeShouldRunDaemonPod(node('b', { disk: 'hdd' }), sel), { shouldRun: false, shouldContinueRunning: false });
    const affinity = (terms: unknown[]) => ds({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
    const gt = affinity([{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }]);
    assert.equal(nodeShouldRunDaemonPod(node('a', { cores: '8' }), gt).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node('a', { cores: '2' }), gt).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node('a', {}), gt).shouldRun, false);
    // Terms are ORed; expressions within one are ANDed.
    const or = affinity([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'gpu', operator: 'DoesNotExist' }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['special'] }] }]);
    assert.equal(nodeShouldRunDaemonPod(node('n1', { zone: 'a' }), or).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node('n2', { zone: 'a', gpu: '1' }), or).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node('special', { gpu: '1' }), or).shouldRun, true);
    // No terms, or an empty term, select nothing.
    assert.equal(nodeShouldRunDaemonPod(node('n1'), affinity([])).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node('n1'), affinity([{}])).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node('n1'), ds({ nodeName: 'other' })).shouldRun, false);
  });

  it('keeps a pod through NoSchedule taints but not through untolerated NoExecute ones', () => {
    const d = ds();
    assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'x', effect: 'NoSchedule' }]), d), { shouldRun: false, shouldContinueRunning: true });
    assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'x', effect: 'NoExecute' }]), d), { shouldRun: false, shouldContinueRunning: false });
    assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'x', effect: 'PreferNoSchedule' }]), d), { shouldRun: true, shouldContinueRunning: true });
    // The daemon tolerations: unreachable/not-ready NoExecute, pressure and cordon NoSchedule.
    for (const t of [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    ]) {
      assert.equal(nodeShouldRunDaemonPod(node('a', {}, [t]), d).shouldRun, true, t.key);
    }
    // not-ready NoSchedule is not tolerated: no new daemon pod on a node that is not ready.
    assert.equal(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]), d).shouldRun, false);
    // network-unavailable only for host-network pods.
    const net = [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }];
    assert.equal(nodeShouldRunDaemonPod(node('a', {}, net), d).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node('a', {}, net), ds({ hostNetwork: true })).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'x', value: 'y', effect: 'NoSchedule' }]), ds({ tolerations: [{ key: 'x', operator: 'Equal', value: 'y', effect: 'NoSchedule' }] })).shouldRun, true);
  });

  it('replaces a user toleration of the same key and effect, dropping its tolerationSeconds', () => {
    const out = withDaemonPodTolerations([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'mine', operator: 'Exists' }], false);
    assert.equal(out.filter((t) => t.key === 'node.kubernetes.io/not-ready').length, 1);
    assert.equal(out.find((t) => t.key === 'node.kubernetes.io/not-ready')!.tolerationSeconds, undefined);
    assert.ok(out.some((t) => t.key === 'mine'));
    assert.equal(out.length, 7);
  });

  it('pins a pod by node affinity and reads the node back', () => {
    const affinity = replaceNodeNameAffinity({ podAntiAffinity: { x: 1 }, nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [1] } }, 'n7');
    assert.deepEqual(affinity.podAntiAffinity, { x: 1 });
    assert.deepEqual(affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution, [1]);
    assert.equal(getTargetNodeName({ metadata: {}, spec: { affinity } }), 'n7');
    assert.equal(getTargetNodeName({ metadata: {}, spec: { affinity, nodeName: 'bound' } }), 'bound');
    assert.equal(getTargetNodeName({ metadata: {}, spec: {} }), undefined);
  });
});

describe('planRollingUpdate', () => {
  const nodes = ['n1', 'n2', 'n3', 'n4'].map((n) => node(n));
  const rolling = (ru: Record<string, unknown>) => ds({}, { minReadySeconds: 0, updateStrategy: { type: 'RollingUpdate', rollingUpdate: ru } });

  it('deletes old pods while at most maxUnavailable are unavailable', () => {
    const byNode = new Map(nodes.map((n, i) => [n.metadata.name!, [pod(`p${i}`, n.metadata.name!, 'old')]]));
    assert.deepEqual(planRollingUpdate(rolling({ maxUnavailable: 1 }), nodes, byNode, 'new', NOW), { podsToDelete: ['p0'], nodesToCreate: [] });
    assert.deepEqual(planRollingUpdate(rolling({ maxUnavailable: '50%' }), nodes, byNode, 'new', NOW).podsToDelete, ['p0', 'p1']);
    // A node already without a pod counts as unavailable.
    const missing = new Map([...byNode].filter(([n]) => n !== 'n4'));
    assert.deepEqual(planRollingUpdate(rolling({ maxUnavailable: 1 }), nodes, missing, 'new', NOW).podsToDelete, []);
    // A new pod not yet ready counts too; an old pod that is not ready is replaced anyway.
    const mixed = new Map<string, KubeObject[]>([
      ['n1', [pod('a', 'n1', 'new', { ready: false })]],
      ['n2', [pod('b', 'n2', 'old', { ready: false })]],
      ['n3', [pod('c', 'n3', 'old')]],
      ['n4', [pod('d', 'n4', 'old')]],
    ]);
    assert.deepEqual(planRollingUpdate(rolling({ maxUnavailable: 2 }), nodes, mixed, 'new', NOW).podsToDelete, ['b']);
  });

  it('surges new pods beside old ones and removes the old once the new one is available', () => {
    const byNode = new Map<string, KubeObject[]>([
      ['n1', [pod('o1', 'n1', 'old'), pod('x1', 'n1', 'new')]],
      ['n2', [pod('o2', 'n2', 'old'), pod('x2', 'n2', 'new', { ready: false })]],
      ['n3', [pod('o3', 'n3', 'old')]],
      ['n4', [pod('o4', 'n4', 'old')]],
    ]);
    const plan = planRollingUpdate(rolling({ maxSurge: 2, maxUnavailable: 0 }), nodes, byNode, 'new', NOW);
    // n1's new pod is available: its old pod goes. n2 still surging: one slot left, for n3.
    assert.deepEqual(plan, { podsToDelete: ['o1'], nodesToCreate: ['n3'] });
  });

  it('never stalls: both limits 0 still allow one unavailable pod', () => {
    assert.deepEqual(surgeAndUnavailable(rolling({ maxSurge: 0, maxUnavailable: 0 }), 3), { maxSurge: 0, maxUnavailable: 1 });
    assert.deepEqual(surgeAndUnavailable(ds({}, { updateStrategy: { type: 'OnDelete' } }), 3), { maxSurge: 0, maxUnavailable: 0 });
  });
});

describe('FailedPodsBackoff', () => {
  it('doubles from 1 s to the cap and restarts after a long quiet', async () => {
    const clock = new FakeClock(NOW);
    const b = new FailedPodsBackoff(clock, 1000, 4000);
    assert.equal(b.isInBackOffSinceUpdate('k'), false);
    b.next('k');
    assert.equal(b.get('k'), 1000);
    assert.equal(b.isInBackOffSinceUpdate('k'), true);
    await clock.step(1000);
    assert.equal(b.isInBackOffSinceUpdate('k'), false);
    b.next('k');
    b.next('k');
    b.next('k');
    assert.equal(b.get('k'), 4000);
    await clock.step(8001);
    b.next('k');
    assert.equal(b.get('k'), 1000);
  });
});

describe('TemplateGenerations', () => {
  it('sets the annotation when missing and bumps it when the template hash changes', () => {
    const g = new TemplateGenerations();
    const d = (gen: number, annotation?: string): KubeObject => ({ metadata: { uid: 'u', generation: gen, annotations: annotation ? { 'deprecated.daemonset.template.generation': annotation } : {} } });
    assert.equal(g.desired(d(1), 'h1'), 1);
    g.record(d(1, '1'), 'h1', 1);
    assert.equal(g.desired(d(2, '1'), 'h1'), 1, 'a spec change outside the template keeps it');
    assert.equal(g.desired(d(3, '1'), 'h2'), 3, 'a new template takes the generation');
    g.record(d(3, '3'), 'h2', 3);
    assert.equal(g.desired(d(3, '3'), 'h2'), 3);
    // A value set by someone else (the apiserver, once it does) is kept.
    assert.equal(new TemplateGenerations().desired(d(5, '4'), 'h9'), 4);
  });
});
