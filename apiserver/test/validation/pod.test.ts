import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePodBinding } from '../../src/validation/index.ts';
import { createErrors, LABEL_MSG, pod, stored, updateErrors } from './helpers.ts';

test('container names are DNS-1123 labels, unique across init and app containers', () => {
  const p = pod({
    initContainers: [{ name: 'app', image: 'busybox' }],
    containers: [
      { name: 'app', image: 'nginx' },
      { name: 'app', image: 'nginx' },
      { name: 'Web', image: 'nginx' },
    ],
  });
  assert.deepEqual(createErrors('', 'Pod', p), [
    'spec.containers[1].name: Duplicate value: "app"',
    `spec.containers[2].name: Invalid value: "Web": ${LABEL_MSG}`,
    'spec.initContainers[0].name: Duplicate value: "app"',
  ]);
});

test('image is required; pods may not have whitespace around it', () => {
  assert.deepEqual(createErrors('', 'Pod', pod({ containers: [{ name: 'a' }] })), ['spec.containers[0].image: Required value']);
  assert.deepEqual(createErrors('', 'Pod', pod({ containers: [{ name: 'a', image: ' nginx' }] })), [
    'spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace',
  ]);
});

test('container ports: range, names, protocol', () => {
  const p = pod({
    containers: [
      {
        name: 'a',
        image: 'nginx',
        ports: [{ containerPort: 0 }, { containerPort: 80, hostPort: 70000 }, { containerPort: 81, name: 'HTTP', protocol: 'ICMP' }],
      },
    ],
  });
  assert.deepEqual(createErrors('', 'Pod', p), [
    'spec.containers[0].ports[0].containerPort: Required value',
    'spec.containers[0].ports[1].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[2].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'spec.containers[0].ports[2].name: Invalid value: "HTTP": must contain at least one letter (a-z)',
    'spec.containers[0].ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
  ]);
});

test('restartPolicy and dnsPolicy take supported values', () => {
  assert.deepEqual(createErrors('', 'Pod', pod({ restartPolicy: 'Sometimes', dnsPolicy: 'Google' })), [
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
  ]);
});

test('env names and valueFrom', () => {
  const p = pod({
    containers: [
      {
        name: 'a',
        image: 'nginx',
        env: [
          { name: 'A=B', value: 'x' },
          { name: '' },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } },
          { name: 'K', valueFrom: {} },
          { name: 'S', valueFrom: { secretKeyRef: { name: 'sec', key: 'bad key' } } },
        ],
      },
    ],
  });
  assert.deepEqual(createErrors('', 'Pod', p), [
    'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'',
    'spec.containers[0].env[1].name: Required value',
    'spec.containers[0].env[2].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.hostname": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
    'spec.containers[0].env[3].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    "spec.containers[0].env[4].valueFrom.secretKeyRef.key: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ]);
});

test('volumes: unique names, one source; mounts must name a volume and have unique paths', () => {
  const p = pod({
    volumes: [
      { name: 'data', emptyDir: {} },
      { name: 'data', emptyDir: {} },
      { name: 'both', emptyDir: {}, hostPath: { path: '/tmp' } },
      { name: 'cfg', configMap: { name: 'c', items: [{ key: 'k', path: '../etc/passwd' }] } },
    ],
    containers: [
      {
        name: 'a',
        image: 'nginx',
        volumeMounts: [
          { name: 'data', mountPath: '/data' },
          { name: 'missing', mountPath: '/data' },
        ],
      },
    ],
  });
  assert.deepEqual(createErrors('', 'Pod', p), [
    'spec.volumes[1].name: Duplicate value: "data"',
    'spec.volumes[2].hostPath: Forbidden: may not specify more than 1 volume type',
    `spec.volumes[3].configMap.items[0].path: Invalid value: "../etc/passwd": must not contain '..'`,
    'spec.containers[0].volumeMounts[1].name: Not found: "missing"',
    'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique',
  ]);
});

test('a volume without a source defaults to emptyDir', () => {
  const p = pod({ volumes: [{ name: 'scratch' }], containers: [{ name: 'a', image: 'nginx', volumeMounts: [{ name: 'scratch', mountPath: '/s' }] }] });
  assert.deepEqual(createErrors('', 'Pod', p), []);
  assert.deepEqual(p.spec.volumes[0], { name: 'scratch', emptyDir: {} });
});

test('resources: quantities parse, are not negative, and requests do not exceed limits', () => {
  const p = pod({
    containers: [
      { name: 'a', image: 'nginx', resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '500m', memory: '1Gi' } } },
      { name: 'b', image: 'nginx', resources: { requests: { cpu: 'lots', memory: '-1' } } },
      { name: 'c', image: 'nginx', resources: { requests: { gpu: '1' } } },
    ],
  });
  assert.deepEqual(createErrors('', 'Pod', p), [
    'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 500m',
    "spec.containers[1].resources.requests[cpu]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    'spec.containers[1].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0',
    'spec.containers[2].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
    'spec.containers[2].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
  ]);
});

test('extended resources cannot be overcommitted', () => {
  const p = pod({ containers: [{ name: 'a', image: 'nginx', resources: { requests: { 'example.com/gpu': '1' } } }] });
  assert.deepEqual(createErrors('', 'Pod', p), ['spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources']);
});

test('probes need exactly one handler and sane thresholds', () => {
  const p = pod({
    containers: [
      {
        name: 'a',
        image: 'nginx',
        livenessProbe: { successThreshold: 2 },
        readinessProbe: { httpGet: { port: 80 }, tcpSocket: { port: 80 } },
        startupProbe: { exec: { command: [] }, periodSeconds: -1 },
      },
    ],
  });
  assert.deepEqual(createErrors('', 'Pod', p), [
    'spec.containers[0].livenessProbe: Required value: must specify a handler type',
    'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    'spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
    'spec.containers[0].startupProbe.exec.command: Required value',
    'spec.containers[0].startupProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
  ]);
});

test('init containers may have probes only when restartPolicy is Always', () => {
  const p = pod({ initContainers: [{ name: 'i', image: 'busybox', readinessProbe: { exec: { command: ['true'] } } }] });
  assert.deepEqual(createErrors('', 'Pod', p), [
    'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
  ]);
  const sidecar = pod({ initContainers: [{ name: 'i', image: 'busybox', restartPolicy: 'Always', readinessProbe: { exec: { command: ['true'] } } }] });
  assert.deepEqual(createErrors('', 'Pod', sidecar), []);
});

test('tolerations', () => {
  const p = pod({ tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'k', operator: 'Exists', value: 'v' }, { key: 'k', effect: 'NoSchedule', tolerationSeconds: 5 }] });
  assert.deepEqual(createErrors('', 'Pod', p), [
    'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    "spec.tolerations[1].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
    "spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
  ]);
});

test('hostNetwork pods must use hostPort == containerPort', () => {
  const p = pod({ hostNetwork: true, containers: [{ name: 'a', image: 'nginx', ports: [{ containerPort: 80, hostPort: 8080 }] }] });
  assert.deepEqual(createErrors('', 'Pod', p), ['spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true']);
});

test('pod update rules: containers may not be added; tolerations may only be added; activeDeadlineSeconds may only shrink', () => {
  const old = stored('', 'Pod', pod({ activeDeadlineSeconds: 100, tolerations: [{ key: 'a', operator: 'Exists' }] }));
  const more = structuredClone(old);
  more.spec.containers.push({ name: 'b', image: 'nginx' });
  assert.deepEqual(updateErrors('', 'Pod', more, old), ['spec.containers: Forbidden: pod updates may not add or remove containers']);

  const ok = structuredClone(old);
  ok.spec.tolerations.push({ key: 'b', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 });
  ok.spec.activeDeadlineSeconds = 50;
  assert.deepEqual(updateErrors('', 'Pod', ok, old), []);

  const longer = structuredClone(old);
  longer.spec.activeDeadlineSeconds = 200;
  assert.deepEqual(updateErrors('', 'Pod', longer, old), ['spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value']);

  const removed = structuredClone(old);
  removed.spec.tolerations = [];
  assert.deepEqual(updateErrors('', 'Pod', removed, old), ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
});

test('binding needs a node name', () => {
  assert.deepEqual(validatePodBinding({ target: { kind: 'Pod', name: '' } }).map((e) => `${e.field}: ${e.detail}`), [
    'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
    'target.name: Required value',
  ]);
});
