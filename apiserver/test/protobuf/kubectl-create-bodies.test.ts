// The real kubectl 1.32 sends `kubectl create <generator>` bodies as protobuf. Each case runs the
// generator against a recording server, then checks that the decoder turns the captured bytes
// into exactly the object `kubectl create ... --dry-run=client -o json` prints for the same
// command (the JSON a Go client writes for the same struct), plus a few spot checks that the
// case really exercises the field types it is there for.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeProtobufObject, ProtobufDecodeError, PROTOBUF_MEDIA_TYPE } from '../../src/protobuf/index.ts';
import { startCaptureServer, type CaptureServer } from './capture-server.ts';

const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

interface Case {
  /** `{dir}` stands for the test's scratch directory (input files live there). */
  args: string[];
  check?: (o: any) => void;
}

const f = (name: string) => `{dir}/${name}`;

const CASES: Case[] = [
  { args: ['namespace', 'pb-ns'], check: (o) => assert.deepEqual(o.status, {}) },
  {
    args: ['configmap', 'cm1', '--from-literal=a=1', '--from-literal=msg=two words', `--from-file=bin=${f('blob.bin')}`, `--from-file=${f('app.conf')}`, '-n', 'pb'],
    check: (o) => {
      assert.deepEqual(o.data, { a: '1', msg: 'two words', 'app.conf': 'listen 80\n' });
      assert.equal(o.binaryData.bin, Buffer.from([0, 1, 0xfe, 0xff, 0x80]).toString('base64'));
    },
  },
  { args: ['configmap', 'cm2', `--from-env-file=${f('app.env')}`, '--append-hash', '-n', 'pb'], check: (o) => assert.match(o.metadata.name, /^cm2-[a-z0-9]{10}$/) },
  {
    args: ['secret', 'generic', 's1', '--from-literal=user=admin', '--from-literal=empty=', `--from-file=key=${f('blob.bin')}`, '--type=Opaque', '-n', 'pb'],
    check: (o) => assert.deepEqual(o.data, { user: 'YWRtaW4=', empty: '', key: 'AAH+/4A=' }),
  },
  {
    args: ['secret', 'docker-registry', 'reg', '--docker-server=registry.example.com', '--docker-username=u', '--docker-password=p', '--docker-email=e@example.com', '-n', 'pb'],
    check: (o) => assert.equal(o.type, 'kubernetes.io/dockerconfigjson'),
  },
  { args: ['secret', 'tls', 'tls1', `--cert=${f('tls.crt')}`, `--key=${f('tls.key')}`, '-n', 'pb'], check: (o) => assert.match(Buffer.from(o.data['tls.crt'], 'base64').toString(), /BEGIN CERTIFICATE/) },
  {
    args: ['deployment', 'web', '--image=nginx:1.27', '--image=busybox:1.36', '--replicas=3', '--port=8080', '--save-config', '-n', 'pb'],
    check: (o) => {
      assert.equal(o.spec.replicas, 3);
      assert.deepEqual(o.spec.template.spec.containers[0].ports, [{ containerPort: 8080 }]);
      assert.ok(o.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    },
  },
  // A pointer field set to zero is sent and must stay (replicas: 0 is not "absent").
  { args: ['deployment', 'idle', '--image=busybox:1.36', '--replicas=0', '-n', 'pb', '--', 'sleep', '3600'], check: (o) => assert.equal(o.spec.replicas, 0) },
  {
    args: ['service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443:https', '-n', 'pb'],
    check: (o) => assert.deepEqual(o.spec.ports.map((p: any) => p.targetPort), [8080, 'https']),
  },
  { args: ['service', 'clusterip', 'headless', '--clusterip=None', '--tcp=5678:8080', '-n', 'pb'], check: (o) => assert.equal(o.spec.clusterIP, 'None') },
  { args: ['service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080', '-n', 'pb'], check: (o) => assert.equal(o.spec.ports[0].nodePort, 30080) },
  { args: ['service', 'loadbalancer', 'lb', '--tcp=80:8080', '-n', 'pb'], check: (o) => assert.equal(o.spec.type, 'LoadBalancer') },
  { args: ['service', 'externalname', 'ext', '--external-name=example.com', '-n', 'pb'], check: (o) => assert.equal(o.spec.externalName, 'example.com') },
  { args: ['serviceaccount', 'sa1', '-n', 'pb'] },
  { args: ['job', 'j1', '--image=busybox:1.36', '-n', 'pb', '--', 'sh', '-c', 'echo hi'], check: (o) => assert.deepEqual(o.spec.template.spec.containers[0].command, ['sh', '-c', 'echo hi']) },
  {
    args: ['cronjob', 'cj1', '--image=busybox:1.36', '--schedule=*/5 * * * *', '--restart=OnFailure', '-n', 'pb', '--', 'date'],
    check: (o) => assert.equal(o.spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure'),
  },
  {
    args: ['priorityclass', 'high', '--value=1000', '--description=important', '--preemption-policy=Never', '--global-default'],
    check: (o) => assert.deepEqual([o.value, o.globalDefault, o.preemptionPolicy], [1000, true, 'Never']),
  },
  // A bool field set to false is sent too: globalDefault stays absent only through omitempty.
  { args: ['priorityclass', 'low', '--value=-10'], check: (o) => assert.equal(o.value, -10) },
  { args: ['quota', 'q1', '--hard=cpu=1500m,memory=1Gi,pods=2', '--scopes=BestEffort', '-n', 'pb'], check: (o) => assert.deepEqual(o.spec.hard, { cpu: '1500m', memory: '1Gi', pods: '2' }) },
  { args: ['role', 'r1', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=a', '-n', 'pb'], check: (o) => assert.equal(o.rules.length, 2) },
  { args: ['clusterrole', 'cr1', '--verb=get', '--non-resource-url=/healthz'], check: (o) => assert.deepEqual(o.rules[0].nonResourceURLs, ['/healthz']) },
  { args: ['rolebinding', 'rb1', '--clusterrole=view', '--user=alice', '--group=devs', '--serviceaccount=pb:sa1', '-n', 'pb'], check: (o) => assert.equal(o.subjects.length, 3) },
  { args: ['clusterrolebinding', 'crb1', '--clusterrole=view', '--user=bob'], check: (o) => assert.equal(o.roleRef.name, 'view') },
  {
    args: ['ingress', 'ing1', '--class=nginx', '--rule=foo.example.com/bar*=svc1:8080,tls=cert1', '--annotation=team=web', '--default-backend=defsvc:http', '-n', 'pb'],
    check: (o) => {
      assert.deepEqual(o.spec.rules[0].http.paths[0].backend.service.port, { number: 8080 });
      assert.deepEqual(o.spec.defaultBackend.service.port, { name: 'http' });
    },
  },
  { args: ['poddisruptionbudget', 'pdb1', '--selector=app=web', '--min-available=50%', '-n', 'pb'], check: (o) => assert.equal(o.spec.minAvailable, '50%') },
  { args: ['poddisruptionbudget', 'pdb2', '--selector=app=web', '--max-unavailable=1', '-n', 'pb'], check: (o) => assert.equal(o.spec.maxUnavailable, 1) },
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('protobuf bodies sent by kubectl create', { skip: existsSync(KUBECTL) ? false : `${KUBECTL} not found` }, () => {
  let server: CaptureServer;
  let dir: string;

  const kubectl = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir };
      execFile(KUBECTL, [`--cache-dir=${join(dir, 'cache')}`, '--request-timeout=30s', ...args], { env }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  before(async () => {
    server = await startCaptureServer();
    dir = await mkdtemp(join(tmpdir(), 'pb-kubectl-'));
    await writeFile(
      join(dir, 'kubeconfig'),
      ['apiVersion: v1', 'kind: Config', 'clusters:', `- cluster: {server: "${server.url}", insecure-skip-tls-verify: true}`, '  name: c', 'contexts:', '- context: {cluster: c, user: u}', '  name: c', 'current-context: c', 'users:', '- name: u', '  user: {}', ''].join('\n'),
    );
    await writeFile(join(dir, 'blob.bin'), Buffer.from([0, 1, 0xfe, 0xff, 0x80]));
    await writeFile(join(dir, 'app.conf'), 'listen 80\n');
    await writeFile(join(dir, 'app.env'), 'MODE=prod\nLEVEL=3\n');
    await new Promise<void>((resolve, reject) =>
      execFile('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=pb.example.com', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], (err) => (err ? reject(err) : resolve())),
    );
  });

  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const { args: template, check } of CASES) {
    const title = template.slice(0, template[0] === 'secret' || template[0] === 'service' ? 3 : 2).join(' ');
    it(`kubectl create ${title}`, async () => {
      const args = template.map((a) => a.replaceAll('{dir}', dir));
      const before = server.writes.length;
      const sent = await kubectl(['create', ...args]);
      assert.equal(sent.code, 0, sent.stderr);
      const writes = server.writes.slice(before);
      assert.equal(writes.length, 1, JSON.stringify(writes.map((w) => w.url)));
      assert.equal(writes[0].method, 'POST');
      assert.equal(writes[0].contentType, PROTOBUF_MEDIA_TYPE);

      const decoded = decodeProtobufObject(writes[0].body);
      // Flags go before `--` (what follows is the container's command).
      const dashes = args.includes('--') ? args.indexOf('--') : args.length;
      const printed = await kubectl(['create', ...args.slice(0, dashes), '--dry-run=client', '-o', 'json', ...args.slice(dashes)]);
      assert.equal(printed.code, 0, printed.stderr);
      const expected = JSON.parse(printed.stdout);
      assert.deepEqual(decoded.object, expected);
      assert.deepEqual([decoded.apiVersion, decoded.kind], [expected.apiVersion, expected.kind]);
      check?.(decoded.object);
    });
  }

  it('kubectl create token: a kind without tables is an error naming it, not a partial object', async () => {
    const before = server.writes.length;
    const r = await kubectl(['create', 'token', 'sa1', '-n', 'pb']);
    assert.notEqual(r.code, 0);
    const writes = server.writes.slice(before);
    assert.equal(writes.length, 1);
    assert.equal(writes[0].contentType, PROTOBUF_MEDIA_TYPE);
    assert.throws(() => decodeProtobufObject(writes[0].body), (e: unknown) => e instanceof ProtobufDecodeError && /kind "TokenRequest" of apiVersion "authentication.k8s.io\/v1"/.test(e.message));
  });
});
