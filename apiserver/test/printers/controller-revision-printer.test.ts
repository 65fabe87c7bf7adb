// Rows of apps/v1 ControllerRevisions (upstream printControllerRevision).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@minik8s/shared';
import { columnDefinitions, printRow } from '../../src/printers/index.ts';
import { NOW, ago, M } from './support.ts';

function revision(owner: KubeObject['metadata']['ownerReferences'], revisionNumber?: number): KubeObject {
  return {
    metadata: { name: 'web-6d4b9f7c5', namespace: 'default', creationTimestamp: ago(3 * M), ...(owner ? { ownerReferences: owner } : {}) },
    data: { spec: { template: { $patch: 'replace' } } },
    ...(revisionNumber !== undefined ? { revision: revisionNumber } : {}),
  } as KubeObject;
}

describe('controllerrevision printer', () => {
  it('has upstream columns', () => {
    assert.deepEqual(
      columnDefinitions('apps', 'controllerrevisions').map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Controller', 'string', 0],
        ['Revision', 'string', 0],
        ['Age', 'string', 0],
      ],
    );
  });

  it('names the controller as <kind>.<group>/<name>, lower case', () => {
    const owner = [
      { apiVersion: 'v1', kind: 'Pod', name: 'not-controller', uid: 'u1' },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u2', controller: true },
    ];
    assert.deepEqual(printRow('apps', 'controllerrevisions', revision(owner, 3), NOW), ['web-6d4b9f7c5', 'statefulset.apps/web', 3, '3m']);
  });

  it('drops the dot for a core-group controller and prints <none> without one', () => {
    const core = [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'rc', uid: 'u', controller: true }];
    assert.equal(printRow('apps', 'controllerrevisions', revision(core, 1), NOW)[1], 'replicationcontroller/rc');
    assert.deepEqual(printRow('apps', 'controllerrevisions', revision(undefined), NOW).slice(1, 3), ['<none>', 0]);
  });
});
