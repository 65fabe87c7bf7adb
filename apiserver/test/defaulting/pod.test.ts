import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { applyDefaults, defaultPullPolicy } from '../../src/defaulting/index.ts';

function pod(spec: Record<string, any>): KubeObject & { spec: any } {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec };
}

test('a minimal pod reads back with the v1 defaults', () => {
  const p = pod({ containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 80 }] }] });
  applyDefaults('', 'Pod', p);
  assert.deepEqual(p.spec, {
    containers: [
      {
        name: 'app',
        image: 'nginx',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        imagePullPolicy: 'Always',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        resources: {},
      },
    ],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    schedulerName: 'default-scheduler',
    enableServiceLinks: true,
    priority: 0,
    preemptionPolicy: 'PreemptLowerPriority',
  });
  assert.equal((p.spec as Record<string, unknown>).tolerations, undefined);
});

test('pull policy follows the tag', () => {
  const cases: Array<[string, string]> = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['registry.local:5000/team/app', 'Always'],
    ['registry.local:5000/team/app:v2', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
    ['nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'Always'],
  ];
  for (const [image, policy] of cases) assert.equal(defaultPullPolicy(image), policy, image);
});

test('what the client set is kept', () => {
  const p = pod({
    containers: [{ name: 'app', image: 'nginx', imagePullPolicy: 'Never', terminationMessagePolicy: 'FallbackToLogsOnError' }],
    restartPolicy: 'OnFailure',
    terminationGracePeriodSeconds: 5,
    enableServiceLinks: false,
  });
  applyDefaults('', 'Pod', p);
  assert.equal(p.spec.containers[0].imagePullPolicy, 'Never');
  assert.equal(p.spec.containers[0].terminationMessagePolicy, 'FallbackToLogsOnError');
  assert.equal(p.spec.restartPolicy, 'OnFailure');
  assert.equal(p.spec.terminationGracePeriodSeconds, 5);
  assert.equal(p.spec.enableServiceLinks, false);
});

test('requests default to limits; quantities become canonical', () => {
  const p = pod({ containers: [{ name: 'app', image: 'nginx', resources: { limits: { cpu: 0.5, memory: '1024Mi' }, requests: { cpu: '100m' } } }] });
  applyDefaults('', 'Pod', p);
  assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '100m', memory: '1Gi' } });
});

test('probes, volumes and env references get their defaults', () => {
  const p = pod({
    containers: [
      {
        name: 'app',
        image: 'nginx',
        livenessProbe: { httpGet: { port: 8080 } },
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      },
    ],
    volumes: [{ name: 'cfg', configMap: { name: 'c' } }, { name: 'sec', secret: { secretName: 's' } }, { name: 'host', hostPath: { path: '/var/log' } }, { name: 'tmp' }],
  });
  applyDefaults('', 'Pod', p);
  assert.deepEqual(p.spec.containers[0].livenessProbe, {
    httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.deepEqual(p.spec.containers[0].env[0].valueFrom.fieldRef, { fieldPath: 'spec.nodeName', apiVersion: 'v1' });
  assert.deepEqual(p.spec.volumes, [
    { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
    { name: 'sec', secret: { secretName: 's', defaultMode: 420 } },
    { name: 'host', hostPath: { path: '/var/log', type: '' } },
    { name: 'tmp', emptyDir: {} },
  ]);
});

test('on the host network a port defaults its hostPort', () => {
  const p = pod({ hostNetwork: true, containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 9100 }] }] });
  applyDefaults('', 'Pod', p);
  assert.equal(p.spec.containers[0].ports[0].hostPort, 9100);
});

test('defaulting is idempotent', () => {
  const p = pod({ containers: [{ name: 'app', image: 'nginx', resources: { limits: { cpu: '1' } } }], volumes: [{ name: 'v' }] });
  applyDefaults('', 'Pod', p);
  const once = structuredClone(p);
  applyDefaults('', 'Pod', p);
  assert.deepEqual(p, once);
});

test('pod templates keep hostPort 0 on the host network (only pods default it)', () => {
  const d: KubeObject = {
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'default' },
    spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 9100 }] }] } } },
  };
  applyDefaults('apps', 'Deployment', d);
  assert.equal(d.spec.template.spec.containers[0].ports[0].hostPort, undefined);
});
