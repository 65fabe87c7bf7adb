// kubectl describe pod|deploy|node (with the events found by involvedObject field selectors)
// and kubectl rollout status against a fake Deployment controller writing .../status.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startKubeEnv, type KubeEnv } from '../support/kube-env.ts';
import { deployment, node, nowTime, pod, readyNodeStatus, runningPodStatus } from '../support/manifests.ts';

let env: KubeEnv;

function event(name: string, namespace: string, involvedObject: Record<string, unknown>, reason: string, message: string, component: string): Record<string, unknown> {
  const now = nowTime();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject,
    reason,
    message,
    type: 'Normal',
    source: { component },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}

/** The rows under "Events:" in describe output, as whitespace-trimmed lines. */
function eventLines(out: string): string[] {
  const at = out.indexOf('\nEvents:');
  assert.ok(at >= 0, `no Events section:\n${out}`);
  return out
    .slice(at + 1)
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter(Boolean);
}

before(async () => {
  env = await startKubeEnv();
  await env.createNamespaces('desc', 'rollout');
  await env.ok(['create', '-f', '-'], { input: node('node-1', { zone: 'a' }) });
  await env.writeStatus('/api/v1/nodes/node-1', readyNodeStatus('192.168.0.10'));
  await env.ok(['create', '-f', '-', '-n', 'desc'], { input: [pod('dp1', { labels: { app: 'dp' }, nodeName: 'node-1' }), pod('dp2', { labels: { app: 'dp' } })] });
  await env.writeStatus('/api/v1/namespaces/desc/pods/dp1', runningPodStatus('10.244.0.9', [{ name: 'c', image: 'busybox:1.36' }]));
});

after(async () => {
  await env?.stop();
});

describe('kubectl describe', () => {
  it('describe pod shows the pod and only its own events', async () => {
    const dp1 = JSON.parse(await env.ok(['get', 'pod', 'dp1', '-n', 'desc', '-o', 'json']));
    const dp2 = JSON.parse(await env.ok(['get', 'pod', 'dp2', '-n', 'desc', '-o', 'json']));
    const ref = (p: any) => ({ apiVersion: 'v1', kind: 'Pod', name: p.metadata.name, namespace: 'desc', uid: p.metadata.uid });
    await env.ok(['create', '-f', '-'], {
      input: [
        event('dp1.1', 'desc', ref(dp1), 'Scheduled', 'Successfully assigned desc/dp1 to node-1', 'default-scheduler'),
        event('dp1.2', 'desc', { ...ref(dp1), fieldPath: 'spec.containers{c}' }, 'Started', 'Started container c', 'kubelet'),
        event('dp2.1', 'desc', ref(dp2), 'FailedScheduling', 'no nodes available to schedule pods', 'default-scheduler'),
      ],
    });

    const r = await env.kubectl(['describe', 'pod', 'dp1', '-n', 'desc']);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /^Name:\s+dp1$/m);
    assert.match(out, /^Namespace:\s+desc$/m);
    assert.match(out, /^Node:\s+node-1\/192\.168\.0\.10$/m);
    assert.match(out, /^Labels:\s+app=dp$/m);
    assert.match(out, /^Status:\s+Running$/m);
    assert.match(out, /^IP:\s+10\.244\.0\.9$/m);
    assert.match(out, /^Containers:\n {2}c:\n/m);
    assert.match(out, /^ {4}Image:\s+busybox:1\.36$/m);
    const events = eventLines(out);
    assert.match(events[0], /^Type\s+Reason\s+Age\s+From\s+Message$/);
    assert.match(events[1], /^----\s+------\s+----\s+----\s+-------$/);
    const rows = events.slice(2);
    assert.equal(rows.length, 2, out);
    assert.ok(rows.some((l) => /^Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned desc\/dp1 to node-1$/.test(l)), out);
    assert.ok(rows.some((l) => /^Normal\s+Started\s+\S+\s+kubelet\s+Started container c$/.test(l)), out);
  });

  it('describe pod without events says <none>', async () => {
    await env.ok(['create', '-f', '-', '-n', 'desc'], { input: pod('quiet') });
    const out = await env.ok(['describe', 'pod', 'quiet', '-n', 'desc']);
    assert.match(out, /^Events:\s+<none>$/m);
    assert.match(out, /^Node:\s+<none>$/m);
    assert.match(out, /^Status:\s+Pending$/m);
  });

  it('describe deploy shows replicas, the defaulted strategy, the template and events', async () => {
    await env.ok(['create', '-f', '-', '-n', 'desc'], { input: deployment('dd', { replicas: 3, image: 'nginx:1.27' }) });
    const d = JSON.parse(await env.ok(['get', 'deploy', 'dd', '-n', 'desc', '-o', 'json']));
    await env.ok(['create', '-f', '-'], {
      input: event('dd.1', 'desc', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'dd', namespace: 'desc', uid: d.metadata.uid }, 'ScalingReplicaSet', 'Scaled up replica set dd-5d4f8c7b9 from 0 to 3', 'deployment-controller'),
    });
    const out = await env.ok(['describe', 'deployment', 'dd', '-n', 'desc']);
    assert.match(out, /^Name:\s+dd$/m);
    assert.match(out, /^Namespace:\s+desc$/m);
    assert.match(out, /^Selector:\s+app=dd$/m);
    assert.match(out, /^Replicas:\s+3 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m);
    assert.match(out, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(out, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
    assert.match(out, /^Pod Template:\n {2}Labels:\s+app=dd$/m);
    assert.match(out, /^ {4}Image:\s+nginx:1\.27$/m);
    const rows = eventLines(out).slice(2);
    assert.equal(rows.length, 1, out);
    assert.match(rows[0], /^Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set dd-5d4f8c7b9 from 0 to 3$/);
  });

  it('describe node shows conditions, addresses, the pods on it and its events', async () => {
    // The kubelet records node events with the node's name as uid.
    await env.ok(['create', '-f', '-'], {
      input: event('node-1.ready', 'default', { kind: 'Node', name: 'node-1', uid: 'node-1' }, 'NodeReady', 'Node node-1 status is now: NodeReady', 'kubelet'),
    });
    // Its heartbeat Lease in kube-node-lease (the kubelet renews it).
    await env.ok(['create', '-f', '-'], {
      input: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2025-01-01T00:00:05.000000Z' } },
    });
    const out = await env.ok(['describe', 'node', 'node-1']);
    assert.match(out, /^Lease:\n {2}HolderIdentity:\s+node-1\n {2}AcquireTime:\s+<unset>\n {2}RenewTime:\s+Wed, 01 Jan 2025 00:00:05 \+0000$/m);
    assert.match(out, /^Name:\s+node-1$/m);
    assert.match(out, /^Roles:\s+<none>$/m);
    assert.match(out, /^Labels:\s+kubernetes\.io\/hostname=node-1$/m);
    assert.match(out, /^\s+zone=a$/m);
    assert.match(out, /^Conditions:\n\s+Type\s+Status\s+LastHeartbeatTime\s+LastTransitionTime\s+Reason\s+Message\n/m);
    assert.match(out, /^\s+Ready\s+True\s+.*KubeletReady\s+kubelet is posting ready status$/m);
    assert.match(out, /^Addresses:\n\s+InternalIP:\s+192\.168\.0\.10$/m);
    assert.match(out, /^\s+Kubelet Version:\s+v1\.32\.4$/m);
    // Pods come from a field selector: spec.nodeName=node-1 and not finished.
    assert.match(out, /^Non-terminated Pods:\s+\(1 in total\)$/m);
    assert.match(out, /^\s+desc\s+dp1\s+0 \(0%\)\s+0 \(0%\)\s+0 \(0%\)\s+0 \(0%\)\s+\S+$/m);
    assert.doesNotMatch(out, /\bdp2\b/);
    const rows = eventLines(out).slice(2);
    assert.ok(rows.some((l) => /^Normal\s+NodeReady\s+\S+\s+kubelet\s+Node node-1 status is now: NodeReady$/.test(l)), out);
  });
});

describe('kubectl rollout status (a fake Deployment controller writes .../status)', () => {
  const path = '/apis/apps/v1/namespaces/rollout/deployments/ro';

  it('follows the status through the watch until the rollout is complete', async () => {
    await env.ok(['create', '-f', '-', '-n', 'rollout'], { input: deployment('ro', { replicas: 2 }) });
    const rollout = env.spawn(['rollout', 'status', 'deploy/ro', '-n', 'rollout', '--timeout=30s']);
    await rollout.waitForOutput((s) => s.includes('Waiting for deployment spec update to be observed...'));

    const d = (await env.request('GET', path)).body;
    assert.equal(d.metadata.generation, 1);
    const now = nowTime();
    const progressing = { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "ro-abc" is progressing.', lastUpdateTime: now, lastTransitionTime: now };
    await env.writeStatus(path, { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 1, conditions: [progressing] });
    await rollout.waitForOutput((s) => s.includes('Waiting for deployment "ro" rollout to finish: 1 out of 2 new replicas have been updated...'));

    await env.writeStatus(path, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 1, conditions: [progressing] });
    await rollout.waitForOutput((s) => s.includes('Waiting for deployment "ro" rollout to finish: 1 of 2 updated replicas are available...'));

    await env.writeStatus(path, {
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: now, lastTransitionTime: now },
        { ...progressing, reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "ro-abc" has successfully progressed.' },
      ],
    });
    const done = await rollout.exited;
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /deployment "ro" successfully rolled out\n$/);

    // The spec did not change: a second rollout status returns at once.
    assert.equal(await env.ok(['rollout', 'status', 'deploy/ro', '-n', 'rollout', '--timeout=20s']), 'deployment "ro" successfully rolled out\n');
  });

  it('the status subresource leaves the spec alone and the main resource leaves the status alone', async () => {
    const d = (await env.request('GET', path)).body;
    const put = await env.request('PUT', path, { ...d, spec: { ...d.spec, replicas: 3 }, status: { ...d.status, availableReplicas: 0 } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.spec.replicas, 3);
    assert.equal(put.body.status.availableReplicas, 2, 'status is ignored on the main resource');
    assert.equal(put.body.metadata.generation, 2, 'a spec change bumps generation');
    const st = await env.request('PUT', `${path}/status`, { ...put.body, spec: { ...put.body.spec, replicas: 7 }, status: { ...put.body.status, observedGeneration: 2 } });
    assert.equal(st.status, 200, st.text);
    assert.equal(st.body.spec.replicas, 3, 'spec is ignored on /status');
    assert.equal(st.body.metadata.generation, 2);
    // generation 2 observed, but only 2 of 3 replicas updated: not done yet.
    const r = await env.kubectl(['rollout', 'status', 'deploy/ro', '-n', 'rollout', '--watch=false']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Waiting for deployment "ro" rollout to finish: 2 out of 3 new replicas have been updated...\n');
  });

  it('a rollout past its progress deadline fails', async () => {
    await env.ok(['create', '-f', '-', '-n', 'rollout'], { input: deployment('stuck', { replicas: 1 }) });
    const now = nowTime();
    await env.writeStatus('/apis/apps/v1/namespaces/rollout/deployments/stuck', {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 0,
      unavailableReplicas: 1,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "stuck-abc" has timed out progressing.', lastUpdateTime: now, lastTransitionTime: now }],
    });
    const r = await env.kubectl(['rollout', 'status', 'deploy/stuck', '-n', 'rollout', '--timeout=20s']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: deployment "stuck" exceeded its progress deadline\n');
  });

  it('kubectl rollout restart stamps the template and bumps generation', async () => {
    const r = await env.kubectl(['rollout', 'restart', 'deploy/stuck', '-n', 'rollout']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment.apps/stuck restarted\n');
    const d = JSON.parse(await env.ok(['get', 'deploy', 'stuck', '-n', 'rollout', '-o', 'json']));
    assert.match(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], /^\d{4}-\d\d-\d\dT/);
    assert.equal(d.metadata.generation, 2);
  });
});
