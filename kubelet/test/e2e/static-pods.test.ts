// Static pods with a real apiserver + etcd + kubelet: a manifest in --pod-manifest-path runs and
// appears as the mirror pod `<name>-<node>`; deleting the mirror pod does nothing to the pod
// (the mirror comes back); removing the file stops the pod and removes the mirror. Static pods
// run without an apiserver; their mirror pods appear once it answers.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@minik8s/shared/testing';
import { containerStatus, kubeletGet, startCluster, type KubeletProcess, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;
let kubelet: KubeletProcess;
let manifests: string;
const NODE = 'node-s';

before(async () => {
  cluster = await startCluster();
  manifests = join(cluster.dir, 'manifests');
  await mkdir(manifests, { recursive: true });
  kubelet = await cluster.startKubelet(NODE, [`--pod-manifest-path=${manifests}`, '--file-check-frequency=500ms']);
});

after(async () => {
  await cluster?.stop();
});

/** Whether the process runs (a zombie waiting to be reaped does not). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('static pods', () => {
  test('a manifest runs as a static pod with a mirror pod; the mirror cannot be deleted; removing the file stops it', async () => {
    const file = join(manifests, 'static-web.yaml');
    await writeFile(
      file,
      ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: static-web', '  labels:', '    role: web', 'spec:', '  containers:', '  - name: web', '    image: busybox', '    command: ["sh", "-c", "echo pid=$$$$; exec sleep 1000"]', ''].join('\n'),
    );
    const name = `static-web-${NODE}`;
    const mirror = await waitFor(async () => {
      const p = await cluster.getPod('default', name);
      return p?.status?.phase === 'Running' ? p : undefined;
    }, { timeoutMs: 20_000, message: 'the mirror pod never showed the static pod Running' });
    const ann = mirror.metadata.annotations ?? {};
    assert.equal(ann['kubernetes.io/config.source'], 'file');
    assert.ok(ann['kubernetes.io/config.mirror'], 'mirror annotation');
    assert.equal(ann['kubernetes.io/config.mirror'], ann['kubernetes.io/config.hash']);
    assert.equal(mirror.spec.nodeName, NODE);
    assert.equal(mirror.metadata.labels?.role, 'web');
    assert.deepEqual(mirror.metadata.ownerReferences?.map((o) => [o.kind, o.name]), [['Node', NODE]]);
    const containerID = containerStatus(mirror, 'web')!.containerID;

    const logs = await waitFor(async () => {
      const r = await kubeletGet(kubelet.port, `/containerLogs/default/${name}/web`);
      return /pid=\d+/.test(r.text) ? r.text : undefined;
    }, { timeoutMs: 10_000, message: 'no pid in the log' });
    const pid = Number(/pid=(\d+)/.exec(logs)![1]);

    // Deleting the mirror pod: a new mirror appears, and the pod's container is the same one.
    await cluster.client.delete('pods', name, { namespace: 'default' });
    const again = await waitFor(async () => {
      const p = await cluster.getPod('default', name);
      return p && p.metadata.uid !== mirror.metadata.uid && !p.metadata.deletionTimestamp && p.status?.phase === 'Running' ? p : undefined;
    }, { timeoutMs: 20_000, message: 'the mirror pod was not recreated' });
    assert.equal(containerStatus(again, 'web')!.containerID, containerID, 'the static pod kept running');
    assert.equal(containerStatus(again, 'web')!.restartCount, 0);
    assert.ok(isAlive(pid));

    // Removing the manifest stops the pod and deletes its mirror.
    await rm(file);
    await waitFor(() => !isAlive(pid), { timeoutMs: 20_000, message: 'the static pod still runs' });
    await waitFor(async () => (await cluster.getPod('default', name)) === undefined, { timeoutMs: 20_000, message: 'the mirror pod is still there' });
  });

  test('a static pod runs while the apiserver is down; its mirror pod appears once it answers', async () => {
    const dir = join(cluster.dir, 'manifests-offline');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'offline.yaml'),
      ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: offline', 'spec:', '  containers:', '  - name: web', '    image: busybox', '    command: ["sh", "-c", "echo pid=$$$$; exec sleep 1000"]', ''].join('\n'),
    );
    const NODE_O = 'node-o';
    const name = `offline-${NODE_O}`;
    let pid: number;
    await cluster.apiserver.kill();
    try {
      // The kubelet cannot register its Node, yet runs the manifest: its own API shows the log.
      const k = await cluster.startKubelet(NODE_O, [`--pod-manifest-path=${dir}`, '--file-check-frequency=500ms'], { waitReady: false });
      const logs = await waitFor(async () => {
        const r = await kubeletGet(k.port, `/containerLogs/default/${name}/web`);
        return /pid=\d+/.test(r.text) ? r.text : undefined;
      }, { timeoutMs: 20_000, message: `the static pod never ran without the apiserver\n${k.logs()}` });
      pid = Number(/pid=(\d+)/.exec(logs)![1]);
      assert.ok(isAlive(pid));
    } finally {
      await cluster.apiserver.restart();
    }
    // Once the apiserver answers: the Node registers, and the mirror pod (owned by it) shows the
    // very process that ran meanwhile.
    const mirror = await waitFor(async () => {
      const p = await cluster.getPod('default', name);
      return p?.status?.phase === 'Running' ? p : undefined;
    }, { timeoutMs: 30_000, message: 'the mirror pod never showed the static pod Running' });
    const node = await cluster.client.get('nodes', NODE_O);
    assert.deepEqual(mirror.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid]), [['Node', NODE_O, node.metadata.uid]]);
    assert.equal(containerStatus(mirror, 'web')!.restartCount, 0);
    assert.ok(isAlive(pid), 'the same process still runs');
  });
});
