// applyDefaults runs on create and again on every update: a second run must change nothing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { applyDefaults } from '../../src/defaulting/index.ts';

const podSpec = () => ({
  containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1.5', memory: '512Mi' } }, readinessProbe: { tcpSocket: { port: 80 } } }],
  volumes: [{ name: 'v' }, { name: 's', secret: { secretName: 's' } }],
});
const template = () => ({ metadata: { labels: { app: 'x' } }, spec: podSpec() });

const objects: Array<[string, string, KubeObject]> = [
  ['', 'Pod', { metadata: { name: 'p', namespace: 'd' }, spec: podSpec() }],
  ['', 'Service', { metadata: { name: 's', namespace: 'd' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }], sessionAffinity: 'ClientIP' } }],
  ['', 'Namespace', { metadata: { name: 'n' } }],
  ['', 'Secret', { metadata: { name: 's', namespace: 'd' }, stringData: { a: 'b' } }],
  ['', 'Node', { metadata: { name: 'n' }, status: { capacity: { cpu: '2000m' } } }],
  ['', 'Endpoints', { metadata: { name: 'e', namespace: 'd' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 1 }] }] }],
  ['apps', 'Deployment', { metadata: { name: 'd', namespace: 'd' }, spec: { template: template() } }],
  ['apps', 'ReplicaSet', { metadata: { name: 'r', namespace: 'd' }, spec: { template: template() } }],
  ['apps', 'DaemonSet', { metadata: { name: 'ds', namespace: 'd' }, spec: { template: template() } }],
  ['apps', 'StatefulSet', { metadata: { name: 'ss', namespace: 'd' }, spec: { template: template(), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] } }],
  ['batch', 'Job', { metadata: { name: 'j', namespace: 'd' }, spec: { template: template() } }],
  ['batch', 'CronJob', { metadata: { name: 'c', namespace: 'd' }, spec: { schedule: '@daily', jobTemplate: { spec: { template: template() } } } }],
  ['discovery.k8s.io', 'EndpointSlice', { metadata: { name: 'e', namespace: 'd' }, addressType: 'IPv4', ports: [{ port: 1 }] }],
];

for (const [group, kind, obj] of objects) {
  test(`${kind} defaults are idempotent`, () => {
    applyDefaults(group, kind, obj);
    const once = structuredClone(obj);
    applyDefaults(group, kind, obj);
    assert.deepEqual(obj, once);
  });
}
