// The Table document itself: metadata, includeObject, headers, the default printer, and the
// column/cell invariant for every served resource.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, type KubeObject } from '@minik8s/shared';
import { columnDefinitions, hasPrinter, printRow, toTable } from '../../src/printers/index.ts';
import { NOW, ago, M } from './support.ts';

const metadata = {
  name: 'web-1',
  namespace: 'default',
  uid: '6c0a2f3e-3b7e-4f4e-9a51-0d6f2b0e9c11',
  resourceVersion: '42',
  creationTimestamp: ago(5 * M),
  labels: { app: 'web' },
  managedFields: [{ manager: 'kubectl-create', operation: 'Update' as const, apiVersion: 'v1', time: ago(5 * M), fieldsType: 'FieldsV1', fieldsV1: {} }],
};
const pod: KubeObject = { metadata, spec: { containers: [{ name: 'app', image: 'nginx' }] }, status: { phase: 'Pending' } };

describe('toTable', () => {
  it('builds a meta.k8s.io/v1 Table with PartialObjectMetadata rows by default', () => {
    const t = toTable('', 'pods', [pod], { now: NOW, includeObject: 'Metadata', listMeta: { resourceVersion: '110', continue: 'abc', remainingItemCount: 0 } });
    assert.equal(t.kind, 'Table');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(t.metadata, { resourceVersion: '110', continue: 'abc', remainingItemCount: 0 });
    assert.deepEqual(t.columnDefinitions, columnDefinitions('', 'pods'));
    assert.deepEqual(t.rows, [
      {
        cells: ['web-1', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata },
      },
    ]);
    // The JSON keeps upstream's field order.
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(t))), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
    assert.deepEqual(Object.keys(t.columnDefinitions![0]), ['name', 'type', 'format', 'description', 'priority']);
  });

  it('embeds the whole object (with its type) for includeObject=Object and null for None', () => {
    const full = toTable('', 'pods', [pod], { now: NOW, includeObject: 'Object' }).rows[0].object as KubeObject;
    assert.equal(full.apiVersion, 'v1');
    assert.equal(full.kind, 'Pod');
    assert.deepEqual(full.spec, pod.spec);
    assert.deepEqual(full.metadata, metadata);
    const deploy = toTable('apps', 'deployments', [{ metadata: { name: 'd' }, spec: {} }], { now: NOW, includeObject: 'Object' }).rows[0].object as KubeObject;
    assert.deepEqual([deploy.apiVersion, deploy.kind], ['apps/v1', 'Deployment']);
    const none = toTable('', 'pods', [pod], { now: NOW, includeObject: 'None' });
    assert.equal(none.rows[0].object, null);
    assert.match(JSON.stringify(none), /"object":null/);
  });

  it('omits empty list metadata and, with noHeaders, the column definitions', () => {
    const t = toTable('', 'pods', [], { now: NOW, includeObject: 'Metadata', listMeta: { resourceVersion: '' }, noHeaders: true });
    assert.deepEqual(t.metadata, {});
    assert.equal(t.columnDefinitions, null);
    assert.deepEqual(t.rows, []);
  });

  it('adds row conditions for finished pods only', () => {
    const done = { ...pod, status: { phase: 'Succeeded' } };
    const t = toTable('', 'pods', [pod, done], { now: NOW, includeObject: 'None' });
    assert.equal('conditions' in t.rows[0], false);
    assert.deepEqual(t.rows[1].conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  });

  it('gives a resource without a printer NAME and CREATED AT (an RFC 3339 date)', () => {
    assert.equal(hasPrinter('rbac.authorization.k8s.io', 'roles'), false);
    assert.deepEqual(
      columnDefinitions('rbac.authorization.k8s.io', 'roles').map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Created At', 'date', '', 0],
      ],
    );
    assert.deepEqual(printRow('rbac.authorization.k8s.io', 'roles', { metadata: { name: 'reader', creationTimestamp: '2024-07-04T09:30:15Z' } }, NOW), ['reader', '2024-07-04T09:30:15Z']);
    assert.deepEqual(printRow('example.com', 'widgets', { metadata: { name: 'w' } }, NOW), ['w', '0001-01-01T00:00:00Z']);
  });

  it('has a printer for every served resource, and one cell per column even for a bare object', () => {
    for (const info of RESOURCES) {
      assert.ok(hasPrinter(info.group, info.resource), `${info.resource}.${info.group}`);
      const cols = columnDefinitions(info.group, info.resource);
      assert.equal(cols.filter((c) => c.format === 'name').length, 1, info.resource);
      const cells = printRow(info.group, info.resource, { metadata: { name: 'bare' } }, NOW);
      assert.equal(cells.length, cols.length, info.resource);
      for (const c of cells) assert.ok(typeof c === 'string' || typeof c === 'number', `${info.resource}: ${String(c)}`);
    }
  });
});
