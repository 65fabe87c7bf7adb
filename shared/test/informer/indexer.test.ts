import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Indexer, metaNamespaceKey, splitMetaNamespaceKey } from '../../src/informer/indexer.ts';
import {
  LABEL_INDEX,
  NAMESPACE_INDEX,
  NODE_NAME_INDEX,
  OWNER_UID_INDEX,
  labelIndexFunc,
  labelIndexValue,
  namespaceIndexFunc,
  nodeNameIndexFunc,
  ownerUidIndexFunc,
} from '../../src/informer/index-funcs.ts';
import type { KubeObject } from '../../src/api/types.ts';

const pod = (ns: string, name: string, node?: string, labels?: Record<string, string>, owner?: string): KubeObject => ({
  metadata: { namespace: ns, name, labels, ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner }] : undefined },
  spec: node ? { nodeName: node } : {},
});

function names(objs: KubeObject[]): string[] {
  return objs.map((o) => o.metadata.name!).sort();
}

test('keys are namespace/name, or name for cluster-scoped objects', () => {
  assert.equal(metaNamespaceKey({ metadata: { namespace: 'a', name: 'b' } }), 'a/b');
  assert.equal(metaNamespaceKey({ metadata: { name: 'node-1' } }), 'node-1');
  assert.deepEqual(splitMetaNamespaceKey('a/b'), { namespace: 'a', name: 'b' });
  assert.deepEqual(splitMetaNamespaceKey('n'), { namespace: '', name: 'n' });
});

test('indices by namespace, node name, owner uid and label follow adds, updates and deletes', () => {
  const idx = new Indexer({
    [NAMESPACE_INDEX]: namespaceIndexFunc,
    [NODE_NAME_INDEX]: nodeNameIndexFunc,
    [OWNER_UID_INDEX]: ownerUidIndexFunc,
    [LABEL_INDEX]: labelIndexFunc,
  });
  idx.add(pod('a', 'p1', 'n1', { app: 'web' }, 'rs-1'));
  idx.add(pod('a', 'p2', 'n2', { app: 'web', tier: 'fe' }, 'rs-1'));
  idx.add(pod('b', 'p3', undefined, { app: 'db' }));
  assert.deepEqual(names(idx.byIndex(NAMESPACE_INDEX, 'a')), ['p1', 'p2']);
  assert.deepEqual(names(idx.byIndex(NODE_NAME_INDEX, 'n1')), ['p1']);
  assert.deepEqual(names(idx.byIndex(OWNER_UID_INDEX, 'rs-1')), ['p1', 'p2']);
  assert.deepEqual(names(idx.byIndex(LABEL_INDEX, labelIndexValue('app', 'web'))), ['p1', 'p2']);
  assert.deepEqual(idx.listIndexFuncValues(NODE_NAME_INDEX).sort(), ['n1', 'n2'], 'unscheduled pods are not indexed');

  // p1 moves to n2 and loses its label: old index entries go away
  idx.update(pod('a', 'p1', 'n2', {}, 'rs-1'));
  assert.deepEqual(names(idx.byIndex(NODE_NAME_INDEX, 'n1')), []);
  assert.deepEqual(names(idx.byIndex(NODE_NAME_INDEX, 'n2')), ['p1', 'p2']);
  assert.deepEqual(names(idx.byIndex(LABEL_INDEX, 'app=web')), ['p2']);
  assert.equal(idx.listIndexFuncValues(NODE_NAME_INDEX).includes('n1'), false);

  idx.delete(pod('a', 'p2'));
  assert.deepEqual(names(idx.byIndex(OWNER_UID_INDEX, 'rs-1')), ['p1']);
  assert.equal(idx.getByKey('a/p2'), undefined);
  assert.equal(idx.size, 2);
  assert.throws(() => idx.byIndex('nope', 'x'), /index "nope" does not exist/);
});

test('replace makes the contents exactly the given items, indices included', () => {
  const idx = new Indexer({ [NODE_NAME_INDEX]: nodeNameIndexFunc });
  idx.add(pod('a', 'old', 'n1'));
  idx.replace([pod('a', 'new', 'n2')]);
  assert.deepEqual(idx.listKeys(), ['a/new']);
  assert.deepEqual(idx.byIndex(NODE_NAME_INDEX, 'n1'), []);
  assert.deepEqual(names(idx.byIndex(NODE_NAME_INDEX, 'n2')), ['new']);
});

test('an indexer added later indexes what is already there', () => {
  const idx = new Indexer();
  idx.add(pod('a', 'p1', 'n1'));
  idx.addIndexers({ [NODE_NAME_INDEX]: nodeNameIndexFunc });
  assert.deepEqual(names(idx.byIndex(NODE_NAME_INDEX, 'n1')), ['p1']);
});
