// The official @kubernetes/client-node, unchanged, against our apiserver: typed CoreV1Api and
// AppsV1Api calls (CRUD, subresources, errors, pagination) and the discovery-driven
// KubernetesObjectApi (legacy per-group-version discovery).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { startKubeEnv, type KubeEnv } from '../support/kube-env.ts';
import { requireNodeForClientNode } from '../support/node-version.ts';
import { configMap, deployment, pod } from '../support/manifests.ts';

let env: KubeEnv;
let core: CoreV1Api;
let apps: AppsV1Api;
let objects: KubernetesObjectApi;

before(async () => {
  requireNodeForClientNode();
  env = await startKubeEnv();
  const kc = new KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  objects = KubernetesObjectApi.makeApiClient(kc);
  for (const name of ['cn-core', 'cn-apps', 'cn-obj']) await core.createNamespace({ body: { metadata: { name } } });
});

after(async () => {
  await env?.stop();
});

/** The ApiException a call rejects with: its HTTP code and the Status body. */
async function apiError(call: Promise<unknown>): Promise<{ code: number; status: any }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiException) return { code: err.code, status: typeof err.body === 'string' ? JSON.parse(err.body) : err.body };
    throw err;
  }
  assert.fail('the call succeeded; an ApiException was expected');
}

describe('CoreV1Api', () => {
  const namespace = 'cn-core';

  it('create, read, list, replace, patch (json and merge), delete a pod', async () => {
    const created = await core.createNamespacedPod({ namespace, body: pod('p1', { labels: { app: 'p' } }) as V1Pod });
    assert.equal(created.metadata?.name, 'p1');
    assert.equal(created.metadata?.namespace, namespace);
    assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(created.metadata?.creationTimestamp instanceof Date, 'creationTimestamp parses as a date');
    assert.equal(created.status?.phase, 'Pending');

    const read = await core.readNamespacedPod({ namespace, name: 'p1' });
    assert.equal(read.metadata?.uid, created.metadata?.uid);

    await core.createNamespacedPod({ namespace, body: pod('p2', { labels: { app: 'other' } }) as V1Pod });
    const list = await core.listNamespacedPod({ namespace, labelSelector: 'app=p' });
    assert.equal(list.kind, 'PodList');
    assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);
    assert.deepEqual(list.items.map((p) => p.metadata?.name), ['p1']);

    read.metadata!.labels = { app: 'p', replaced: 'yes' };
    const replaced = await core.replaceNamespacedPod({ namespace, name: 'p1', body: read });
    assert.equal(replaced.metadata?.labels?.replaced, 'yes');
    assert.notEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);

    // client-node's default patch type is a JSON patch.
    const jsonPatched = await core.patchNamespacedPod({ namespace, name: 'p1', body: [{ op: 'add', path: '/metadata/annotations', value: { via: 'json' } }] });
    assert.equal(jsonPatched.metadata?.annotations?.via, 'json');
    const merged = await core.patchNamespacedPod(
      { namespace, name: 'p1', body: { metadata: { labels: { replaced: null, merged: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(merged.metadata?.labels, { app: 'p', merged: 'yes' });
    const strategic = await core.patchNamespacedPod(
      { namespace, name: 'p1', body: { spec: { containers: [{ name: 'c', image: 'busybox:1.37' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.equal(strategic.spec?.containers[0].image, 'busybox:1.37');
    assert.deepEqual(strategic.spec?.containers[0].command, ['sleep', '3600']);

    const deleted = await core.deleteNamespacedPod({ namespace, name: 'p1' });
    assert.equal(deleted.metadata?.name, 'p1', 'deleting a pod answers the pod');
    const gone = await apiError(core.readNamespacedPod({ namespace, name: 'p1' }));
    assert.equal(gone.code, 404);
    assert.deepEqual([gone.status.kind, gone.status.reason, gone.status.message], ['Status', 'NotFound', 'pods "p1" not found']);
  });

  it('errors: AlreadyExists, Conflict on a stale resourceVersion, Invalid', async () => {
    await core.createNamespacedConfigMap({ namespace, body: configMap('e1', { a: '1' }) });
    const dup = await apiError(core.createNamespacedConfigMap({ namespace, body: configMap('e1', { a: '1' }) }));
    assert.equal(dup.code, 409);
    assert.deepEqual([dup.status.reason, dup.status.message], ['AlreadyExists', 'configmaps "e1" already exists']);

    const stale = await core.readNamespacedConfigMap({ namespace, name: 'e1' });
    await core.replaceNamespacedConfigMap({ namespace, name: 'e1', body: { ...stale, data: { a: '2' } } });
    const conflict = await apiError(core.replaceNamespacedConfigMap({ namespace, name: 'e1', body: { ...stale, data: { a: '3' } } }));
    assert.equal(conflict.code, 409);
    assert.equal(conflict.status.reason, 'Conflict');
    assert.equal(conflict.status.message, 'Operation cannot be fulfilled on configmaps "e1": the object has been modified; please apply your changes to the latest version and try again');

    const invalid = await apiError(core.createNamespacedConfigMap({ namespace, body: configMap('Not_Valid', { a: '1' }) }));
    assert.equal(invalid.code, 422);
    assert.equal(invalid.status.reason, 'Invalid');
    assert.equal(invalid.status.details.causes[0].field, 'metadata.name');
  });

  it('generateName, pagination with limit and continue, lists across namespaces', async () => {
    const generated = await core.createNamespacedConfigMap({ namespace, body: { metadata: { generateName: 'gen-' }, data: { a: '1' } } });
    assert.match(generated.metadata?.name ?? '', /^gen-[a-z0-9]{5}$/);

    for (let i = 1; i <= 5; i++) await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `page-${i}`, labels: { page: 'yes' } }, data: {} } });
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({ namespace, labelSelector: 'page=yes', limit: 2, _continue: token });
      names.push(...page.items.map((c) => c.metadata!.name!));
      token = page.metadata?._continue || undefined;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(names, ['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);

    const all = await core.listConfigMapForAllNamespaces({ labelSelector: 'page=yes' });
    assert.equal(all.items.length, 5);
  });

  it('status subresource and cluster-scoped nodes', async () => {
    await core.createNamespacedPod({ namespace, body: pod('st', { nodeName: 'n1' }) as V1Pod });
    const current = await core.readNamespacedPodStatus({ namespace, name: 'st' });
    const updated = await core.replaceNamespacedPodStatus({ namespace, name: 'st', body: { ...current, status: { ...current.status, phase: 'Running', podIP: '10.244.3.4' } } });
    assert.equal(updated.status?.phase, 'Running');
    assert.equal((await core.readNamespacedPod({ namespace, name: 'st' })).status?.podIP, '10.244.3.4');

    await core.createNode({ body: { metadata: { name: 'cn-node', labels: { zone: 'z' } } } });
    const nodes = await core.listNode({ labelSelector: 'zone=z' });
    assert.deepEqual(nodes.items.map((n) => n.metadata?.name), ['cn-node']);
    await core.deleteNode({ name: 'cn-node' });
    assert.equal((await apiError(core.readNode({ name: 'cn-node' }))).code, 404);
  });
});

describe('AppsV1Api', () => {
  const namespace = 'cn-apps';

  it('deployments: create, scale subresource (read, patch, replace), status, list, delete', async () => {
    const created = await apps.createNamespacedDeployment({ namespace, body: deployment('web', { replicas: 1 }) as V1Deployment });
    assert.equal(created.metadata?.generation, 1);
    assert.equal(created.spec?.strategy?.type, 'RollingUpdate', 'defaulted by the server');

    const scale = await apps.readNamespacedDeploymentScale({ namespace, name: 'web' });
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.spec?.replicas, 1);
    await apps.patchNamespacedDeploymentScale({ namespace, name: 'web', body: { spec: { replicas: 3 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    assert.equal((await apps.readNamespacedDeployment({ namespace, name: 'web' })).spec?.replicas, 3);
    const s2 = await apps.readNamespacedDeploymentScale({ namespace, name: 'web' });
    const replaced = await apps.replaceNamespacedDeploymentScale({ namespace, name: 'web', body: { ...s2, spec: { replicas: 4 } } });
    assert.equal(replaced.spec?.replicas, 4);

    const d = await apps.readNamespacedDeployment({ namespace, name: 'web' });
    const withStatus = await apps.replaceNamespacedDeploymentStatus({
      namespace,
      name: 'web',
      body: { ...d, status: { observedGeneration: d.metadata?.generation, replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4 } },
    });
    assert.equal(withStatus.status?.availableReplicas, 4);

    const all = await apps.listDeploymentForAllNamespaces({});
    assert.ok(all.items.some((x) => x.metadata?.namespace === namespace && x.metadata?.name === 'web'));

    const status = await apps.deleteNamespacedDeployment({ namespace, name: 'web' });
    assert.equal(status.kind, 'Status');
    assert.equal(status.status, 'Success');
    assert.deepEqual([status.details?.name, status.details?.group, status.details?.kind], ['web', 'apps', 'deployments']);
    assert.equal((await apiError(apps.readNamespacedDeployment({ namespace, name: 'web' }))).code, 404);
  });
});

describe('KubernetesObjectApi (discovery-driven)', () => {
  const namespace = 'cn-obj';
  const header = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'obj', namespace } };

  it('create, read, patch (strategic and merge), replace, list and delete a Deployment', async () => {
    const created = await objects.create(deployment('obj', { namespace, replicas: 1, containers: [{ name: 'api', image: 'nginx:1.27' }, { name: 'log', image: 'busybox:1.36' }] }) as KubernetesObject);
    assert.equal(created.kind, 'Deployment');
    assert.equal(created.metadata?.name, 'obj');

    const read = await objects.read<V1Deployment>(header);
    assert.equal(read.spec?.replicas, 1);

    // The default patch strategy here is a strategic merge: containers merge by name.
    const patched = await objects.patch<V1Deployment>({ ...header, spec: { template: { spec: { containers: [{ name: 'api', image: 'nginx:1.28' }] } } } } as KubernetesObject);
    assert.deepEqual(
      patched.spec?.template.spec?.containers.map((c) => [c.name, c.image]),
      [
        ['api', 'nginx:1.28'],
        ['log', 'busybox:1.36'],
      ],
    );
    const merged = await objects.patch<V1Deployment>({ ...header, spec: { replicas: 2 } } as KubernetesObject, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
    assert.equal(merged.spec?.replicas, 2);

    const current = await objects.read<V1Deployment>(header);
    current.metadata!.labels = { ...current.metadata!.labels, replaced: 'yes' };
    const replaced = await objects.replace(current);
    assert.equal(replaced.metadata?.labels?.replaced, 'yes');

    const list = await objects.list('apps/v1', 'Deployment', namespace);
    assert.deepEqual(list.items.map((x) => x.metadata?.name), ['obj']);

    await objects.delete(header);
    assert.equal((await apiError(objects.read(header))).code, 404);
  });

  it('core objects: a pod and a cluster-scoped namespace', async () => {
    await objects.create(pod('op', { namespace }) as KubernetesObject);
    const p = await objects.read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'op', namespace } });
    assert.equal(p.spec?.containers[0].name, 'c');
    await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cn-obj-ns' } });
    const ns = await objects.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cn-obj-ns' } });
    assert.equal(ns.metadata?.name, 'cn-obj-ns');
  });
});
