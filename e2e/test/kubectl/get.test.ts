// kubectl get: server-side Table output with the columns of real Kubernetes, the other output
// formats, -A, label and field selectors, --sort-by, --show-labels and --chunk-size.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { startKubeEnv, type KubeEnv } from '../support/kube-env.ts';
import { AGE, parseTable, rowOf } from '../support/table.ts';
import { configMap, deployment, node, nowTime, pod, readyNodeStatus, runningPodStatus } from '../support/manifests.ts';

let env: KubeEnv;

before(async () => {
  env = await startKubeEnv();
  await env.createNamespaces('get-a', 'get-b');
  // Images chosen so that sorting by image differs from sorting by name.
  await env.ok(['create', '-f', '-'], {
    input: [
      pod('db-1', { namespace: 'get-a', labels: { app: 'db' }, image: 'zz.example/db:1' }),
      pod('web-1', { namespace: 'get-a', labels: { app: 'web', tier: 'a' }, nodeName: 'node-1', image: 'mm.example/web:1' }),
      pod('web-2', { namespace: 'get-a', labels: { app: 'web', tier: 'b' }, image: 'aa.example/web:2' }),
      pod('other-1', { namespace: 'get-b', labels: { app: 'web' } }),
      node('node-1', { 'node-role.kubernetes.io/control-plane': '' }),
      node('node-2'),
    ],
  });
  // web-1 runs on node-1 (as its kubelet would report), node-1 is Ready.
  await env.writeStatus('/api/v1/namespaces/get-a/pods/web-1', runningPodStatus('10.244.0.5', [{ name: 'c', image: 'mm.example/web:1', restartCount: 2 }]));
  await env.writeStatus('/api/v1/nodes/node-1', readyNodeStatus('192.168.0.10'));
});

after(async () => {
  await env?.stop();
});

describe('pods table', () => {
  it('kubectl get pods: NAME READY STATUS RESTARTS AGE', async () => {
    const table = parseTable(await env.ok(['get', 'pods', '-n', 'get-a']));
    assert.deepEqual(table.header, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(
      table.rows.map((r) => r.slice(0, 4)),
      [
        ['db-1', '0/1', 'Pending', '0'],
        ['web-1', '1/1', 'Running', '2'],
        ['web-2', '0/1', 'Pending', '0'],
      ],
    );
    for (const r of table.rows) assert.match(r[4], AGE);
  });

  it('kubectl get pods -o wide adds IP NODE NOMINATED NODE READINESS GATES', async () => {
    const table = parseTable(await env.ok(['get', 'pods', '-n', 'get-a', '-o', 'wide']));
    assert.deepEqual(table.header, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    const web1 = rowOf(table, 'web-1');
    assert.deepEqual([web1.IP, web1.NODE, web1['NOMINATED NODE'], web1['READINESS GATES']], ['10.244.0.5', 'node-1', '<none>', '<none>']);
    const web2 = rowOf(table, 'web-2');
    assert.deepEqual([web2.IP, web2.NODE, web2['NOMINATED NODE'], web2['READINESS GATES']], ['<none>', '<none>', '<none>', '<none>']);
  });

  it('one pod by name, and NotFound for a missing one', async () => {
    const table = parseTable(await env.ok(['get', 'pod', 'web-1', '-n', 'get-a']));
    assert.deepEqual(table.rows.map((r) => r[0]), ['web-1']);
    const r = await env.kubectl(['get', 'pod', 'nope', '-n', 'get-a']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (NotFound): pods "nope" not found');
  });

  it('an empty namespace: "No resources found in <ns> namespace."', async () => {
    await env.createNamespaces('get-empty');
    const r = await env.kubectl(['get', 'pods', '-n', 'get-empty']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim(), 'No resources found in get-empty namespace.');
  });
});

describe('output formats', () => {
  it('-o name', async () => {
    assert.equal(await env.ok(['get', 'pods', '-n', 'get-a', '-o', 'name']), 'pod/db-1\npod/web-1\npod/web-2\n');
  });

  it('-o json: a List of full objects', async () => {
    const list = JSON.parse(await env.ok(['get', 'pods', '-n', 'get-a', '-o', 'json']));
    assert.equal(list.kind, 'List');
    assert.deepEqual(list.items.map((p: any) => [p.kind, p.apiVersion, p.metadata.name]), [
      ['Pod', 'v1', 'db-1'],
      ['Pod', 'v1', 'web-1'],
      ['Pod', 'v1', 'web-2'],
    ]);
    const web1 = list.items[1];
    assert.equal(web1.metadata.namespace, 'get-a');
    assert.match(web1.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(web1.metadata.resourceVersion, /^\d+$/);
    assert.equal(web1.status.podIP, '10.244.0.5');
  });

  it('-o yaml of one pod is the same object as -o json', async () => {
    const yaml = await env.ok(['get', 'pod', 'web-1', '-n', 'get-a', '-o', 'yaml']);
    const json = await env.ok(['get', 'pod', 'web-1', '-n', 'get-a', '-o', 'json']);
    assert.match(yaml, /^apiVersion: v1\nkind: Pod\n/);
    assert.deepEqual(parseYaml(yaml), JSON.parse(json));
  });

  it('-o jsonpath and -o custom-columns', async () => {
    assert.equal(await env.ok(['get', 'pods', '-n', 'get-a', '-o', 'jsonpath={.items[*].metadata.name}']), 'db-1 web-1 web-2');
    assert.equal(await env.ok(['get', 'pod', 'web-1', '-n', 'get-a', '-o', 'jsonpath={.status.podIP} {.spec.nodeName}']), '10.244.0.5 node-1');
    const table = parseTable(await env.ok(['get', 'pods', '-n', 'get-a', '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image']));
    assert.deepEqual(table.rows, [
      ['db-1', 'zz.example/db:1'],
      ['web-1', 'mm.example/web:1'],
      ['web-2', 'aa.example/web:2'],
    ]);
  });
});

describe('selection and ordering', () => {
  it('-A adds a NAMESPACE column and lists every namespace', async () => {
    const table = parseTable(await env.ok(['get', 'pods', '-A', '-l', 'app=web']));
    assert.deepEqual(table.header, ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(
      table.rows.map((r) => `${r[0]}/${r[1]}`).sort(),
      ['get-a/web-1', 'get-a/web-2', 'get-b/other-1'],
    );
  });

  const labelCases: [string, string[]][] = [
    ['app=web', ['web-1', 'web-2']],
    ['app==web', ['web-1', 'web-2']],
    ['app!=web', ['db-1']],
    ['tier in (a,b)', ['web-1', 'web-2']],
    ['tier notin (a)', ['db-1', 'web-2']],
    ['tier', ['web-1', 'web-2']],
    ['!tier', ['db-1']],
    ['app=web,tier=b', ['web-2']],
  ];
  for (const [selector, names] of labelCases) {
    it(`-l '${selector}'`, async () => {
      const out = await env.ok(['get', 'pods', '-n', 'get-a', '-l', selector, '-o', 'name']);
      assert.deepEqual(out.trim().split('\n').filter(Boolean), names.map((n) => `pod/${n}`));
    });
  }

  const fieldCases: [string, string[]][] = [
    ['metadata.name=web-2', ['web-2']],
    ['spec.nodeName=node-1', ['web-1']],
    ['status.phase=Running', ['web-1']],
    ['status.phase!=Running', ['db-1', 'web-2']],
    ['status.phase=Pending,metadata.name!=db-1', ['web-2']],
  ];
  for (const [selector, names] of fieldCases) {
    it(`--field-selector '${selector}'`, async () => {
      const out = await env.ok(['get', 'pods', '-n', 'get-a', '--field-selector', selector, '-o', 'name']);
      assert.deepEqual(out.trim().split('\n').filter(Boolean), names.map((n) => `pod/${n}`));
    });
  }

  it('--field-selector on a field the resource does not support is a BadRequest', async () => {
    const r = await env.kubectl(['get', 'pods', '-n', 'get-a', '--field-selector', 'spec.foo=x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error from server \(BadRequest\): .*field label not supported: spec\.foo/m);
  });

  it('--sort-by a field of the full object (the table rows carry it)', async () => {
    const byImage = parseTable(await env.ok(['get', 'pods', '-n', 'get-a', '--sort-by=.spec.containers[0].image']));
    assert.deepEqual(byImage.rows.map((r) => r[0]), ['web-2', 'web-1', 'db-1']);
    const byName = parseTable(await env.ok(['get', 'pods', '-A', '--sort-by=.metadata.name']));
    assert.deepEqual(byName.rows.map((r) => r[1]), ['db-1', 'other-1', 'web-1', 'web-2']);
  });

  it('--show-labels adds a LABELS column', async () => {
    const table = parseTable(await env.ok(['get', 'pods', '-n', 'get-a', '--show-labels']));
    assert.deepEqual(table.header, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'LABELS']);
    assert.equal(rowOf(table, 'web-1').LABELS, 'app=web,tier=a');
    assert.equal(rowOf(table, 'db-1').LABELS, 'app=db');
  });

  it('--chunk-size=2 follows metadata.continue until the list is complete', async () => {
    await env.createNamespaces('chunks');
    const names = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5'];
    await env.ok(['create', '-f', '-'], { input: names.map((n) => configMap(n, { k: n }, 'chunks')) });
    for (const output of [[], ['-o', 'name']]) {
      const r = await env.kubectl(['get', 'configmaps', '-n', 'chunks', '--chunk-size=2', '-v=6', ...output]);
      assert.equal(r.code, 0, r.stderr);
      const got = output.length ? r.stdout.trim().split('\n').map((l) => l.replace('configmap/', '')) : parseTable(r.stdout).rows.map((row) => row[0]);
      assert.deepEqual(got, names);
      const requests = r.stderr.split('\n').filter((l) => /GET http:\/\/\S+\/api\/v1\/namespaces\/chunks\/configmaps\?\S*limit=2\S* 200 OK/.test(l));
      assert.equal(requests.length, 3, `three pages of two:\n${r.stderr}`);
      assert.equal(requests.filter((l) => /[?&]continue=/.test(l)).length, 2);
    }
  });
});

describe('tables of other resources', () => {
  it('namespaces: NAME STATUS AGE, with the four namespaces a cluster starts with', async () => {
    const table = parseTable(await env.ok(['get', 'namespaces']));
    assert.deepEqual(table.header, ['NAME', 'STATUS', 'AGE']);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'get-a']) assert.equal(rowOf(table, ns).STATUS, 'Active');
  });

  it('nodes: NAME STATUS ROLES AGE VERSION, wide adds addresses and node info; cordon shows SchedulingDisabled', async () => {
    const table = parseTable(await env.ok(['get', 'nodes']));
    assert.deepEqual(table.header, ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    const n1 = rowOf(table, 'node-1');
    assert.deepEqual([n1.STATUS, n1.ROLES, n1.VERSION], ['Ready', 'control-plane', 'v1.32.4']);
    assert.match(n1.AGE, AGE);
    const n2 = rowOf(table, 'node-2');
    assert.deepEqual([n2.STATUS, n2.ROLES, n2.VERSION], ['Unknown', '<none>', '']);

    const wide = parseTable(await env.ok(['get', 'nodes', '-o', 'wide']));
    assert.deepEqual(wide.header, ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    const w1 = rowOf(wide, 'node-1');
    assert.deepEqual(
      [w1['INTERNAL-IP'], w1['EXTERNAL-IP'], w1['OS-IMAGE'], w1['KERNEL-VERSION'], w1['CONTAINER-RUNTIME']],
      ['192.168.0.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-test', 'process://0.1.0'],
    );
    const w2 = rowOf(wide, 'node-2');
    assert.deepEqual([w2['INTERNAL-IP'], w2['OS-IMAGE'], w2['KERNEL-VERSION'], w2['CONTAINER-RUNTIME']], ['<none>', '<unknown>', '<unknown>', '<unknown>']);

    assert.equal((await env.ok(['cordon', 'node-1'])).trim(), 'node/node-1 cordoned');
    assert.equal(rowOf(parseTable(await env.ok(['get', 'node', 'node-1'])), 'node-1').STATUS, 'Ready,SchedulingDisabled');
    assert.equal((await env.ok(['uncordon', 'node-1'])).trim(), 'node/node-1 uncordoned');
    assert.equal(rowOf(parseTable(await env.ok(['get', 'node', 'node-1'])), 'node-1').STATUS, 'Ready');
  });

  it('deployments: NAME READY UP-TO-DATE AVAILABLE AGE, wide adds CONTAINERS IMAGES SELECTOR', async () => {
    await env.ok(['create', '-f', '-'], {
      input: deployment('web', { namespace: 'get-a', replicas: 3, containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'busybox:1.36' }] }),
    });
    const table = parseTable(await env.ok(['get', 'deployments', '-n', 'get-a']));
    assert.deepEqual(table.header, ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.deepEqual(table.rows.map((r) => r.slice(0, 4)), [['web', '0/3', '0', '0']]);
    const wide = parseTable(await env.ok(['get', 'deploy', 'web', '-n', 'get-a', '-o', 'wide']));
    assert.deepEqual(wide.header, ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    const w = rowOf(wide, 'web');
    assert.deepEqual([w.CONTAINERS, w.IMAGES, w.SELECTOR], ['web,log', 'nginx:1.27,busybox:1.36', 'app=web']);
  });

  it('services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, wide adds SELECTOR', async () => {
    await env.ok(['create', '-f', '-'], {
      input: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'get-a' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }] } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-np', namespace: 'get-a' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }] } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'headless', namespace: 'get-a' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] } },
      ],
    });
    const table = parseTable(await env.ok(['get', 'services', '-n', 'get-a']));
    assert.deepEqual(table.header, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const web = rowOf(table, 'web');
    assert.equal(web.TYPE, 'ClusterIP');
    assert.match(web['CLUSTER-IP'], /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
    assert.deepEqual([web['EXTERNAL-IP'], web['PORT(S)']], ['<none>', '80/TCP,53/UDP']);
    const np = rowOf(table, 'web-np');
    assert.deepEqual([np.TYPE, np['PORT(S)']], ['NodePort', '80:30080/TCP']);
    const headless = rowOf(table, 'headless');
    assert.deepEqual([headless.TYPE, headless['CLUSTER-IP'], headless['PORT(S)']], ['ClusterIP', 'None', '5432/TCP']);
    const wide = parseTable(await env.ok(['get', 'svc', 'web', '-n', 'get-a', '-o', 'wide']));
    assert.deepEqual(wide.header, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    assert.equal(rowOf(wide, 'web').SELECTOR, 'app=web');
  });

  it('the default namespace holds the kubernetes Service every cluster has: kubectl get svc, and -A', async () => {
    // Nothing else in this file writes to `default`: the apiserver's own Service is all there is.
    const table = parseTable(await env.ok(['get', 'svc']));
    assert.deepEqual(table.header, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    assert.deepEqual(table.rows.map((r) => r.slice(0, 5)), [['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP']]);
    assert.match(table.rows[0]![5]!, AGE);
    const all = parseTable(await env.ok(['get', 'svc', '-A']));
    assert.deepEqual(all.header, ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const k = rowOf(all, 'kubernetes', 'NAME');
    assert.deepEqual([k.NAMESPACE, k.TYPE, k['CLUSTER-IP'], k['PORT(S)']], ['default', 'ClusterIP', '10.96.0.1', '443/TCP']);
    // The other namespaces' Services are listed beside it, each with its own IP.
    assert.ok(all.rows.some((r) => r[0] === 'get-a'), JSON.stringify(all.rows));
    assert.equal(all.rows.filter((r) => r[3] === '10.96.0.1').length, 1, 'no other Service gets the first address');
  });

  it('events: LAST SEEN TYPE REASON OBJECT MESSAGE, wide adds SUBOBJECT SOURCE FIRST SEEN COUNT NAME', async () => {
    const now = nowTime();
    await env.ok(['create', '-f', '-'], {
      input: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'web-1.scheduled', namespace: 'get-a' },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'get-a' },
        reason: 'Scheduled',
        message: 'Successfully assigned get-a/web-1 to node-1',
        type: 'Normal',
        source: { component: 'default-scheduler' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
    const table = parseTable(await env.ok(['get', 'events', '-n', 'get-a']));
    assert.deepEqual(table.header, ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    const ev = rowOf(table, 'pod/web-1', 'OBJECT');
    assert.deepEqual([ev.TYPE, ev.REASON, ev.MESSAGE], ['Normal', 'Scheduled', 'Successfully assigned get-a/web-1 to node-1']);
    assert.match(ev['LAST SEEN'], AGE);

    // -o wide: SUBOBJECT and SOURCE come before MESSAGE, FIRST SEEN COUNT NAME after it.
    await env.ok(['create', '-f', '-'], {
      input: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'web-1.started', namespace: 'get-a' },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'get-a', fieldPath: 'spec.containers{c}' },
        reason: 'Started',
        message: 'Started container c',
        type: 'Normal',
        source: { component: 'kubelet', host: 'node-1' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 3,
      },
    });
    const wide = parseTable(await env.ok(['get', 'events', '-n', 'get-a', '-o', 'wide']));
    assert.deepEqual(wide.header, ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME']);
    const started = rowOf(wide, 'web-1.started', 'NAME');
    assert.deepEqual(
      [started.TYPE, started.REASON, started.OBJECT, started.SUBOBJECT, started.SOURCE, started.MESSAGE, started.COUNT],
      ['Normal', 'Started', 'pod/web-1', 'spec.containers{c}', 'kubelet, node-1', 'Started container c', '3'],
    );
    assert.match(started['FIRST SEEN'], AGE);
    const scheduled = rowOf(wide, 'web-1.scheduled', 'NAME');
    assert.deepEqual([scheduled.SUBOBJECT, scheduled.SOURCE, scheduled.COUNT], ['', 'default-scheduler', '1']);
  });

  it('leases -n kube-system: NAME HOLDER AGE', async () => {
    await env.ok(['create', '-f', '-'], {
      input: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
        spec: { holderIdentity: 'node-1_4f9c', leaseDurationSeconds: 15, acquireTime: '2025-01-01T00:00:00.000000Z', renewTime: '2025-01-01T00:00:05.000000Z', leaseTransitions: 0 },
      },
    });
    const table = parseTable(await env.ok(['get', 'leases', '-n', 'kube-system']));
    assert.deepEqual(table.header, ['NAME', 'HOLDER', 'AGE']);
    assert.equal(rowOf(table, 'kube-scheduler').HOLDER, 'node-1_4f9c');
  });

  it('configmaps, secrets, serviceaccounts, replicasets, statefulsets, daemonsets, jobs, cronjobs, endpoints, endpointslices', async () => {
    await env.createNamespaces('get-misc');
    const tpl = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'busybox:1.36' }] } };
    await env.ok(['create', '-f', '-'], {
      input: [
        configMap('cfg', { a: '1', b: '2' }, 'get-misc'),
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'get-misc' }, type: 'Opaque', data: { p: 'cGFzcw==' } },
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'get-misc' } },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'get-misc' }, spec: { replicas: 2, selector: { matchLabels: { app: 'x' } }, template: tpl } },
        { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'sts', namespace: 'get-misc' }, spec: { replicas: 2, serviceName: 'sts', selector: { matchLabels: { app: 'x' } }, template: tpl } },
        { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'get-misc' }, spec: { selector: { matchLabels: { app: 'x' } }, template: tpl } },
        { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job', namespace: 'get-misc' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'busybox:1.36' }] } } } },
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: { name: 'cron', namespace: 'get-misc' },
          spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'busybox:1.36' }] } } } } },
        },
        { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ep', namespace: 'get-misc' }, subsets: [{ addresses: [{ ip: '10.244.0.7' }], ports: [{ port: 8080 }] }] },
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'ep-abc', namespace: 'get-misc' },
          addressType: 'IPv4',
          endpoints: [{ addresses: ['10.244.0.7'] }],
          ports: [{ port: 8080, protocol: 'TCP' }],
        },
      ],
    });
    const expect = async (resource: string, header: string[], name: string, cells: Record<string, string>): Promise<void> => {
      const table = parseTable(await env.ok(['get', resource, '-n', 'get-misc']));
      assert.deepEqual(table.header, header, resource);
      const row = rowOf(table, name);
      for (const [col, value] of Object.entries(cells)) assert.equal(row[col], value, `${resource} ${col}`);
      assert.match(row.AGE, AGE, `${resource} AGE`);
    };
    await expect('configmaps', ['NAME', 'DATA', 'AGE'], 'cfg', { DATA: '2' });
    await expect('secrets', ['NAME', 'TYPE', 'DATA', 'AGE'], 'sec', { TYPE: 'Opaque', DATA: '1' });
    await expect('serviceaccounts', ['NAME', 'SECRETS', 'AGE'], 'robot', { SECRETS: '0' });
    await expect('replicasets', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], 'rs', { DESIRED: '2', CURRENT: '0', READY: '0' });
    await expect('statefulsets', ['NAME', 'READY', 'AGE'], 'sts', { READY: '0/2' });
    await expect('daemonsets', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'], 'ds', {
      DESIRED: '0',
      CURRENT: '0',
      READY: '0',
      'UP-TO-DATE': '0',
      AVAILABLE: '0',
      'NODE SELECTOR': '<none>',
    });
    await expect('jobs', ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'], 'job', { COMPLETIONS: '0/1' });
    await expect('cronjobs', ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'], 'cron', {
      SCHEDULE: '*/5 * * * *',
      TIMEZONE: '<none>',
      SUSPEND: 'False',
      ACTIVE: '0',
      'LAST SCHEDULE': '<none>',
    });
    await expect('endpoints', ['NAME', 'ENDPOINTS', 'AGE'], 'ep', { ENDPOINTS: '10.244.0.7:8080' });
    await expect('endpointslices', ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'], 'ep-abc', { ADDRESSTYPE: 'IPv4', PORTS: '8080', ENDPOINTS: '10.244.0.7' });
  });

  it('-o wide of replicasets, statefulsets, daemonsets, jobs and cronjobs: CONTAINERS IMAGES (SELECTOR)', async () => {
    await env.createNamespaces('get-wide');
    const containers = [
      { name: 'x', image: 'busybox:1.36' },
      { name: 'y', image: 'nginx:1.27' },
    ];
    const tpl = { metadata: { labels: { app: 'x' } }, spec: { containers } };
    const jobSpec = { template: { spec: { restartPolicy: 'Never', containers: [containers[0]] } } };
    await env.ok(['create', '-f', '-', '-n', 'get-wide'], {
      input: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' }, spec: { replicas: 2, selector: { matchLabels: { app: 'x' } }, template: tpl } },
        { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'sts' }, spec: { replicas: 2, serviceName: 'sts', selector: { matchLabels: { app: 'x' } }, template: tpl } },
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'ds' },
          spec: { selector: { matchLabels: { app: 'x' } }, template: { ...tpl, spec: { ...tpl.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
        },
        { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job' }, spec: jobSpec },
        { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cron' }, spec: { schedule: '*/5 * * * *', timeZone: 'Etc/UTC', jobTemplate: { spec: jobSpec } } },
      ],
    });
    const wide = async (resource: string, header: string[], name: string, cells: Record<string, string | RegExp>): Promise<void> => {
      const table = parseTable(await env.ok(['get', resource, '-n', 'get-wide', '-o', 'wide']));
      assert.deepEqual(table.header, header, resource);
      const row = rowOf(table, name);
      for (const [col, value] of Object.entries(cells)) {
        if (value instanceof RegExp) assert.match(row[col], value, `${resource} ${col}`);
        else assert.equal(row[col], value, `${resource} ${col}`);
      }
    };
    const both = { CONTAINERS: 'x,y', IMAGES: 'busybox:1.36,nginx:1.27' };
    await wide('replicasets', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'], 'rs', { DESIRED: '2', ...both, SELECTOR: 'app=x' });
    await wide('statefulsets', ['NAME', 'READY', 'AGE', 'CONTAINERS', 'IMAGES'], 'sts', { READY: '0/2', ...both });
    await wide('daemonsets', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'], 'ds', {
      'NODE SELECTOR': 'kubernetes.io/os=linux',
      ...both,
      SELECTOR: 'app=x',
    });
    // The server gives a job its own selector on the controller-uid label.
    const uid = await env.ok(['get', 'job', 'job', '-n', 'get-wide', '-o', 'jsonpath={.metadata.uid}']);
    await wide('jobs', ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'], 'job', {
      STATUS: 'Running',
      COMPLETIONS: '0/1',
      DURATION: '',
      CONTAINERS: 'x',
      IMAGES: 'busybox:1.36',
      SELECTOR: `batch.kubernetes.io/controller-uid=${uid}`,
    });
    await wide('cronjobs', ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'], 'cron', {
      TIMEZONE: 'Etc/UTC',
      AGE,
      CONTAINERS: 'x',
      IMAGES: 'busybox:1.36',
      SELECTOR: '<none>',
    });
  });
});
