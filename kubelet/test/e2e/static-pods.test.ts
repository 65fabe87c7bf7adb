// Static pods with a real apiserver + etcd + kubelet: a manifest in --pod-manifest-path runs and
// appears as the mirror pod `<name>-<node>`; deleting the mirror pod does nothing to the pod
// (the mirror comes back); removing the file stops the pod and removes the mirror.

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
});
