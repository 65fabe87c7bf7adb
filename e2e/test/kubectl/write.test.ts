// kubectl create, apply (client-side, three-way strategic merge), apply --server-side,
// replace, server-side field validation, and the error statuses kubectl prints.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startKubeEnv, type KubeEnv } from '../support/kube-env.ts';
import { configMap, deployment, pod } from '../support/manifests.ts';

let env: KubeEnv;

before(async () => {
  env = await startKubeEnv();
  await env.createNamespaces('create', 'apply', 'ssa', 'replace', 'invalid', 'validation');
});

after(async () => {
  await env?.stop();
});

async function getJson(args: string[]): Promise<any> {
  return JSON.parse(await env.ok(['get', ...args, '-o', 'json']));
}

/**
 * The request bodies kubectl -v=8 logs (`"Request Body" body="<Go-quoted JSON>"`), parsed; empty
 * bodies (GETs) left out.
 */
function requestBodies(stderr: string): any[] {
  return [...stderr.matchAll(/"Request Body" body=("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]) as string).filter((b) => b !== '').map((b) => JSON.parse(b));
}

/** The request lines kubectl -v=6 logs, e.g. `PATCH http://.../configmaps/x?fieldManager=kubectl&force=false 201 Created`. */
function requestLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => /\] ((?:GET|POST|PUT|PATCH|DELETE) http\S+ \d{3} [^\n]*?) in \d+ milliseconds/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
}

describe('kubectl create', () => {
  it('creates from a manifest, then refuses the duplicate with AlreadyExists', async () => {
    const r = await env.kubectl(['create', '-f', '-', '-n', 'create'], { input: pod('c1') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pod/c1 created\n');
    const created = await getJson(['pod', 'c1', '-n', 'create', '--show-managed-fields']);
    assert.equal(created.metadata.namespace, 'create');
    assert.ok(created.metadata.managedFields.some((m: any) => m.manager === 'kubectl-create' && m.operation === 'Update'), JSON.stringify(created.metadata.managedFields));

    const dup = await env.kubectl(['create', '-f', '-', '-n', 'create'], { input: pod('c1') });
    assert.equal(dup.code, 1);
    assert.equal(dup.stdout, '');
    assert.equal(dup.stderr, 'Error from server (AlreadyExists): error when creating "STDIN": pods "c1" already exists\n');
  });

  it('AlreadyExists names the group of a non-core resource', async () => {
    await env.ok(['create', '-f', '-', '-n', 'create'], { input: deployment('dup') });
    const r = await env.kubectl(['create', '-f', '-', '-n', 'create'], { input: deployment('dup') });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (AlreadyExists): error when creating "STDIN": deployments.apps "dup" already exists\n');
  });

  it('kubectl run and kubectl expose (JSON bodies)', async () => {
    assert.equal(await env.ok(['run', 'runner', '--image=busybox:1.36', '--labels=app=runner', '-n', 'create', '--', 'sleep', '3600']), 'pod/runner created\n');
    const p = await getJson(['pod', 'runner', '-n', 'create']);
    assert.deepEqual(p.spec.containers[0].args, ['sleep', '3600']);
    assert.equal(await env.ok(['expose', 'pod', 'runner', '--port=80', '--target-port=8080', '-n', 'create']), 'service/runner exposed\n');
    const svc = await getJson(['svc', 'runner', '-n', 'create']);
    assert.deepEqual(svc.spec.selector, { app: 'runner' });
    assert.deepEqual(svc.spec.ports.map((x: any) => [x.port, x.targetPort, x.protocol]), [[80, 8080, 'TCP']]);
  });

  // The generators build typed objects and POST them with client-go's typed clients, which
  // send `Content-Type: application/vnd.kubernetes.protobuf` bodies.
  const generators: [string[], string, (o: any) => void][] = [
    [['namespace', 'generated'], 'namespace/generated created', (o) => assert.equal(o.status.phase, 'Active')],
    [['configmap', 'gen', '--from-literal=a=1', '-n', 'create'], 'configmap/gen created', (o) => assert.deepEqual(o.data, { a: '1' })],
    [['secret', 'generic', 'gen', '--from-literal=p=pass', '-n', 'create'], 'secret/gen created', (o) => assert.deepEqual([o.type, o.data], ['Opaque', { p: 'cGFzcw==' }])],
    [
      ['deployment', 'gen', '--image=nginx:1.27', '--replicas=2', '-n', 'create'],
      'deployment.apps/gen created',
      (o) => assert.deepEqual([o.spec.replicas, o.spec.selector, o.spec.template.spec.containers[0].image], [2, { matchLabels: { app: 'gen' } }, 'nginx:1.27']),
    ],
    [['service', 'clusterip', 'gen', '--tcp=80:8080', '-n', 'create'], 'service/gen created', (o) => assert.deepEqual(o.spec.ports.map((x: any) => [x.port, x.targetPort]), [[80, 8080]])],
    [['serviceaccount', 'gen', '-n', 'create'], 'serviceaccount/gen created', (o) => assert.equal(o.kind, 'ServiceAccount')],
    [['job', 'gen', '--image=busybox:1.36', '-n', 'create'], 'job.batch/gen created', (o) => assert.equal(o.spec.template.spec.containers[0].image, 'busybox:1.36')],
    [['cronjob', 'gen', '--image=busybox:1.36', '--schedule=*/5 * * * *', '-n', 'create'], 'cronjob.batch/gen created', (o) => assert.equal(o.spec.schedule, '*/5 * * * *')],
  ];
  for (const [args, printed, check] of generators) {
    it(`kubectl create ${args.slice(0, args[0] === 'secret' || args[0] === 'service' ? 2 : 1).join(' ')} (a protobuf request body)`, async () => {
      const r = await env.kubectl(['create', ...args]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${printed}\n`);
      const [kind, name] = printed.split(' ')[0].split('/');
      check(await getJson([kind, name, ...(kind === 'namespace' ? [] : ['-n', 'create'])]));
    });
  }

  it('creating in a namespace that does not exist is NotFound', async () => {
    const r = await env.kubectl(['create', '-f', '-', '-n', 'no-such-ns'], { input: pod('x') });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (NotFound): error when creating "STDIN": namespaces "no-such-ns" not found\n');
  });
});

describe('kubectl apply (client-side)', () => {
  const v1 = deployment('web', {
    replicas: 2,
    containers: [
      { name: 'api', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 8080, name: 'http' }] },
      { name: 'sidecar', image: 'busybox:1.36', command: ['sleep', '3600'] },
    ],
  });

  it('creates with the last-applied-configuration annotation', async () => {
    const r = await env.kubectl(['apply', '-f', '-', '-n', 'apply'], { input: v1 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment.apps/web created\n');
    const d = await getJson(['deploy', 'web', '-n', 'apply']);
    const last = JSON.parse(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.deepEqual(last.spec.template.spec.containers.map((c: any) => c.name), ['api', 'sidecar']);
  });

  it('a second apply changes what the manifest changed and keeps everything else', async () => {
    // Changes made by others in between: fields the manifest does not set stay; the replica
    // count it does set goes back to the manifest's (the patch is current -> manifest).
    assert.equal(await env.ok(['annotate', 'deploy', 'web', 'team=blue', '-n', 'apply']), 'deployment.apps/web annotated\n');
    assert.equal(await env.ok(['label', 'deploy', 'web', 'owner=ops', '-n', 'apply']), 'deployment.apps/web labeled\n');
    assert.equal(await env.ok(['patch', 'deploy', 'web', '--type', 'merge', '-p', '{"spec":{"revisionHistoryLimit":3}}', '-n', 'apply']), 'deployment.apps/web patched\n');
    assert.equal(await env.ok(['scale', 'deploy', 'web', '--replicas=4', '-n', 'apply']), 'deployment.apps/web scaled\n');
    const before = await getJson(['deploy', 'web', '-n', 'apply']);

    const v2 = structuredClone(v1);
    v2.spec.template.spec.containers[0].image = 'nginx:1.28';
    v2.spec.template.spec.containers[0].env = [{ name: 'A', value: '1' }, { name: 'C', value: '3' }];
    const r = await env.kubectl(['apply', '-f', '-', '-n', 'apply', '-v=8'], { input: v2 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment.apps/web configured\n');
    // -v=8 logs the request line, its body and then the response status.
    assert.match(r.stderr, /\] PATCH http:\/\/\S+\/apis\/apps\/v1\/namespaces\/apply\/deployments\/web\?fieldManager=kubectl-client-side-apply\S*\n(?:.*\n)*?.*\] Response Status: 200 OK/);
    // The strategic merge patch kubectl computed: list order, a deleted env entry, merge keys.
    const [sent] = requestBodies(r.stderr);
    const podSpec = sent.spec.template.spec;
    assert.deepEqual(podSpec['$setElementOrder/containers'], [{ name: 'api' }, { name: 'sidecar' }]);
    assert.equal(podSpec.containers.length, 1);
    assert.deepEqual(podSpec.containers[0]['$setElementOrder/env'], [{ name: 'A' }, { name: 'C' }]);
    assert.deepEqual(podSpec.containers[0].env, [{ name: 'C', value: '3' }, { $patch: 'delete', name: 'B' }]);
    assert.equal(sent.spec.replicas, 2);

    const d = await getJson(['deploy', 'web', '-n', 'apply']);
    const [api, sidecar] = d.spec.template.spec.containers;
    assert.equal(d.spec.template.spec.containers.length, 2);
    assert.equal(api.name, 'api');
    assert.equal(api.image, 'nginx:1.28');
    assert.deepEqual(api.env, [{ name: 'A', value: '1' }, { name: 'C', value: '3' }], 'B removed, C added, in manifest order');
    assert.deepEqual(api.ports.map((p: any) => [p.name, p.containerPort]), [['http', 8080]]);
    assert.deepEqual([sidecar.name, sidecar.image, sidecar.command], ['sidecar', 'busybox:1.36', ['sleep', '3600']]);
    assert.equal(d.spec.replicas, 2, 'the manifest sets replicas: back to 2');
    assert.equal(d.spec.revisionHistoryLimit, 3, 'not in the manifest: kept');
    assert.equal(d.metadata.annotations.team, 'blue');
    assert.deepEqual(d.metadata.labels, { app: 'web', owner: 'ops' });
    assert.equal(d.metadata.uid, before.metadata.uid);
    assert.ok(d.metadata.generation > before.metadata.generation, 'a template change bumps generation');
    const last = JSON.parse(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(last.spec.template.spec.containers[0].image, 'nginx:1.28');
  });

  it('applying the same manifest again is unchanged', async () => {
    const v2 = structuredClone(v1);
    v2.spec.template.spec.containers[0].image = 'nginx:1.28';
    v2.spec.template.spec.containers[0].env = [{ name: 'A', value: '1' }, { name: 'C', value: '3' }];
    assert.equal(await env.ok(['apply', '-f', '-', '-n', 'apply'], { input: v2 }), 'deployment.apps/web unchanged\n');
  });

  it('removing a container ($patch: delete) and switching strategy to Recreate ($retainKeys drops rollingUpdate)', async () => {
    const before = await getJson(['deploy', 'web', '-n', 'apply']);
    assert.equal(before.spec.strategy.type, 'RollingUpdate', 'defaulted');
    assert.ok(before.spec.strategy.rollingUpdate, 'defaulted rollingUpdate');
    const v3 = deployment('web', {
      replicas: 2,
      strategy: { type: 'Recreate' },
      containers: [{ name: 'api', image: 'nginx:1.28', env: [{ name: 'A', value: '1' }, { name: 'C', value: '3' }], ports: [{ containerPort: 8080, name: 'http' }] }],
    });
    const r = await env.kubectl(['apply', '-f', '-', '-n', 'apply', '-v=8'], { input: v3 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment.apps/web configured\n');
    // What kubectl sent: a strategic merge patch with the directives the server must know.
    const [sent] = requestBodies(r.stderr);
    assert.deepEqual(sent.spec.strategy, { $retainKeys: ['type'], type: 'Recreate' });
    assert.deepEqual(sent.spec.template.spec['$setElementOrder/containers'], [{ name: 'api' }]);
    assert.deepEqual(sent.spec.template.spec.containers, [{ $patch: 'delete', name: 'sidecar' }]);
    const d = await getJson(['deploy', 'web', '-n', 'apply']);
    assert.deepEqual(d.spec.template.spec.containers.map((c: any) => c.name), ['api']);
    assert.deepEqual(d.spec.strategy, { type: 'Recreate' });
  });

  it('applying a pod twice: a changed image and a new label, other fields kept', async () => {
    const p1 = pod('ap', { labels: { app: 'ap' }, image: 'busybox:1.36' });
    assert.equal(await env.ok(['apply', '-f', '-', '-n', 'apply'], { input: p1 }), 'pod/ap created\n');
    await env.ok(['label', 'pod', 'ap', 'extra=yes', '-n', 'apply']);
    const p2 = pod('ap', { labels: { app: 'ap', v: '2' }, image: 'busybox:1.37' });
    assert.equal(await env.ok(['apply', '-f', '-', '-n', 'apply'], { input: p2 }), 'pod/ap configured\n');
    const got = await getJson(['pod', 'ap', '-n', 'apply']);
    assert.equal(got.spec.containers[0].image, 'busybox:1.37');
    assert.deepEqual(got.metadata.labels, { app: 'ap', v: '2', extra: 'yes' });
    assert.deepEqual(got.spec.containers[0].command, ['sleep', '3600']);
  });
});

describe('kubectl apply --server-side', () => {
  it('creates (201) then updates (200), prints serverside-applied, records the kubectl field manager', async () => {
    const first = await env.kubectl(['apply', '--server-side', '-f', '-', '-n', 'ssa', '-v=6'], { input: configMap('ssa', { a: '1' }) });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'configmap/ssa serverside-applied\n');
    const created = requestLines(first.stderr).find((l) => l.startsWith('PATCH '));
    assert.match(created ?? '', /^PATCH http:\/\/\S+\/api\/v1\/namespaces\/ssa\/configmaps\/ssa\?\S*fieldManager=kubectl\S* 201 Created$/, first.stderr);
    assert.match(created ?? '', /[?&]force=false/);

    const second = await env.kubectl(['apply', '--server-side', '-f', '-', '-n', 'ssa', '-v=6'], { input: configMap('ssa', { a: '2', b: '3' }) });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'configmap/ssa serverside-applied\n');
    assert.match(requestLines(second.stderr).find((l) => l.startsWith('PATCH ')) ?? '', / 200 OK$/);

    const cm = await getJson(['cm', 'ssa', '-n', 'ssa', '--show-managed-fields']);
    assert.deepEqual(cm.data, { a: '2', b: '3' });
    const entries = cm.metadata.managedFields.filter((m: any) => m.manager === 'kubectl');
    assert.equal(entries.length, 1, JSON.stringify(cm.metadata.managedFields));
    assert.equal(entries[0].operation, 'Apply');
    assert.equal(entries[0].apiVersion, 'v1');
    assert.equal(entries[0].fieldsType, 'FieldsV1');
    assert.deepEqual(Object.keys(entries[0].fieldsV1['f:data']).sort(), ['f:a', 'f:b']);
  });

  it('another manager changing an owned field is a conflict, unless it forces', async () => {
    const r = await env.kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-', '-n', 'ssa'], { input: configMap('ssa', { a: '9' }) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl": \.data\.a$/m);
    assert.deepEqual((await getJson(['cm', 'ssa', '-n', 'ssa'])).data, { a: '2', b: '3' });

    const forced = await env.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=other', '-f', '-', '-n', 'ssa'], { input: configMap('ssa', { a: '9' }) });
    assert.equal(forced.code, 0, forced.stderr);
    const cm = await getJson(['cm', 'ssa', '-n', 'ssa', '--show-managed-fields']);
    assert.deepEqual(cm.data, { a: '9', b: '3' });
    const byManager = Object.fromEntries(cm.metadata.managedFields.map((m: any) => [m.manager, Object.keys(m.fieldsV1?.['f:data'] ?? {}).sort()]));
    assert.deepEqual(byManager.kubectl, ['f:b'], 'kubectl lost .data.a to the forcing manager');
    assert.deepEqual(byManager.other, ['f:a']);
  });

  it('a deployment: containers merge by name, fields it does not own stay', async () => {
    const d1 = deployment('ssa-web', { replicas: 2, containers: [{ name: 'api', image: 'nginx:1.27' }] });
    assert.equal(await env.ok(['apply', '--server-side', '-f', '-', '-n', 'ssa'], { input: d1 }), 'deployment.apps/ssa-web serverside-applied\n');
    await env.ok(['annotate', 'deploy', 'ssa-web', 'team=red', '-n', 'ssa']);
    const d2 = deployment('ssa-web', { replicas: 2, containers: [{ name: 'api', image: 'nginx:1.28' }] });
    assert.equal(await env.ok(['apply', '--server-side', '-f', '-', '-n', 'ssa'], { input: d2 }), 'deployment.apps/ssa-web serverside-applied\n');
    const d = await getJson(['deploy', 'ssa-web', '-n', 'ssa']);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.28');
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.metadata.annotations.team, 'red');
  });
});

describe('kubectl replace', () => {
  it('replaces the whole object, and a stale resourceVersion is a Conflict', async () => {
    await env.ok(['create', '-f', '-', '-n', 'replace'], { input: pod('r1', { labels: { v: '1' } }) });
    const stale = await getJson(['pod', 'r1', '-n', 'replace']);
    const fresh = structuredClone(stale);
    fresh.metadata.labels.v = '2';
    fresh.spec.containers[0].image = 'busybox:1.37';
    const r = await env.kubectl(['replace', '-f', '-'], { input: fresh });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pod/r1 replaced\n');
    const got = await getJson(['pod', 'r1', '-n', 'replace']);
    assert.equal(got.metadata.labels.v, '2');
    assert.equal(got.spec.containers[0].image, 'busybox:1.37');
    assert.notEqual(got.metadata.resourceVersion, stale.metadata.resourceVersion);

    stale.metadata.labels.v = '3';
    const conflict = await env.kubectl(['replace', '-f', '-'], { input: stale });
    assert.equal(conflict.code, 1);
    assert.equal(
      conflict.stderr,
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on pods "r1": the object has been modified; please apply your changes to the latest version and try again\n',
    );
    assert.equal((await getJson(['pod', 'r1', '-n', 'replace'])).metadata.labels.v, '2');
  });

  it('replacing an object that does not exist is NotFound', async () => {
    const r = await env.kubectl(['replace', '-f', '-', '-n', 'replace'], { input: configMap('missing', { a: '1' }) });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (NotFound): error when replacing "STDIN": configmaps "missing" not found\n');
  });
});

describe('Invalid objects', () => {
  it('a bad name: The Pod "Bad_Name" is invalid: metadata.name: Invalid value ...', async () => {
    const r = await env.kubectl(['create', '-f', '-', '-n', 'invalid'], { input: pod('Bad_Name') });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `The Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n`,
    );
  });

  it('a pod without containers: spec.containers: Required value', async () => {
    const p = pod('empty');
    p.spec.containers = [];
    const r = await env.kubectl(['create', '-f', '-', '-n', 'invalid'], { input: p });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'The Pod "empty" is invalid: spec.containers: Required value\n');
  });

  it('several causes are listed one per line', async () => {
    const p = pod('two', { containers: [{ name: 'c' }] });
    p.spec.restartPolicy = 'Sometimes';
    const r = await env.kubectl(['create', '-f', '-', '-n', 'invalid'], { input: p });
    assert.equal(r.code, 1);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines[0], 'The Pod "two" is invalid: ');
    assert.deepEqual(lines.slice(1).sort(), [
      '* spec.containers[0].image: Required value',
      '* spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
  });

  it('a deployment with negative replicas', async () => {
    const r = await env.kubectl(['create', '-f', '-', '-n', 'invalid'], { input: deployment('neg', { replicas: -1 }) });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'The Deployment "neg" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n');
  });

  it('the Status on the wire: 422, reason Invalid, details with kind, name and causes', async () => {
    const res = await env.request('POST', '/api/v1/namespaces/invalid/pods', { ...pod('empty'), spec: { containers: [] } });
    assert.equal(res.status, 422);
    assert.deepEqual(
      { kind: res.body.kind, apiVersion: res.body.apiVersion, status: res.body.status, reason: res.body.reason, code: res.body.code, details: res.body.details },
      {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Invalid',
        code: 422,
        details: { name: 'empty', kind: 'Pod', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }] },
      },
    );
    assert.equal(res.body.message, 'Pod "empty" is invalid: spec.containers: Required value');
  });
});

describe('field validation (server-side, fieldValidation=Strict|Warn|Ignore)', () => {
  const withUnknown = (name: string): Record<string, any> => {
    const p = pod(name);
    p.spec.foo = 'bar';
    return p;
  };

  it('strict (the default) refuses an unknown field with a clear message, before anything is stored', async () => {
    const r = await env.kubectl(['create', '-f', '-', '-n', 'validation', '-v=6'], { input: withUnknown('strict') });
    assert.equal(r.code, 1);
    assert.ok(requestLines(r.stderr).some((l) => /^POST \S+\/pods\?\S*fieldValidation=Strict\S* 400 Bad Request$/.test(l)), r.stderr);
    assert.match(
      r.stderr,
      /^Error from server \(BadRequest\): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec\.foo"$/m,
    );
    const get = await env.kubectl(['get', 'pod', 'strict', '-n', 'validation']);
    assert.equal(get.stderr.trim(), 'Error from server (NotFound): pods "strict" not found');
  });

  it('strict names nested unknown fields with their index', async () => {
    const p = pod('nested');
    p.spec.containers[0].imagePullPolcy = 'Always';
    const r = await env.kubectl(['apply', '-f', '-', '-n', 'validation'], { input: p });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /strict decoding error: unknown field "spec\.containers\[0\]\.imagePullPolcy"/);
  });

  it('--validate=warn creates the object and prints the server warning', async () => {
    const r = await env.kubectl(['create', '-f', '-', '-n', 'validation', '--validate=warn'], { input: withUnknown('warned') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pod/warned created\n');
    assert.match(r.stderr, /^Warning: unknown field "spec\.foo"$/m);
    const got = await getJson(['pod', 'warned', '-n', 'validation']);
    assert.equal(got.spec.foo, undefined, 'the unknown field is dropped');
  });

  it('--validate=false ignores unknown fields silently', async () => {
    const r = await env.kubectl(['create', '-f', '-', '-n', 'validation', '--validate=false'], { input: withUnknown('ignored') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pod/ignored created\n');
    assert.doesNotMatch(r.stderr, /Warning/);
    assert.equal((await getJson(['pod', 'ignored', '-n', 'validation'])).spec.foo, undefined, 'the unknown field is dropped');
  });

  it('a second apply (a strategic merge patch) with an unknown field: strict blames the patch, warn applies', async () => {
    await env.ok(['apply', '-f', '-', '-n', 'validation'], { input: pod('patched') });
    const r = await env.kubectl(['apply', '-f', '-', '-n', 'validation', '-v=6'], { input: withUnknown('patched') });
    assert.equal(r.code, 1);
    assert.ok(requestLines(r.stderr).some((l) => /^PATCH \S+\/pods\/patched\?\S*fieldValidation=Strict\S* 422 Unprocessable Entity$/.test(l)), r.stderr);
    // Upstream's patch handler: an Invalid with no kind or name, the patch (as Go prints the
    // decoded map) as the invalid value.
    const printed = r.stderr.split('\n').find((l) => l.startsWith('The request is invalid: '));
    assert.ok(printed, r.stderr);
    assert.match(printed, /^The request is invalid: patch: Invalid value: "map\[metadata:map\[annotations:map\[kubectl\.kubernetes\.io\/last-applied-configuration:\{.*\}\\n\]\] spec:map\[foo:bar\]\]": strict decoding error: unknown field "spec\.foo"$/);
    assert.equal((await getJson(['pod', 'patched', '-n', 'validation'])).metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'].includes('"foo"'), false, 'nothing stored');

    const warned = await env.kubectl(['apply', '-f', '-', '-n', 'validation', '--validate=warn'], { input: withUnknown('patched') });
    assert.equal(warned.code, 0, warned.stderr);
    assert.equal(warned.stdout, 'pod/patched configured\n');
    assert.match(warned.stderr, /^Warning: unknown field "spec\.foo"$/m);
    assert.equal((await getJson(['pod', 'patched', '-n', 'validation'])).spec.foo, undefined, 'the unknown field is dropped');
  });

  it('merge and json patches under Strict: 422 Invalid on the field "patch", valued with the patched object', async () => {
    await env.ok(['create', '-f', '-', '-n', 'validation'], { input: pod('merged') });
    const path = '/api/v1/namespaces/validation/pods/merged?fieldValidation=Strict';
    const merge = await env.request('PATCH', path, { spec: { foo: 'bar' } }, { 'content-type': 'application/merge-patch+json' });
    const json = await env.request('PATCH', path, [{ op: 'add', path: '/spec/foo', value: 'bar' }], { 'content-type': 'application/json-patch+json' });
    for (const res of [merge, json]) {
      assert.equal(res.status, 422, res.text);
      assert.deepEqual([res.body.kind, res.body.status, res.body.reason, res.body.code], ['Status', 'Failure', 'Invalid', 422]);
      const [cause] = res.body.details.causes;
      assert.deepEqual([res.body.details.causes.length, cause.reason, cause.field], [1, 'FieldValueInvalid', 'patch']);
      const m = /^Invalid value: ("(?:[^"\\]|\\.)*"): strict decoding error: unknown field "spec\.foo"$/.exec(cause.message);
      assert.ok(m, cause.message);
      const value = JSON.parse(JSON.parse(m[1]));
      assert.deepEqual([value.kind, value.metadata.name, value.spec.foo], ['Pod', 'merged', 'bar']);
      assert.equal(res.body.message, ` "" is invalid: patch: ${cause.message}`);
    }
    // kubectl patch sends no fieldValidation: the server's default, Warn.
    const r = await env.kubectl(['patch', 'pod', 'merged', '-n', 'validation', '--type=merge', '-p', '{"spec":{"foo":"bar"}}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pod/merged patched (no change)\n');
    assert.match(r.stderr, /^Warning: unknown field "spec\.foo"$/m);
  });
});

describe('error statuses', () => {
  it('NotFound for get and delete, with the group for non-core resources', async () => {
    const get = await env.kubectl(['get', 'pod', 'ghost', '-n', 'create']);
    assert.equal(get.code, 1);
    assert.equal(get.stderr, 'Error from server (NotFound): pods "ghost" not found\n');
    const del = await env.kubectl(['delete', 'deployment', 'ghost', '-n', 'create']);
    assert.equal(del.code, 1);
    assert.equal(del.stderr, 'Error from server (NotFound): deployments.apps "ghost" not found\n');
    const res = await env.request('GET', '/apis/apps/v1/namespaces/create/deployments/ghost');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "ghost" not found',
      reason: 'NotFound',
      details: { name: 'ghost', group: 'apps', kind: 'deployments' },
      code: 404,
    });
  });
});
