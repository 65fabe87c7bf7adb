// The pure pieces of the ControllerRevision history: names, hashes, ordering, the stored patch.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import {
  controllerRevisionName,
  equalRevision,
  findEqualRevisions,
  fnv32,
  hashControllerRevision,
  maxRevision,
  revisionTemplate,
  sortControllerRevisions,
  templatePatch,
  type ControllerRevision,
} from '../../src/controllers/history/controller-history.ts';
import { matchDaemonSet, newDaemonSetRevision } from '../../src/controllers/daemonset/daemonset-history.ts';
import { computeHash } from '../../src/util/hash.ts';
import { newStatefulSetRevision, nextRevision } from '../../src/controllers/statefulset/statefulset-revisions.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const template = (img: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: img }] } });
const parent = (kind: string, img: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'web', namespace: 'ns', uid: 'uid-1', annotations: { note: 'x' } },
  spec: { selector: { matchLabels: { app: 'web' } }, template: template(img) },
  ...extra,
});
const rev = (name: string, revision: number, data: unknown, created = '2025-01-01T00:00:00Z'): ControllerRevision => ({ metadata: { name, creationTimestamp: created }, data, revision });

describe('controller history helpers', () => {
  it('fnv32 is FNV-1 (hash/fnv.New32), not FNV-1a', () => {
    assert.equal(fnv32(bytes('')), 0x811c9dc5);
    assert.equal(fnv32(bytes('a')), 0x050c5d7e);
    assert.equal(fnv32(bytes('ab')), 0x70772d38);
    assert.equal(fnv32(bytes('abc')), 0x439c2f4b);
    assert.equal(fnv32(bytes('c'), fnv32(bytes('ab'))), fnv32(bytes('abc')));
  });

  it('hashes data independently of key order; the collision count changes the hash', () => {
    const h = hashControllerRevision({ a: 1, b: { c: 2, d: 3 } }, 0);
    assert.equal(hashControllerRevision({ b: { d: 3, c: 2 }, a: 1 }, 0), h);
    assert.notEqual(hashControllerRevision({ a: 1, b: { c: 2, d: 4 } }, 0), h);
    assert.notEqual(hashControllerRevision({ a: 1, b: { c: 2, d: 3 } }, 1), h);
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('names revisions <parent>-<hash>, the parent cut to 223 characters', () => {
    assert.equal(controllerRevisionName('web', 'abc'), 'web-abc');
    assert.equal(controllerRevisionName('x'.repeat(300), 'h'), `${'x'.repeat(223)}-h`);
  });

  it('stores the template as a replacing strategic merge patch and reads it back', () => {
    const p = parent('StatefulSet', 'busybox:v1');
    const data = templatePatch(p);
    assert.deepEqual(data, { spec: { template: { ...template('busybox:v1'), $patch: 'replace' } } });
    assert.deepEqual(p.spec.template, template('busybox:v1'), 'the parent is not modified');
    assert.deepEqual(revisionTemplate(rev('r', 1, data)), template('busybox:v1'));
  });

  it('orders by revision, then creation time, then name; finds equal data', () => {
    const a = rev('b', 2, { x: 1 }, '2025-01-01T00:00:02Z');
    const b = rev('a', 2, { x: 2 }, '2025-01-01T00:00:02Z');
    const c = rev('c', 2, { x: 1 }, '2025-01-01T00:00:01Z');
    const d = rev('d', 1, { x: 3 });
    assert.deepEqual(sortControllerRevisions([a, b, c, d]).map((r) => r.metadata.name), ['d', 'c', 'a', 'b']);
    assert.deepEqual(findEqualRevisions([a, b, c, d], rev('n', 9, { x: 1 })).map((r) => r.metadata.name), ['b', 'c']);
    assert.equal(equalRevision(undefined, undefined), true);
    assert.equal(equalRevision(a, undefined), false);
    assert.equal(maxRevision([a, d]), 2);
    assert.equal(maxRevision([]), 0);
    assert.equal(nextRevision(sortControllerRevisions([a, d])), 3);
    assert.equal(nextRevision([]), 1);
  });

  it('a StatefulSet revision: labels, annotations, owner and the hash of its data with the collision count', () => {
    const set = parent('StatefulSet', 'busybox:v1');
    const r = newStatefulSetRevision(set, 4, 2);
    const hash = hashControllerRevision(templatePatch(set), 2);
    assert.equal(r.metadata.name, `web-${hash}`);
    assert.deepEqual(r.metadata.labels, { app: 'web', 'controller.kubernetes.io/hash': hash });
    assert.deepEqual(r.metadata.annotations, { note: 'x' });
    assert.deepEqual(r.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-1', controller: true, blockOwnerDeletion: true }]);
    assert.equal(r.revision, 4);
  });

  it('a DaemonSet revision is named and labelled by the pod-template hash, and matches its template only', () => {
    const ds = parent('DaemonSet', 'busybox:v1', { status: { collisionCount: 1 } });
    const r = newDaemonSetRevision(ds, 1);
    const hash = computeHash(ds.spec.template, 1);
    assert.equal(r.metadata.name, `web-${hash}`);
    assert.equal(r.metadata.labels!['controller-revision-hash'], hash);
    assert.equal(matchDaemonSet(ds, r), true);
    assert.equal(matchDaemonSet(parent('DaemonSet', 'busybox:v2'), r), false);
    // A template read back with null fields (as kubectl may send them) still matches.
    const withNull = parent('DaemonSet', 'busybox:v1');
    withNull.spec.template.metadata.creationTimestamp = null;
    assert.equal(matchDaemonSet(withNull, r), true);
  });
});
