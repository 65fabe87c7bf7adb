// kubectl version, discovery (aggregated for kubectl, legacy for the rest), api-resources,
// `get all`, health endpoints, `explain` (OpenAPI v3) and componentstatuses, with the real
// kubectl against a real apiserver process.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startKubeEnv, type KubeEnv } from '../support/kube-env.ts';
import { AGE, parseTable, parseTables, rowOf } from '../support/table.ts';
import { deployment, pod } from '../support/manifests.ts';

let env: KubeEnv;

/** A media type and its parameters (quotes removed, charset ignored), as Go's mime.ParseMediaType reads it. */
function mediaType(value: string): Record<string, string> {
  const [type, ...params] = value.split(';').map((p) => p.trim());
  const out: Record<string, string> = { type };
  for (const p of params) {
    const [k, v] = p.split('=');
    if (k !== 'charset') out[k] = v.replace(/^"|"$/g, '');
  }
  return out;
}
before(async () => {
  env = await startKubeEnv();
});
after(async () => {
  await env?.stop();
});

describe('kubectl version', () => {
  it('reports a 1.32 server (the /usr/bin/kubectl dispatcher picks its binary by the server minor)', async () => {
    const out = await env.ok(['version', '-o', 'json']);
    const v = JSON.parse(out);
    assert.equal(v.serverVersion.major, '1');
    assert.equal(v.serverVersion.minor, '32');
    assert.match(v.serverVersion.gitVersion, /^v1\.32\.\d+/);
    for (const field of ['gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform']) {
      assert.equal(typeof v.serverVersion[field], 'string', `serverVersion.${field}`);
    }
    const plain = await env.ok(['version']);
    assert.match(plain, /^Client Version: v1\.32\./m);
    assert.match(plain, /^Server Version: v1\.32\.\d+/m);
  });
});

describe('health endpoints', () => {
  for (const path of ['/healthz', '/livez', '/readyz']) {
    it(`kubectl get --raw ${path} prints ok`, async () => {
      assert.equal(await env.ok(['get', '--raw', path]), 'ok');
    });
  }
});

describe('discovery', () => {
  it('kubectl reads the aggregated (v2) discovery documents for /api and /apis', async () => {
    // A fresh cache dir forces discovery; -v=8 prints the response headers.
    const r = await env.kubectl(['api-resources', '-v=8', `--cache-dir=${join(env.dir, 'discovery-v2-cache')}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /GET http:\/\/[^ ]+\/api\?timeout=/);
    assert.match(r.stderr, /GET http:\/\/[^ ]+\/apis\?timeout=/);
    // Both answers are typed as aggregated discovery (what real servers send, byte for byte,
    // is application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList).
    const types = [...r.stderr.matchAll(/\]\s+Content-Type: (.*)$/gm)].map((m) => m[1]).filter((t) => t.includes('apidiscovery'));
    assert.equal(types.length, 2, `two aggregated discovery answers in:\n${r.stderr.slice(0, 4000)}`);
    for (const t of types) assert.deepEqual(mediaType(t), { type: 'application/json', g: 'apidiscovery.k8s.io', v: 'v2', as: 'APIGroupDiscoveryList' }, t);
    // Aggregated discovery holds every group-version: kubectl needs no per-group request.
    assert.doesNotMatch(r.stderr, /GET http:\/\/[^ ]+\/apis\/apps\/v1\?timeout=/);
  });

  it('serves the legacy documents too (APIVersions, APIGroupList, APIResourceList)', async () => {
    const api = await env.request('GET', '/api');
    assert.equal(api.status, 200);
    assert.equal(api.body.kind, 'APIVersions');
    assert.deepEqual(api.body.versions, ['v1']);
    const apis = await env.request('GET', '/apis');
    assert.equal(apis.body.kind, 'APIGroupList');
    const groups = apis.body.groups.map((g: any) => g.name);
    for (const g of ['apps', 'batch', 'coordination.k8s.io', 'discovery.k8s.io']) assert.ok(groups.includes(g), `group ${g} in ${groups}`);
    const v1 = await env.request('GET', '/api/v1');
    assert.equal(v1.body.kind, 'APIResourceList');
    assert.equal(v1.body.groupVersion, 'v1');
    const pods = v1.body.resources.find((r: any) => r.name === 'pods');
    assert.deepEqual(
      { kind: pods.kind, namespaced: pods.namespaced, singularName: pods.singularName, shortNames: pods.shortNames, categories: pods.categories },
      { kind: 'Pod', namespaced: true, singularName: 'pod', shortNames: ['po'], categories: ['all'] },
    );
    assert.ok(pods.verbs.includes('watch') && pods.verbs.includes('create'), JSON.stringify(pods.verbs));
    // client-node takes the first entry of a kind: the resource must come before its subresources.
    const names = v1.body.resources.map((r: any) => r.name);
    assert.ok(names.indexOf('pods') < names.indexOf('pods/status'), JSON.stringify(names));
    const apps = await env.request('GET', '/apis/apps/v1');
    assert.ok(apps.body.resources.some((r: any) => r.name === 'deployments/scale' && r.kind === 'Scale' && r.group === 'autoscaling'), 'deployments/scale is a Scale');
  });

  it('kubectl api-resources lists every resource with its short names, version, scope and kind', async () => {
    const table = parseTable(await env.ok(['api-resources']));
    assert.deepEqual(table.header, ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    const expected: [string, string, string, string, string][] = [
      ['componentstatuses', 'cs', 'v1', 'false', 'ComponentStatus'],
      ['configmaps', 'cm', 'v1', 'true', 'ConfigMap'],
      ['endpoints', 'ep', 'v1', 'true', 'Endpoints'],
      ['events', 'ev', 'v1', 'true', 'Event'],
      ['namespaces', 'ns', 'v1', 'false', 'Namespace'],
      ['nodes', 'no', 'v1', 'false', 'Node'],
      ['pods', 'po', 'v1', 'true', 'Pod'],
      ['secrets', '', 'v1', 'true', 'Secret'],
      ['serviceaccounts', 'sa', 'v1', 'true', 'ServiceAccount'],
      ['services', 'svc', 'v1', 'true', 'Service'],
      ['daemonsets', 'ds', 'apps/v1', 'true', 'DaemonSet'],
      ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment'],
      ['replicasets', 'rs', 'apps/v1', 'true', 'ReplicaSet'],
      ['statefulsets', 'sts', 'apps/v1', 'true', 'StatefulSet'],
      ['cronjobs', 'cj', 'batch/v1', 'true', 'CronJob'],
      ['jobs', '', 'batch/v1', 'true', 'Job'],
      ['leases', '', 'coordination.k8s.io/v1', 'true', 'Lease'],
      ['endpointslices', '', 'discovery.k8s.io/v1', 'true', 'EndpointSlice'],
    ];
    for (const [name, shortNames, apiVersion, namespaced, kind] of expected) {
      const row = table.rows.find((r) => r[0] === name && r[2] === apiVersion);
      assert.ok(row, `api-resources has no ${name} (${apiVersion}):\n${JSON.stringify(table.rows)}`);
      assert.deepEqual(row, [name, shortNames, apiVersion, namespaced, kind]);
    }
    // Subresources never show up as rows.
    assert.ok(!table.rows.some((r) => r[0].includes('/')));
  });

  it('kubectl api-resources --categories=all and api-versions', async () => {
    const all = (await env.ok(['api-resources', '--categories=all', '-o', 'name'])).trim().split('\n').sort();
    assert.deepEqual(all, ['cronjobs.batch', 'daemonsets.apps', 'deployments.apps', 'jobs.batch', 'pods', 'replicasets.apps', 'services', 'statefulsets.apps']);
    const versions = (await env.ok(['api-versions'])).trim().split('\n');
    for (const gv of ['v1', 'apps/v1', 'batch/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1']) assert.ok(versions.includes(gv), `${gv} in ${versions}`);
  });

  it('short names resolve: kubectl get po,deploy,svc,no,ns,cm,ev', async () => {
    await env.createNamespaces('short');
    await env.ok(['create', '-f', '-'], { input: pod('p', { namespace: 'short' }) });
    const out = await env.ok(['get', 'po,deploy,cm', '-n', 'short', '-o', 'name']);
    assert.equal(out, 'pod/p\n');
    for (const short of ['svc', 'no', 'ns', 'ev', 'ds', 'rs', 'sts', 'cj', 'sa', 'ep', 'cs']) {
      const r = await env.kubectl(['get', short, '-n', 'short']);
      assert.equal(r.code, 0, `kubectl get ${short}: ${r.stderr}`);
    }
  });
});

describe('kubectl get all', () => {
  it('lists pods, services and deployments of the namespace, each in its own table', async () => {
    await env.createNamespaces('everything');
    await env.ok(['create', '-f', '-'], { input: pod('api-0', { namespace: 'everything', labels: { app: 'api' } }) });
    await env.ok(['create', '-f', '-'], { input: deployment('api', { namespace: 'everything', replicas: 2 }) });
    await env.ok(['create', '-f', '-'], {
      input: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'everything' }, spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] } },
    });
    const r = await env.kubectl(['get', 'all', '-n', 'everything']);
    assert.equal(r.code, 0, r.stderr);
    const tables = parseTables(r.stdout);
    const byFirstName = new Map(tables.map((t) => [t.rows[0]?.[0].split('/')[0], t]));
    assert.deepEqual([...byFirstName.keys()].sort(), ['deployment.apps', 'pod', 'service'], r.stdout);

    const pods = byFirstName.get('pod')!;
    assert.deepEqual(pods.header, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    const p = rowOf(pods, 'pod/api-0');
    assert.equal(p.READY, '0/1');
    assert.equal(p.STATUS, 'Pending');

    const svc = byFirstName.get('service')!;
    assert.deepEqual(svc.header, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const s = rowOf(svc, 'service/api');
    assert.equal(s.TYPE, 'ClusterIP');
    assert.match(s['CLUSTER-IP'], /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/, 'a cluster IP from 10.96.0.0/12');
    assert.equal(s['EXTERNAL-IP'], '<none>');
    assert.equal(s['PORT(S)'], '80/TCP');
    assert.match(s.AGE, AGE);

    const deploy = byFirstName.get('deployment.apps')!;
    assert.deepEqual(deploy.header, ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.deepEqual(Object.values(rowOf(deploy, 'deployment.apps/api')).slice(0, 4), ['deployment.apps/api', '0/2', '0', '0']);
  });
});

describe('kubectl get all in the default namespace', () => {
  it('shows the apiserver\'s kubernetes Service, as on every cluster', async () => {
    const r = await env.kubectl(['get', 'all']);
    assert.equal(r.code, 0, r.stderr);
    const tables = parseTables(r.stdout);
    const svc = tables.find((t) => t.rows[0]?.[0].startsWith('service/'));
    assert.ok(svc, r.stdout);
    assert.deepEqual(svc.header, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const k = rowOf(svc, 'service/kubernetes');
    assert.deepEqual([k.TYPE, k['CLUSTER-IP'], k['EXTERNAL-IP'], k['PORT(S)']], ['ClusterIP', '10.96.0.1', '<none>', '443/TCP']);
    assert.match(k.AGE, AGE);
  });
});

describe('kubectl explain (OpenAPI v3 schemas)', () => {
  it('explains pod.spec from the server schema', async () => {
    const out = await env.ok(['explain', 'pod.spec']);
    assert.match(out, /^KIND:\s+Pod$/m);
    assert.match(out, /^VERSION:\s+v1$/m);
    assert.match(out, /^FIELD: spec <PodSpec>$/m);
    assert.match(out, /^ {2}containers\t<\[\]Container> -required-$/m);
    assert.match(out, /^ {2}nodeName\t<string>$/m);
  });

  it('explains a field of another group (deployment.spec.replicas)', async () => {
    const out = await env.ok(['explain', 'deployment.spec.replicas']);
    assert.match(out, /^GROUP:\s+apps$/m);
    assert.match(out, /^KIND:\s+Deployment$/m);
    assert.match(out, /^FIELD: replicas <integer>$/m);
  });
});

describe('kubectl get componentstatuses', () => {
  it('prints the deprecation warning the server sends and a healthy etcd', async () => {
    const r = await env.kubectl(['get', 'componentstatuses']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Warning: v1 ComponentStatus is deprecated in v1\.19\+$/m);
    const table = parseTable(r.stdout);
    assert.deepEqual(table.header, ['NAME', 'STATUS', 'MESSAGE', 'ERROR']);
    const etcd = rowOf(table, 'etcd-0');
    assert.equal(etcd.STATUS, 'Healthy');
    assert.equal(etcd.ERROR, '');
    const one = await env.ok(['get', 'cs', 'etcd-0', '-o', 'json']);
    const cs = JSON.parse(one);
    assert.equal(cs.kind, 'ComponentStatus');
    assert.deepEqual(cs.conditions.map((c: any) => [c.type, c.status]), [['Healthy', 'True']]);
  });
});
