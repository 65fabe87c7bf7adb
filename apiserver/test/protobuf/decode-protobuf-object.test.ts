// Bodies built field by field (numbers from the public generated.proto files) for the types
// `kubectl create` cannot populate: probes, quantities, owner references, managed fields, times,
// micro-times, packed repeated fields; plus Go's JSON rules for zero and absent fields, and
// malformed input.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProtobufObject, ProtobufDecodeError } from '../../src/protobuf/index.ts';
import { bytes, entry, envelope, envelopeParts, int, msg, packed, str } from './proto-writer.ts';

const TS = Date.UTC(2024, 4, 1, 10, 0, 0) / 1000;
const ISO = '2024-05-01T10:00:00Z';

function decode(body: Buffer): Record<string, any> {
  return decodeProtobufObject(body).object;
}

function rejects(body: Buffer, message: RegExp): void {
  assert.throws(() => decodeProtobufObject(body), (e: unknown) => {
    assert.ok(e instanceof ProtobufDecodeError, `not a ProtobufDecodeError: ${String(e)}`);
    assert.match(e.message, message);
    return true;
  });
}

describe('decodeProtobufObject: a Pod with every kind of field', () => {
  const pod = [
    msg(1, // metadata: ObjectMeta
      str(1, 'web-0'), // name
      str(2, ''), // generateName: Go writes empty strings; omitempty leaves them out of the JSON
      str(3, 'prod'), // namespace
      str(5, 'uid-1'), // uid
      int(7, 2 ** 40), // generation (int64 above 32 bits)
      msg(8, int(1, TS), int(2, 999)), // creationTimestamp (metav1.Time keeps whole seconds)
      msg(9, int(1, TS + 60)), // deletionTimestamp
      int(10, 30), // deletionGracePeriodSeconds
      entry(11, 'app', str(2, 'web')), // labels
      entry(11, 'tier', str(2, '')),
      entry(12, 'note', str(2, 'x')), // annotations
      msg(13, str(5, 'apps/v1'), str(1, 'ReplicaSet'), str(3, 'web-abc'), str(4, 'uid-rs'), int(6, true), int(7, false)), // ownerReferences
      str(14, 'example.com/protect'), // finalizers
      str(14, 'second'),
      msg(17, str(1, 'kubectl'), str(2, 'Update'), str(3, 'v1'), msg(4, int(1, TS)), str(6, 'FieldsV1'), msg(7, str(1, '{"f:metadata":{"f:labels":{}}}'))), // managedFields
    ),
    msg(2, // spec: PodSpec
      msg(1, str(1, 'data'), msg(2, msg(2, str(1, 'Memory'), msg(2, str(1, '1Gi'))))), // volumes[{name, volumeSource (inline) {emptyDir {medium, sizeLimit}}}]
      msg(2, // containers
        str(1, 'app'),
        str(2, 'nginx:1.27'),
        str(3, 'nginx'), // command
        str(3, '-g'),
        msg(6, str(1, 'http'), int(3, 8080), str(4, 'TCP')), // ports
        msg(7, str(1, 'MODE'), str(2, 'prod')), // env
        msg(7, str(1, 'POD_IP'), msg(3, msg(1, str(1, 'v1'), str(2, 'status.podIP')))), // env valueFrom.fieldRef
        msg(8, entry(1, 'cpu', msg(2, str(1, '500m'))), entry(2, 'memory', msg(2, str(1, '64Mi')))), // resources {limits, requests}
        msg(10, msg(1, msg(2, str(1, '/healthz'), msg(2, int(1, 1), str(3, 'http')))), int(2, 5), int(4, 0)), // livenessProbe {handler (inline) {httpGet {path, port: IntOrString string}}, initialDelaySeconds, periodSeconds 0}
        msg(11, msg(1, msg(3, msg(1, int(1, 0), int(2, 8080)))), int(6, 3)), // readinessProbe {tcpSocket {port: IntOrString int}}, failureThreshold
        int(16, false), // stdin
      ),
      str(3, 'Always'), // restartPolicy
      int(4, 0), // terminationGracePeriodSeconds: a pointer, so 0 stays
      entry(7, 'disk', str(2, 'ssd')), // nodeSelector
      int(11, false), // hostNetwork
      msg(22, str(1, 'node.kubernetes.io/unreachable'), str(2, 'Exists'), str(4, 'NoExecute'), int(5, 300)), // tolerations
      int(25, -5), // priority: a negative int32 is a 10-byte varint
    ),
    msg(3, // status: PodStatus
      str(1, 'Running'), // phase
      msg(2, str(1, 'Ready'), str(2, 'True'), msg(3), msg(4, int(1, TS))), // conditions[{type, status, lastProbeTime (zero), lastTransitionTime}]
      msg(7, int(1, TS)), // startTime
    ),
  ];
  const parts = envelopeParts('v1', 'Pod', pod);
  const body = Buffer.concat(parts);

  it('decodes to the JSON a Go client sends for the same object', () => {
    assert.deepEqual(decode(body), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-0',
        namespace: 'prod',
        uid: 'uid-1',
        generation: 2 ** 40,
        creationTimestamp: ISO,
        deletionTimestamp: '2024-05-01T10:01:00Z',
        deletionGracePeriodSeconds: 30,
        labels: { app: 'web', tier: '' },
        annotations: { note: 'x' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'uid-rs', controller: true, blockOwnerDeletion: false }],
        finalizers: ['example.com/protect', 'second'],
        managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: ISO, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } } }],
      },
      spec: {
        volumes: [{ name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }],
        containers: [
          {
            name: 'app',
            image: 'nginx:1.27',
            command: ['nginx', '-g'],
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            env: [
              { name: 'MODE', value: 'prod' },
              { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
            ],
            resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 5 },
            readinessProbe: { tcpSocket: { port: 8080 }, failureThreshold: 3 },
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 0,
        nodeSelector: { disk: 'ssd' },
        tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
        priority: -5,
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: ISO }],
        startTime: ISO,
      },
    });
  });

  it('names apiVersion and kind from the envelope', () => {
    const d = decodeProtobufObject(body);
    assert.deepEqual([d.apiVersion, d.kind], ['v1', 'Pod']);
    assert.deepEqual(Object.keys(d.object).slice(0, 2), ['apiVersion', 'kind']);
  });

  it('every truncation is a ProtobufDecodeError, except where runtime.Unknown may end after the object', () => {
    // protobuf has no end marker: a prefix that ends exactly after typeMeta (no raw: an empty
    // Pod), after raw, or after contentEncoding is a complete (shorter) runtime.Unknown.
    const typeMetaEnd = parts[0].length + parts[1].length;
    const rawEnd = typeMetaEnd + parts[2].length;
    for (let len = 0; len < body.length; len++) {
      const prefix = body.subarray(0, len);
      if (len === typeMetaEnd) {
        assert.deepEqual(decode(prefix).metadata, { creationTimestamp: null });
        continue;
      }
      if (len === rawEnd || len === rawEnd + parts[3].length) {
        assert.equal(decode(prefix).metadata.name, 'web-0');
        continue;
      }
      assert.throws(() => decodeProtobufObject(prefix), ProtobufDecodeError, `prefix of ${len} bytes`);
    }
  });
});

describe('decodeProtobufObject: other kinds', () => {
  it('Event: MicroTime keeps microseconds, zero Times are null, non-omitempty strings are kept', () => {
    const o = decode(
      envelope(
        'v1',
        'Event',
        msg(1, str(1, 'web-0.17c'), str(3, 'prod')),
        msg(2, str(1, 'Pod'), str(2, 'prod'), str(3, 'web-0'), str(4, 'uid-1'), str(5, 'v1')), // involvedObject
        str(3, 'Scheduled'),
        str(4, 'assigned prod/web-0 to node-1'),
        msg(5, str(1, 'default-scheduler')), // source
        int(8, 1), // count
        str(9, 'Normal'),
        msg(10, int(1, TS), int(2, 123_456_789)), // eventTime
        msg(11, int(1, 2), msg(2, int(1, TS), int(2, 5_000))), // series {count, lastObservedTime}
        str(12, 'Binding'),
        str(14, 'default-scheduler'),
      ),
    );
    assert.deepEqual(o, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web-0.17c', namespace: 'prod', creationTimestamp: null },
      involvedObject: { kind: 'Pod', namespace: 'prod', name: 'web-0', uid: 'uid-1', apiVersion: 'v1' },
      reason: 'Scheduled',
      message: 'assigned prod/web-0 to node-1',
      source: { component: 'default-scheduler' },
      firstTimestamp: null,
      lastTimestamp: null,
      count: 1,
      type: 'Normal',
      eventTime: '2024-05-01T10:00:00.123456Z',
      series: { count: 2, lastObservedTime: '2024-05-01T10:00:00.000005Z' },
      action: 'Binding',
      reportingComponent: 'default-scheduler',
      reportingInstance: '',
    });
  });

  it('Lease: pointer fields set to zero are kept', () => {
    const o = decode(envelope('coordination.k8s.io/v1', 'Lease', msg(1, str(1, 'node-1'), str(3, 'kube-node-lease')), msg(2, str(1, 'node-1'), int(2, 40), msg(4, int(1, TS), int(2, 1_000)), int(5, 0))));
    assert.deepEqual(o, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'node-1', namespace: 'kube-node-lease', creationTimestamp: null },
      spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-05-01T10:00:00.000001Z', leaseTransitions: 0 },
    });
  });

  it('EndpointSlice: *bool false is kept; absent non-omitempty slices are null', () => {
    const full = decode(
      envelope(
        'discovery.k8s.io/v1',
        'EndpointSlice',
        msg(1, str(1, 'web-abc')),
        str(4, 'IPv4'),
        msg(2, str(1, '10.0.0.5'), msg(2, int(1, true), int(3, false)), str(6, 'node-1')), // endpoints[{addresses, conditions, nodeName}]
        msg(3, str(1, 'http'), str(2, 'TCP'), int(3, 8080)), // ports
      ),
    );
    assert.deepEqual(full, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abc', creationTimestamp: null },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.5'], conditions: { ready: true, terminating: false }, nodeName: 'node-1' }],
      ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    });
    const empty = decode(envelope('discovery.k8s.io/v1', 'EndpointSlice', msg(1, str(1, 'e'))));
    assert.deepEqual(empty, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e', creationTimestamp: null }, addressType: '', endpoints: null, ports: null });
  });

  it('Node: quantity maps (a missing value is "0"), zero structs printed as Go prints them', () => {
    const o = decode(
      envelope(
        'v1',
        'Node',
        msg(1, str(1, 'node-1')),
        msg(3, // status
          entry(1, 'cpu', msg(2, str(1, '4'))), // capacity
          entry(1, 'memory', msg(2, str(1, '8Gi'))),
          entry(1, 'pods'),
          msg(5, str(1, 'InternalIP'), str(2, '10.0.0.1')), // addresses
          msg(7, str(7, 'v1.32.0')), // nodeInfo.kubeletVersion
        ),
      ),
    );
    assert.deepEqual(o.spec, {});
    assert.deepEqual(o.status, {
      capacity: { cpu: '4', memory: '8Gi', pods: '0' },
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      nodeInfo: { machineID: '', systemUUID: '', bootID: '', kernelVersion: '', osImage: '', containerRuntimeVersion: '', kubeletVersion: 'v1.32.0', kubeProxyVersion: '', operatingSystem: '', architecture: '' },
    });
  });

  it('Job: a repeated int32 is read packed and unpacked alike', () => {
    const o = decode(
      envelope(
        'batch/v1',
        'Job',
        msg(1, str(1, 'j')),
        msg(2, // spec
          msg(11, msg(1, str(1, 'FailJob'), msg(2, str(2, 'In'), packed(3, [1, 2]), int(3, 42)))), // podFailurePolicy.rules[{action, onExitCodes {operator, values}}]
          msg(6, msg(2, msg(2, str(1, 'c'), str(2, 'busybox')))), // template.spec.containers
        ),
      ),
    );
    assert.deepEqual(o.spec, {
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1, 2, 42] } }] },
      template: { metadata: { creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'busybox', resources: {} }] } },
    });
    assert.deepEqual(o.status, {});
  });

  it('a message field seen twice is merged, a scalar seen twice keeps the last value', () => {
    const o = decode(envelope('v1', 'Pod', msg(1, str(1, 'a'), str(1, 'b')), msg(2, str(3, 'Never')), msg(2, msg(2, str(1, 'c')))));
    assert.equal(o.metadata.name, 'b');
    assert.deepEqual(o.spec, { restartPolicy: 'Never', containers: [{ name: 'c', resources: {} }] });
  });

  it('Service: an absent IntOrString is 0, an absent status is printed as Go prints it', () => {
    const o = decode(envelope('v1', 'Service', msg(1, str(1, 's')), msg(2, msg(1, int(3, 80)))));
    assert.deepEqual(o.spec, { ports: [{ port: 80, targetPort: 0 }] });
    assert.deepEqual(o.status, { loadBalancer: {} });
  });
});

describe('decodeProtobufObject: malformed input', () => {
  it('refuses a body without the k8s\\0 prefix', () => {
    rejects(Buffer.from('{"kind":"Pod","apiVersion":"v1"}'), /Kubernetes protobuf prefix/);
    rejects(Buffer.alloc(0), /Kubernetes protobuf prefix/);
    rejects(Buffer.from('k8s'), /Kubernetes protobuf prefix/);
  });

  it('names the message and field number of a field the tables do not know', () => {
    rejects(envelope('v1', 'Pod', msg(2, int(999, 1))), /^unknown field 999 in io\.k8s\.api\.core\.v1\.PodSpec$/);
    rejects(envelope('v1', 'Pod', msg(1, str(16, 'old-cluster'))), /^unknown field 16 in io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\.ObjectMeta$/);
    rejects(envelope('apps/v1', 'Deployment', msg(2, msg(3, msg(2, msg(2, str(1, 'c'), int(99, 1)))))), /^unknown field 99 in io\.k8s\.api\.core\.v1\.Container$/);
    rejects(Buffer.concat([envelope('v1', 'Pod'), str(9, 'x')]), /unknown field 9 in io\.k8s\.apimachinery\.pkg\.runtime\.Unknown/);
  });

  it('refuses a field sent with the wrong wire type', () => {
    rejects(envelope('v1', 'Pod', msg(2, msg(2, msg(6, str(3, '8080'))))), /field 3 \(containerPort\) has wire type 2, want 0 in io\.k8s\.api\.core\.v1\.ContainerPort/);
    rejects(envelope('v1', 'Pod', msg(1, int(1, 5))), /field 1 \(name\) has wire type 0, want 2 in io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\.ObjectMeta/);
  });

  it('refuses kinds without tables, objects without a kind, and compressed envelopes', () => {
    rejects(envelope('v1', 'Widget'), /no protobuf schema for kind "Widget" of apiVersion "v1"/);
    rejects(envelope('v1', 'PodSpec'), /no protobuf schema for kind "PodSpec"/);
    rejects(envelope('apps/v1', 'Pod'), /no protobuf schema for kind "Pod" of apiVersion "apps\/v1"/);
    rejects(envelope('example.com/v1', 'Pod'), /no protobuf schema/);
    rejects(envelope('v1', ''), /names no apiVersion and kind/);
    rejects(Buffer.concat(envelopeParts('v1', 'Pod', [msg(1, str(1, 'p'))], 'gzip')), /content encoding "gzip"/);
  });

  it('refuses bad varints, lengths and tags', () => {
    rejects(envelope('batch/v1', 'Job', bytes(2, Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))), /varint longer than 10 bytes in io\.k8s\.api\.batch\.v1\.JobSpec/);
    rejects(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x12, 0x7f, 0x00])]), /truncated length-delimited field/);
    rejects(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x00, 0x01])]), /invalid field number/);
    rejects(envelope('v1', 'Pod', bytes(3, Buffer.from([0x0a, 0x05, 0x41]))), /truncated length-delimited field .* in io\.k8s\.api\.core\.v1\.PodStatus/);
  });

  it('refuses values their Go types would refuse', () => {
    const limits = (q: string) => envelope('v1', 'Pod', msg(2, msg(2, str(1, 'c'), msg(8, entry(1, 'cpu', msg(2, str(1, q)))))));
    assert.equal(decode(limits('1.5Gi')).spec.containers[0].resources.limits.cpu, '1.5Gi');
    rejects(limits('lots'), /quantity "lots" .* in io\.k8s\.apimachinery\.pkg\.api\.resource\.Quantity/);
    rejects(envelope('v1', 'Service', msg(2, msg(1, int(3, 80), msg(4, int(1, 7))))), /impossible IntOrString type 7/);
    rejects(envelope('v1', 'Pod', msg(1, msg(17, msg(7, str(1, '{not json'))))), /raw bytes are not JSON .* in io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\.FieldsV1/);
    rejects(envelope('v1', 'Pod', msg(1, msg(8, int(1, 300_000_000_000)))), /seconds 300000000000 out of range in io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\.Time/);
  });
});
