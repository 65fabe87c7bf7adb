import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, applyStrategicMergePatch } from '../../src/patch/index.ts';
import { deploymentSchema, resolve } from './deployment-schema.ts';

type Obj = Record<string, any>;

function smp(doc: unknown, patch: unknown): Obj {
  return applyStrategicMergePatch(doc, patch, deploymentSchema, resolve) as Obj;
}

/** Fails if any key of the value starts with `$` (a directive left in the result). */
function assertNoDirectives(v: unknown, path = ''): void {
  if (Array.isArray(v)) v.forEach((x, i) => assertNoDirectives(x, `${path}[${i}]`));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      assert.ok(!k.startsWith('$'), `directive ${k} left at ${path || '<root>'}`);
      assertNoDirectives(x, `${path}.${k}`);
    }
  }
}

function deploymentWith(spec: Obj, meta: Obj = {}): Obj {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'default', ...meta }, spec: { template: { spec } } };
}

const names = (list: Obj[]): string[] => list.map((c) => c.name);

describe('applyStrategicMergePatch: the kubectl apply patch from API-WIRE.md section 5', () => {
  const lastApplied = (replicas: number, image: string) =>
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { annotations: {}, labels: { app: 'api' }, name: 'api', namespace: 'default' },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'api' } },
        template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ image, name: 'api' }] } },
      },
    }) + '\n';

  // What the server holds after `kubectl apply` created it (with server-set fields).
  const live = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'api',
      namespace: 'default',
      uid: 'u-1',
      resourceVersion: '42',
      generation: 1,
      labels: { app: 'api' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(2, 'nginx:1.27') },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'api' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'api' } },
        spec: {
          containers: [{ name: 'api', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' }],
          restartPolicy: 'Always',
        },
      },
    },
    status: { observedGeneration: 1, replicas: 2 },
  };

  // The exact body kubectl 1.32 sent for the second `kubectl apply` (wire mark F-apply2).
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(3, 'nginx:1.28') } },
    spec: {
      replicas: 3,
      template: { spec: { '$setElementOrder/containers': [{ name: 'api' }], containers: [{ image: 'nginx:1.28', name: 'api' }] } },
    },
  };

  it('updates replicas, the image and the annotation and keeps every other field', () => {
    const before = structuredClone(live);
    const patchBefore = structuredClone(patch);
    const out = smp(live, patch);
    assert.equal(out.spec.replicas, 3);
    assert.deepEqual(out.spec.template.spec.containers, [
      { name: 'api', image: 'nginx:1.28', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' },
    ]);
    assert.equal(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], lastApplied(3, 'nginx:1.28'));
    assert.deepEqual(out.spec.strategy, live.spec.strategy);
    assert.deepEqual(out.status, live.status);
    assert.equal(out.metadata.uid, 'u-1');
    assertNoDirectives(out);
    // Inputs untouched, and the result shares nothing with them.
    assert.deepEqual(live, before);
    assert.deepEqual(patch, patchBefore);
    out.spec.template.spec.containers[0].image = 'changed';
    assert.equal(live.spec.template.spec.containers[0].image, 'nginx:1.27');
  });
});

describe('applyStrategicMergePatch: lists with a merge key', () => {
  const live = deploymentWith({
    containers: [
      {
        name: 'api',
        image: 'api:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        ports: [
          { containerPort: 80, name: 'http' },
          { containerPort: 443, name: 'https' },
        ],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
        args: ['--x', '--y'],
      },
      { name: 'sidecar', image: 'side:1' },
    ],
    tolerations: [{ key: 'a', operator: 'Exists' }],
  });

  it('merges containers by name, env by name, ports by containerPort, volumeMounts by mountPath', () => {
    const out = smp(live, {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'api',
                env: [{ name: 'B', value: 'two' }, { name: 'C', value: '3' }],
                ports: [{ containerPort: 443, name: 'tls' }],
                volumeMounts: [{ mountPath: '/data', readOnly: true }],
              },
            ],
          },
        },
      },
    });
    const [api, sidecar] = out.spec.template.spec.containers;
    assert.equal(api.image, 'api:1');
    assert.deepEqual(sidecar, { name: 'sidecar', image: 'side:1' });
    // Without $setElementOrder: patch items keep the patch's order; the live-only item A stays
    // before B, where the live list had it; the new C follows B.
    assert.deepEqual(api.env, [
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
      { name: 'C', value: '3' },
    ]);
    assert.deepEqual(api.ports, [
      { containerPort: 80, name: 'http' },
      { containerPort: 443, name: 'tls' },
    ]);
    assert.deepEqual(api.volumeMounts, [{ name: 'data', mountPath: '/data', readOnly: true }]);
  });

  it('appends a new container and keeps the order given by $setElementOrder', () => {
    const out = smp(live, {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'api' }, { name: 'init' }, { name: 'sidecar' }],
            containers: [{ name: 'init', image: 'init:1' }],
          },
        },
      },
    });
    assert.deepEqual(names(out.spec.template.spec.containers), ['api', 'init', 'sidecar']);
    assertNoDirectives(out);
  });

  it('reorders without changing contents when only $setElementOrder is sent', () => {
    const out = smp(live, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'api' }] } } } });
    assert.deepEqual(names(out.spec.template.spec.containers), ['sidecar', 'api']);
    assert.equal(out.spec.template.spec.containers[1].env.length, 2);
  });

  it('keeps live-only items where the live list had them relative to ordered items', () => {
    const doc = deploymentWith({ containers: [{ name: 'a' }, { name: 'b' }] });
    const out = smp(doc, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }], containers: [{ name: 'c' }] } } } });
    assert.deepEqual(names(out.spec.template.spec.containers), ['c', 'a', 'b']);
  });

  it('uses the live order after deletions and additions, as upstream does', () => {
    // Live [a, b, d]; kubectl drops a, adds c and keeps b: upstream yields [b, d, c].
    const doc = deploymentWith({ containers: [{ name: 'a' }, { name: 'b', image: 'b' }, { name: 'd', image: 'd' }] });
    const out = smp(doc, {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'b' }, { name: 'c' }],
            containers: [{ name: 'c' }, { name: 'a', $patch: 'delete' }],
          },
        },
      },
    });
    assert.deepEqual(out.spec.template.spec.containers, [{ name: 'b', image: 'b' }, { name: 'd', image: 'd' }, { name: 'c' }]);
  });

  it('refuses a patch list whose order contradicts $setElementOrder', () => {
    assert.throws(
      () => smp(live, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'api' }, { name: 'sidecar' }], containers: [{ name: 'sidecar' }, { name: 'api' }] } } } }),
      (e: unknown) => e instanceof PatchError && e.code === 400 && /doesn't match \$setElementOrder list/.test(e.message),
    );
  });

  it('$patch: delete removes the item with that merge key; an absent key is a no-op', () => {
    const out = smp(live, { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }, { name: 'ghost', $patch: 'delete' }] } } } });
    assert.deepEqual(names(out.spec.template.spec.containers), ['api']);
    const env = smp(live, { spec: { template: { spec: { containers: [{ name: 'api', env: [{ name: 'A', $patch: 'delete' }] }] } } } });
    assert.deepEqual(env.spec.template.spec.containers[0].env, [{ name: 'B', value: '2' }]);
    assertNoDirectives(env);
  });

  it('$patch: replace as a list item makes the other items the whole list', () => {
    const out = smp(live, { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } } });
    assert.deepEqual(out.spec.template.spec.containers, [{ name: 'only', image: 'x' }]);
  });

  it('lists without patch metadata are replaced whole (tolerations, args)', () => {
    const out = smp(live, {
      spec: { template: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'api', args: ['--z'] }] } } },
    });
    assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'b', operator: 'Exists' }]);
    assert.deepEqual(out.spec.template.spec.containers[0].args, ['--z']);
  });

  it('a null list value deletes the field', () => {
    const out = smp(live, { spec: { template: { spec: { tolerations: null } } } });
    assert.equal('tolerations' in out.spec.template.spec, false);
  });

  it('merges ownerReferences by uid and status conditions by type', () => {
    const doc = {
      metadata: { name: 'x', ownerReferences: [{ uid: '1', kind: 'A', name: 'a' }] },
      status: { conditions: [{ type: 'Available', status: 'False' }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }] },
    };
    const out = smp(doc, {
      metadata: { ownerReferences: [{ uid: '2', kind: 'B', name: 'b' }] },
      status: { conditions: [{ type: 'Available', status: 'True' }] },
    });
    assert.deepEqual(out.metadata.ownerReferences.map((o: Obj) => o.uid).sort(), ['1', '2']);
    assert.deepEqual(out.status.conditions, [
      { type: 'Available', status: 'True' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ]);
  });

  it('refuses list items without the merge key', () => {
    assert.throws(
      () => smp(live, { spec: { template: { spec: { containers: [{ image: 'nginx' }] } } } }),
      (e: unknown) => e instanceof PatchError && e.message === 'map: map[image:nginx] does not contain declared merge key: name',
    );
  });
});

describe('applyStrategicMergePatch: primitive lists with strategy merge (finalizers)', () => {
  const doc = { metadata: { name: 'x', finalizers: ['a', 'b'] } };

  it('is a set union ordered as upstream orders it', () => {
    assert.deepEqual(smp(doc, { metadata: { finalizers: ['b', 'c'] } }).metadata.finalizers, ['a', 'b', 'c']);
    assert.deepEqual(smp(doc, { metadata: { finalizers: ['a'] } }).metadata.finalizers, ['a', 'b']);
    // A value the live list does not have cannot be placed relative to it: it goes first.
    assert.deepEqual(smp(doc, { metadata: { finalizers: ['c'] } }).metadata.finalizers, ['c', 'a', 'b']);
  });

  it('$deleteFromPrimitiveList removes values, after additions, in the $setElementOrder order', () => {
    const out = smp(doc, {
      metadata: { '$setElementOrder/finalizers': ['b', 'c'], '$deleteFromPrimitiveList/finalizers': ['a'], finalizers: ['c'] },
    });
    assert.deepEqual(out.metadata.finalizers, ['b', 'c']);
    assertNoDirectives(out);
    // Deleting a value that is not there changes nothing and adds nothing.
    assert.deepEqual(smp(doc, { metadata: { '$deleteFromPrimitiveList/finalizers': ['z'] } }).metadata.finalizers, ['a', 'b']);
  });

  it('refuses a malformed deletion list', () => {
    assert.throws(() => smp(doc, { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }), { name: 'PatchError', message: 'invalid patch format of primitive list' });
  });
});

describe('applyStrategicMergePatch: maps and directives', () => {
  const doc = {
    metadata: { name: 'api', labels: { app: 'api', tier: 'back' } },
    spec: {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      template: {
        spec: {
          nodeSelector: { disk: 'ssd', zone: 'a' },
          volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }],
        },
      },
    },
  };

  it('merges maps recursively and deletes keys set to null', () => {
    const out = smp(doc, { metadata: { labels: { tier: null, env: 'prod' } } });
    assert.deepEqual(out.metadata.labels, { app: 'api', env: 'prod' });
  });

  it('$patch: replace replaces a map; $patch: delete empties it', () => {
    const replaced = smp(doc, { spec: { template: { spec: { nodeSelector: { zone: 'b', $patch: 'replace' } } } } });
    assert.deepEqual(replaced.spec.template.spec.nodeSelector, { zone: 'b' });
    const deleted = smp(doc, { spec: { template: { spec: { nodeSelector: { $patch: 'delete' } } } } });
    assert.deepEqual(deleted.spec.template.spec.nodeSelector, {});
  });

  it('$retainKeys clears the live keys it does not list (Deployment strategy)', () => {
    const out = smp(doc, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } });
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  });

  it('$retainKeys in a volume switches its source (strategy merge,retainKeys)', () => {
    const out = smp(doc, {
      spec: { template: { spec: { volumes: [{ name: 'data', hostPath: { path: '/srv' }, $retainKeys: ['hostPath', 'name'] }] } } },
    });
    assert.deepEqual(out.spec.template.spec.volumes, [{ name: 'data', hostPath: { path: '/srv' } }, { name: 'cfg', configMap: { name: 'c' } }]);
  });

  it('refuses a patch key missing from $retainKeys', () => {
    assert.throws(() => smp(doc, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 2 } } } }), {
      name: 'PatchError',
      message: 'invalid patch format of retainKeys',
    });
  });

  it('strips directives from values added where nothing was live', () => {
    const bare = deploymentWith({});
    const out = smp(bare, {
      spec: {
        template: {
          spec: {
            '$setElementOrder/initContainers': [{ name: 'i' }],
            initContainers: [{ name: 'i', '$setElementOrder/env': [{ name: 'E' }], env: [{ name: 'E', value: 'v' }, { name: 'gone', $patch: 'delete' }], ports: null }],
            nodeSelector: { $patch: 'delete' },
            volumes: [{ name: 'v', emptyDir: {}, $retainKeys: ['emptyDir', 'name'] }],
          },
        },
      },
    });
    assert.deepEqual(out.spec.template.spec, {
      initContainers: [{ name: 'i', env: [{ name: 'E', value: 'v' }] }],
      volumes: [{ name: 'v', emptyDir: {} }],
    });
  });

  it('refuses unknown $patch values and $patch: merge in a list', () => {
    assert.throws(() => smp(doc, { metadata: { labels: { $patch: 'explode' } } }), (e: unknown) => e instanceof PatchError && /^unknown patch type: explode in map: /.test(e.message));
    assert.throws(
      () => smp(doc, { spec: { template: { spec: { volumes: [{ name: 'x', $patch: 'merge' }] } } } }),
      { message: 'merging lists cannot yet be specified in the patch' },
    );
  });

  it('refuses lists of lists with 422', () => {
    const d = deploymentWith({ containers: [{ name: 'a' }] });
    assert.throws(() => smp(d, { spec: { template: { spec: { containers: [['a']] } } } }), (e: unknown) => e instanceof PatchError && e.code === 422);
  });

  it('refuses a patch that is not an object', () => {
    for (const p of [null, [], 'x', 3]) assert.throws(() => smp(doc, p), (e: unknown) => e instanceof PatchError && e.code === 400);
  });
});

describe('applyStrategicMergePatch without a schema (unknown kind)', () => {
  const doc = { spec: { items: [{ name: 'a', v: 1 }, { name: 'b' }], nested: { x: 1, y: 2 } } };

  it('behaves as a merge patch: maps merge, lists replace, null deletes', () => {
    const out = applyStrategicMergePatch(doc, { spec: { items: [{ name: 'a', v: 2 }], nested: { y: null, z: 3 } } }, undefined, resolve);
    assert.deepEqual(out, { spec: { items: [{ name: 'a', v: 2 }], nested: { x: 1, z: 3 } } });
  });

  it('still honours and strips directives', () => {
    const out = applyStrategicMergePatch(
      doc,
      { spec: { '$setElementOrder/items': [{ name: 'b' }, { name: 'a' }], items: [{ name: 'b' }, { name: 'c', $patch: 'delete' }, { name: 'a' }], nested: { $patch: 'replace', q: 1 } } },
      undefined,
      resolve,
    );
    assert.deepEqual(out, { spec: { items: [{ name: 'b' }, { name: 'a' }], nested: { q: 1 } } });
  });
});

describe('applyStrategicMergePatch with a broken schema', () => {
  it('throws a plain Error (a server bug, answered 500), not a PatchError', () => {
    const schema = { properties: { spec: { $ref: '#/components/schemas/missing' } } };
    assert.throws(
      () => applyStrategicMergePatch({ spec: { a: 1 } }, { spec: { a: 2 } }, schema, resolve),
      (e: unknown) => e instanceof Error && !(e instanceof PatchError) && /unable to resolve #\/components\/schemas\/missing/.test(e.message),
    );
  });
});
