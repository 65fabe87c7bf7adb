// kubectl delete (immediate, -f, by label, graceful with waiting, forced), scale (the scale
// subresource, --current-replicas), label, annotate and patch (merge, json, strategic, status).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@minik8s/shared/testing';
import { startKubeEnv, type KubeEnv } from '../support/kube-env.ts';
import { parseTable, rowOf } from '../support/table.ts';
import { configMap, deployment, pod } from '../support/manifests.ts';

let env: KubeEnv;

before(async () => {
  env = await startKubeEnv();
  await env.createNamespaces('del', 'scale', 'label', 'patch');
});

after(async () => {
  await env?.stop();
});

async function getJson(args: string[]): Promise<any> {
  return JSON.parse(await env.ok(['get', ...args, '-o', 'json']));
}

async function jsonpath(args: string[], path: string): Promise<string> {
  return env.ok(['get', ...args, '-o', `jsonpath=${path}`]);
}

describe('kubectl delete', () => {
  it('deletes an unscheduled pod at once', async () => {
    await env.ok(['create', '-f', '-', '-n', 'del'], { input: pod('d1') });
    const r = await env.kubectl(['delete', 'pod', 'd1', '-n', 'del', '--timeout=30s']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pod "d1" deleted\n');
    const get = await env.kubectl(['get', 'pod', 'd1', '-n', 'del']);
    assert.equal(get.stderr, 'Error from server (NotFound): pods "d1" not found\n');
  });

  it('delete -f deletes every object of the manifest', async () => {
    const objects = [configMap('f-cm', { a: '1' }, 'del'), pod('f-pod', { namespace: 'del' }), deployment('f-deploy', { namespace: 'del' })];
    await env.ok(['create', '-f', '-'], { input: objects });
    const r = await env.kubectl(['delete', '-f', '-', '--timeout=30s'], { input: objects });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap "f-cm" deleted\npod "f-pod" deleted\ndeployment.apps "f-deploy" deleted\n');
    const left = await env.kubectl(['get', 'cm/f-cm', 'pod/f-pod', 'deploy/f-deploy', '-n', 'del', '--ignore-not-found', '-o', 'name']);
    assert.equal(left.stdout, '');
  });

  it('delete -l deletes what the selector matches, nothing else', async () => {
    await env.ok(['create', '-f', '-', '-n', 'del'], { input: [pod('sel-1', { labels: { gone: 'yes' } }), pod('sel-2', { labels: { gone: 'yes' } }), pod('sel-3', { labels: { gone: 'no' } })] });
    const r = await env.kubectl(['delete', 'pods', '-l', 'gone=yes', '-n', 'del', '--timeout=30s']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pod "sel-1" deleted\npod "sel-2" deleted\n');
    assert.equal(await env.ok(['get', 'pods', '-l', 'gone', '-n', 'del', '-o', 'name']), 'pod/sel-3\n');
  });

  it('NotFound, and --ignore-not-found', async () => {
    const r = await env.kubectl(['delete', 'pod', 'never', '-n', 'del']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (NotFound): pods "never" not found\n');
    const ignored = await env.kubectl(['delete', 'pod', 'never', '-n', 'del', '--ignore-not-found']);
    assert.equal(ignored.code, 0, ignored.stderr);
    assert.equal(ignored.stdout, '');
  });

  it('a pod bound to a node is deleted gracefully: kubectl waits until the kubelet confirms', async () => {
    await env.ok(['create', '-f', '-', '-n', 'del'], { input: pod('g1', { nodeName: 'node-1' }) });
    const del = env.spawn(['delete', 'pod', 'g1', '-n', 'del', '--timeout=60s']);
    const path = '/api/v1/namespaces/del/pods/g1';
    const terminating = await waitFor(
      async () => {
        const res = await env.request('GET', path);
        return res.status === 200 && res.body.metadata.deletionTimestamp ? res.body : undefined;
      },
      { timeoutMs: 20_000, message: 'the pod never got a deletionTimestamp' },
    );
    assert.equal(terminating.metadata.deletionGracePeriodSeconds, 30);
    assert.equal(del.running, true, `kubectl must wait for the pod to go:\n${del.stdout}\n${del.stderr}`);
    assert.equal(parseTable(await env.ok(['get', 'pod', 'g1', '-n', 'del'])).rows[0][2], 'Terminating');

    // The kubelet has stopped the containers: it deletes the pod for good (grace 0, uid precondition).
    const res = await env.request('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: terminating.metadata.uid } });
    assert.equal(res.status, 200, res.text);
    const done = await del.exited;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout, 'pod "g1" deleted\n');
  });

  it('a graceful deletion ends for the waiting kubectl when another kubectl forces it', async () => {
    await env.ok(['create', '-f', '-', '-n', 'del'], { input: pod('g2', { nodeName: 'node-1' }) });
    const del = env.spawn(['delete', 'pod', 'g2', '-n', 'del', '--timeout=60s']);
    await waitFor(async () => (await env.request('GET', '/api/v1/namespaces/del/pods/g2')).body?.metadata?.deletionTimestamp, {
      timeoutMs: 20_000,
      message: 'the pod never got a deletionTimestamp',
    });
    assert.equal(del.running, true);
    const force = await env.kubectl(['delete', 'pod', 'g2', '-n', 'del', '--grace-period=0', '--force']);
    assert.equal(force.code, 0, force.stderr);
    assert.equal(force.stdout, 'pod "g2" force deleted\n');
    assert.match(force.stderr, /^Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated\. The resource may continue to run on the cluster indefinitely\.$/m);
    const done = await del.exited;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout, 'pod "g2" deleted\n');
    assert.equal((await env.kubectl(['get', 'pod', 'g2', '-n', 'del'])).code, 1);
  });

  it('--wait=false returns at once, leaving the pod terminating', async () => {
    await env.ok(['create', '-f', '-', '-n', 'del'], { input: pod('g3', { nodeName: 'node-1' }) });
    const r = await env.kubectl(['delete', 'pod', 'g3', '-n', 'del', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pod "g3" deleted\n');
    const got = await getJson(['pod', 'g3', '-n', 'del']);
    assert.ok(got.metadata.deletionTimestamp);
    await env.ok(['delete', 'pod', 'g3', '-n', 'del', '--grace-period=0', '--force']);
  });
});

describe('kubectl scale', () => {
  before(async () => {
    await env.ok(['create', '-f', '-', '-n', 'scale'], { input: deployment('sc', { replicas: 1 }) });
  });

  it('scales through the scale subresource', async () => {
    const r = await env.kubectl(['scale', 'deploy/sc', '--replicas=3', '-n', 'scale']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment.apps/sc scaled\n');
    assert.equal(await jsonpath(['deploy', 'sc', '-n', 'scale'], '{.spec.replicas}'), '3');
    const scale = JSON.parse(await env.ok(['get', '--raw', '/apis/apps/v1/namespaces/scale/deployments/sc/scale']));
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.metadata.name, 'sc');
    assert.equal(scale.spec.replicas, 3);
    assert.equal(scale.status.selector, 'app=sc');
  });

  it('--current-replicas: a PUT of the Scale (sent without Content-Type) when the precondition holds', async () => {
    const r = await env.kubectl(['scale', 'deployment', 'sc', '--current-replicas=3', '--replicas=5', '-n', 'scale', '-v=6']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment.apps/sc scaled\n');
    assert.match(r.stderr, /\] PUT http:\/\/\S+\/apis\/apps\/v1\/namespaces\/scale\/deployments\/sc\/scale 200 OK/);
    assert.equal(await jsonpath(['deploy', 'sc', '-n', 'scale'], '{.spec.replicas}'), '5');
  });

  it('--current-replicas that does not hold changes nothing', async () => {
    const r = await env.kubectl(['scale', 'deployment', 'sc', '--current-replicas=2', '--replicas=1', '-n', 'scale']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: Expected replicas to be 2, was 5\n');
    assert.equal(await jsonpath(['deploy', 'sc', '-n', 'scale'], '{.spec.replicas}'), '5');
  });

  it('replicasets and statefulsets scale too', async () => {
    const tpl = { metadata: { labels: { app: 'r' } }, spec: { containers: [{ name: 'r', image: 'busybox:1.36' }] } };
    await env.ok(['create', '-f', '-', '-n', 'scale'], {
      input: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' }, spec: { replicas: 1, selector: { matchLabels: { app: 'r' } }, template: tpl } },
        { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'sts' }, spec: { replicas: 1, serviceName: 'sts', selector: { matchLabels: { app: 'r' } }, template: tpl } },
      ],
    });
    assert.equal(await env.ok(['scale', 'rs/rs', 'sts/sts', '--replicas=2', '-n', 'scale']), 'replicaset.apps/rs scaled\nstatefulset.apps/sts scaled\n');
    assert.equal(await jsonpath(['rs', 'rs', '-n', 'scale'], '{.spec.replicas}'), '2');
    assert.equal(await jsonpath(['sts', 'sts', '-n', 'scale'], '{.spec.replicas}'), '2');
  });
});

describe('kubectl label and annotate', () => {
  before(async () => {
    await env.ok(['create', '-f', '-', '-n', 'label'], { input: [pod('l1', { labels: { app: 'lab' } }), pod('l2', { labels: { app: 'lab' } })] });
  });

  it('adds, refuses to overwrite without --overwrite, overwrites, removes', async () => {
    assert.equal(await env.ok(['label', 'pod', 'l1', 'tier=db', '-n', 'label']), 'pod/l1 labeled\n');
    assert.equal(await jsonpath(['pod', 'l1', '-n', 'label'], '{.metadata.labels.tier}'), 'db');

    const refused = await env.kubectl(['label', 'pod', 'l1', 'tier=web', '-n', 'label']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, "error: 'tier' already has a value (db), and --overwrite is false\n");

    assert.equal(await env.ok(['label', 'pod', 'l1', 'tier=web', '--overwrite', '-n', 'label']), 'pod/l1 labeled\n');
    assert.equal(await jsonpath(['pod', 'l1', '-n', 'label'], '{.metadata.labels.tier}'), 'web');

    assert.equal(await env.ok(['label', 'pod', 'l1', 'tier-', '-n', 'label']), 'pod/l1 unlabeled\n');
    assert.deepEqual((await getJson(['pod', 'l1', '-n', 'label'])).metadata.labels, { app: 'lab' });
  });

  it('labels every object a selector matches', async () => {
    assert.equal(await env.ok(['label', 'pods', '-l', 'app=lab', 'env=test', '-n', 'label']), 'pod/l1 labeled\npod/l2 labeled\n');
    assert.equal(await env.ok(['get', 'pods', '-l', 'env=test', '-n', 'label', '-o', 'name']), 'pod/l1\npod/l2\n');
  });

  it('an invalid label value is Invalid (sent as a patch: kubectl label checks values itself)', async () => {
    const r = await env.kubectl(['patch', 'pod', 'l2', '--type', 'merge', '-p', '{"metadata":{"labels":{"bad":"-x-"}}}', '-n', 'label']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^The Pod "l2" is invalid: metadata\.labels: Invalid value: "-x-": a valid label must be an empty string or consist of alphanumeric characters/m);
  });

  it('annotates and removes an annotation', async () => {
    assert.equal(await env.ok(['annotate', 'pod', 'l1', 'note=hello world', '-n', 'label']), 'pod/l1 annotated\n');
    assert.equal(await jsonpath(['pod', 'l1', '-n', 'label'], '{.metadata.annotations.note}'), 'hello world');
    assert.equal(await env.ok(['annotate', 'pod', 'l1', 'note-', '-n', 'label']), 'pod/l1 annotated\n');
    assert.equal((await getJson(['pod', 'l1', '-n', 'label'])).metadata.annotations?.note, undefined);
  });
});

describe('kubectl patch', () => {
  before(async () => {
    await env.ok(['create', '-f', '-', '-n', 'patch'], {
      input: deployment('pt', {
        replicas: 1,
        containers: [
          { name: 'api', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }] },
          { name: 'sidecar', image: 'busybox:1.36' },
        ],
      }),
    });
  });

  it('--type merge', async () => {
    const r = await env.kubectl(['patch', 'deploy', 'pt', '--type', 'merge', '-p', '{"spec":{"replicas":2},"metadata":{"labels":{"patched":"merge"}}}', '-n', 'patch']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment.apps/pt patched\n');
    const d = await getJson(['deploy', 'pt', '-n', 'patch']);
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.metadata.labels.patched, 'merge');
  });

  it('a patch that changes nothing: patched (no change)', async () => {
    assert.equal(await env.ok(['patch', 'deploy', 'pt', '--type', 'merge', '-p', '{"spec":{"replicas":2}}', '-n', 'patch']), 'deployment.apps/pt patched (no change)\n');
  });

  it('--type json', async () => {
    const ops = [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.29' },
      { op: 'add', path: '/metadata/annotations', value: { via: 'json-patch' } },
    ];
    assert.equal(await env.ok(['patch', 'deploy', 'pt', '--type', 'json', '-p', JSON.stringify(ops), '-n', 'patch']), 'deployment.apps/pt patched\n');
    const d = await getJson(['deploy', 'pt', '-n', 'patch']);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.29');
    assert.equal(d.metadata.annotations.via, 'json-patch');
  });

  it('--type strategic (the default) merges containers and env by name', async () => {
    const p = { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox:1.37' }, { name: 'api', env: [{ name: 'B', value: '2' }] }] } } } };
    assert.equal(await env.ok(['patch', 'deploy', 'pt', '-p', JSON.stringify(p), '-n', 'patch']), 'deployment.apps/pt patched\n');
    const d = await getJson(['deploy', 'pt', '-n', 'patch']);
    const byName = Object.fromEntries(d.spec.template.spec.containers.map((c: any) => [c.name, c]));
    assert.deepEqual(Object.keys(byName).sort(), ['api', 'sidecar']);
    assert.equal(byName.sidecar.image, 'busybox:1.37');
    assert.equal(byName.api.image, 'nginx:1.29', 'api keeps its image');
    // Upstream's order (mergeSortedSlice): an item new to the list goes before the server-only
    // items it cannot be compared with.
    assert.deepEqual(byName.api.env, [{ name: 'B', value: '2' }, { name: 'A', value: '1' }]);
  });

  it('--type strategic with a $patch: delete directive', async () => {
    const p = { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } };
    assert.equal(await env.ok(['patch', 'deploy', 'pt', '--type', 'strategic', '-p', JSON.stringify(p), '-n', 'patch']), 'deployment.apps/pt patched\n');
    const d = await getJson(['deploy', 'pt', '-n', 'patch']);
    assert.deepEqual(d.spec.template.spec.containers.map((c: any) => c.name), ['api']);
  });

  it('--subresource=status changes the status only', async () => {
    const r = await env.kubectl(['patch', 'deploy', 'pt', '--subresource=status', '--type', 'merge', '-p', '{"status":{"replicas":2,"readyReplicas":1,"updatedReplicas":2}}', '-n', 'patch']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment.apps/pt patched\n');
    const row = rowOf(parseTable(await env.ok(['get', 'deploy', 'pt', '-n', 'patch'])), 'pt');
    assert.deepEqual([row.READY, row['UP-TO-DATE']], ['1/2', '2']);
  });

  it('patching something that does not exist is NotFound', async () => {
    const r = await env.kubectl(['patch', 'deploy', 'missing', '--type', 'merge', '-p', '{"spec":{"replicas":1}}', '-n', 'patch']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (NotFound): deployments.apps "missing" not found\n');
  });
});
