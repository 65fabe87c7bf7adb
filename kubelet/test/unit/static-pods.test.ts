import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readStaticPods, staticPodFromManifest } from '../../src/static-pods/file-source.ts';
import { mirrorPodFor } from '../../src/static-pods/mirror-client.ts';
import { PodManager } from '../../src/pod-manager.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubelet-static-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const manifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1'] }] } };

describe('static pods', () => {
  test('file pods get the node-suffixed name, a content hash uid, the config annotations and a NoExecute toleration', () => {
    const p = staticPodFromManifest(manifest, '/m/web.yaml', 'Node-1', Date.UTC(2026, 0, 1));
    assert.equal(p.metadata.name, 'web-node-1');
    assert.equal(p.metadata.namespace, 'default');
    assert.match(p.metadata.uid!, /^[0-9a-f]{32}$/);
    assert.equal(p.metadata.annotations!['kubernetes.io/config.hash'], p.metadata.uid);
    assert.equal(p.metadata.annotations!['kubernetes.io/config.source'], 'file');
    assert.equal(p.spec.nodeName, 'Node-1');
    assert.deepEqual(p.spec.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
    // The same manifest is the same pod; an edit is another one.
    assert.equal(staticPodFromManifest(manifest, '/m/web.yaml', 'Node-1', 0).metadata.uid, p.metadata.uid);
    const edited = { ...manifest, spec: { containers: [{ ...manifest.spec.containers[0], image: 'busybox:1.36' }] } };
    assert.notEqual(staticPodFromManifest(edited, '/m/web.yaml', 'Node-1', 0).metadata.uid, p.metadata.uid);
    assert.throws(() => staticPodFromManifest({ kind: 'Deployment', metadata: { name: 'x' } }, 'f', 'n', 0), /kind "Deployment" is not Pod/);
  });

  test('the directory is read for yaml and json manifests; bad files are skipped', async () => {
    await writeFile(join(dir, 'web.yaml'), JSON.stringify(manifest));
    await writeFile(join(dir, 'db.json'), JSON.stringify({ ...manifest, metadata: { name: 'db' } }));
    await writeFile(join(dir, 'broken.yaml'), 'kind: Pod\nspec: [\n');
    await writeFile(join(dir, 'notes.txt'), 'not a manifest');
    const pods = await readStaticPods(dir, 'n1');
    assert.deepEqual(pods.map((p) => p.metadata.name), ['db-n1', 'web-n1']);
  });

  test('the mirror pod carries the mirror annotation and is owned by the Node', () => {
    const p = staticPodFromManifest(manifest, '/m/web.yaml', 'n1', 0);
    const m = mirrorPodFor(p, 'n1', 'node-uid');
    assert.equal(m.metadata.annotations!['kubernetes.io/config.mirror'], p.metadata.uid);
    assert.equal(m.metadata.uid, undefined, 'the apiserver gives the mirror its own uid');
    assert.deepEqual(m.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'node-uid', controller: true }]);
    assert.equal(m.metadata.labels!.a, 'b');
  });

  test('the pod manager tells mirror pods from pods and diffs the static set', () => {
    const pm = new PodManager();
    const p = staticPodFromManifest(manifest, '/m/web.yaml', 'n1', 0);
    assert.deepEqual(pm.setStaticPods([p]), { added: [p], removed: [] });
    const m = { ...mirrorPodFor(p, 'n1', undefined), metadata: { ...mirrorPodFor(p, 'n1', undefined).metadata, uid: 'mirror-uid' } };
    assert.equal(pm.setApiPod(m), 'mirror');
    assert.equal(pm.mirrorPod('default/web-n1')?.metadata.uid, 'mirror-uid');
    assert.equal(pm.staticPodByKey('default/web-n1'), p);
    assert.equal(pm.isStaticPod(p), true);
    assert.deepEqual(pm.setStaticPods([]), { added: [], removed: [p] });
  });
});
