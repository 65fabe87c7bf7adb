// apps/v1 ControllerRevisions over HTTP against a real etcd: what the DaemonSet and StatefulSet
// controllers write and what `kubectl rollout history/undo` reads back.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const BASE = '/apis/apps/v1/namespaces/default/controllerrevisions';
const TABLE = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };

const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image, command: ['sleep', '3600'] }] },
});

function revision(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name, labels: { app: 'web', 'controller-revision-hash': 'abc12' } },
    data: { spec: { template: { ...template('busybox:v1'), $patch: 'replace' } } },
    revision: 1,
    ...extra,
  };
}

describe('controllerrevisions', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  it('is served in discovery under apps/v1, namespaced, without short names', async () => {
    const r = await t.req('GET', '/apis/apps/v1');
    assert.equal(r.status, 200);
    const cr = r.body.resources.find((x: any) => x.name === 'controllerrevisions');
    assert.ok(cr, 'controllerrevisions listed');
    assert.equal(cr.kind, 'ControllerRevision');
    assert.equal(cr.namespaced, true);
    assert.equal(cr.singularName, 'controllerrevision');
    assert.deepEqual(cr.shortNames ?? [], []);
    assert.ok(!(cr.categories ?? []).includes('all'), 'not in `kubectl get all`');
  });

  it('stores data as sent and lists by label selector', async () => {
    const created = await t.req('POST', BASE, revision('web-abc12'));
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.kind, 'ControllerRevision');
    assert.equal(created.body.revision, 1);
    assert.deepEqual(created.body.data, revision('web-abc12').data);
    const other = await t.req('POST', BASE, revision('db-xyz34', { metadata: { name: 'db-xyz34', labels: { app: 'db' } } }));
    assert.equal(other.status, 201, other.text);
    const list = await t.req('GET', `${BASE}?labelSelector=app%3Dweb`);
    assert.equal(list.status, 200);
    assert.equal(list.body.kind, 'ControllerRevisionList');
    assert.deepEqual(list.body.items.map((i: any) => i.metadata.name), ['web-abc12']);
  });

  it('defaults a missing revision to 0, as decoding the int64 does', async () => {
    const body = revision('zero-rev');
    delete body.revision;
    const r = await t.req('POST', BASE, body);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.revision, 0);
  });

  it('refuses a missing data, a negative revision and a name that is not a DNS subdomain with 422 and field paths', async () => {
    const noData = revision('no-data');
    delete noData.data;
    const r1 = await t.req('POST', BASE, noData);
    assert.equal(r1.status, 422, r1.text);
    assert.equal(r1.body.reason, 'Invalid');
    assert.deepEqual(r1.body.details.causes, [{ reason: 'FieldValueRequired', message: 'Required value: data is mandatory', field: 'data' }]);
    assert.equal(r1.body.details.kind, 'ControllerRevision');
    assert.equal(r1.body.details.group, 'apps');
    assert.ok(r1.body.message.endsWith(' "no-data" is invalid: data: Required value: data is mandatory'), r1.body.message);

    const r2 = await t.req('POST', BASE, revision('negative', { revision: -1 }));
    assert.equal(r2.status, 422, r2.text);
    assert.deepEqual(r2.body.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'revision' }]);

    const r3 = await t.req('POST', BASE, revision('Web_1'));
    assert.equal(r3.status, 422, r3.text);
    assert.equal(r3.body.details.causes[0].field, 'metadata.name');

    const r4 = await t.req('POST', BASE, revision('bad-type', { revision: 'two' }));
    // A wrong JSON type is a decoding error, as for every kind (400, not 422).
    assert.equal(r4.status, 400, r4.text);
    assert.match(r4.body.message, /revision in body must be of type integer/);
  });

  it('lets the revision number change but never the data', async () => {
    const created = await t.req('POST', BASE, revision('web-imm'));
    assert.equal(created.status, 201, created.text);
    const bumped = await t.req('PUT', `${BASE}/web-imm`, { ...created.body, revision: 3 });
    assert.equal(bumped.status, 200, bumped.text);
    assert.equal(bumped.body.revision, 3);
    assert.deepEqual(bumped.body.data, created.body.data);

    const changed = { ...bumped.body, data: { spec: { template: { ...template('busybox:v2'), $patch: 'replace' } } } };
    const r = await t.req('PUT', `${BASE}/web-imm`, changed);
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.reason, 'Invalid');
    assert.deepEqual(r.body.details.causes.map((c: any) => [c.reason, c.field]), [['FieldValueInvalid', 'data']]);
    assert.match(r.body.details.causes[0].message, /field is immutable$/);

    const patched = await t.req('PATCH', `${BASE}/web-imm`, { data: { spec: { replicas: 2 } } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(patched.status, 422, patched.text);
    assert.equal(patched.body.details.causes[0].field, 'data');

    const labelled = await t.req('PATCH', `${BASE}/web-imm`, { metadata: { labels: { extra: 'yes' } } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(labelled.status, 200, labelled.text);
    assert.equal(labelled.body.metadata.labels.extra, 'yes');
  });

  it('prints NAME CONTROLLER REVISION AGE', async () => {
    const owned = revision('web-owned', {
      revision: 7,
      metadata: {
        name: 'web-owned',
        labels: { app: 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'web', uid: '0b7ad3c2-5a7e-4c1f-9a57-2a4f2d1e9c11', controller: true }],
      },
    });
    assert.equal((await t.req('POST', BASE, owned)).status, 201);
    const table = await t.req('GET', `${BASE}?labelSelector=app%3Dweb`, undefined, TABLE);
    assert.equal(table.status, 200, table.text);
    assert.equal(table.body.kind, 'Table');
    assert.deepEqual(table.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Controller', 'Revision', 'Age']);
    const rows = new Map(table.body.rows.map((r: any) => [r.cells[0], r.cells]));
    assert.deepEqual((rows.get('web-owned') as unknown[]).slice(1, 3), ['daemonset.apps/web', 7]);
    assert.deepEqual((rows.get('web-abc12') as unknown[]).slice(1, 3), ['<none>', 1]);
  });

  it("restores a DaemonSet's template when its data is applied as a strategic merge patch (kubectl rollout undo)", async () => {
    const ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'undo' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'busybox:v2', env: [{ name: 'A', value: '1' }] }] } } },
    };
    const created = await t.req('POST', '/apis/apps/v1/namespaces/default/daemonsets', ds);
    assert.equal(created.status, 201, created.text);
    const r = await t.req('PATCH', '/apis/apps/v1/namespaces/default/daemonsets/undo', revision('unused').data, { 'content-type': 'application/strategic-merge-patch+json' });
    assert.equal(r.status, 200, r.text);
    const c = r.body.spec.template.spec.containers;
    assert.equal(c.length, 1);
    assert.equal(c[0].image, 'busybox:v1');
    assert.deepEqual(c[0].command, ['sleep', '3600']);
    assert.equal(c[0].env, undefined, 'the template was replaced, not merged');
    assert.equal(r.body.spec.template.$patch, undefined);
    assert.equal(r.body.metadata.generation, 2);
  });
});
