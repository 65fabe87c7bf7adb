// kubectl rollout history / undo for DaemonSets and StatefulSets, which read the
// ControllerRevisions the controllers keep: the real kubectl against a whole cluster from the
// local launcher (apiserver, scheduler, controller manager, one hollow node on the fake runtime,
// whose pods run without processes).
//
// kubectl lists the parent's revisions by its selector and owner, prints a revision's template
// by applying its data (a strategic merge patch replacing spec.template) to the parent, and
// undoes by PATCHing the parent with that data. The controllers then renumber the revision the
// template went back to, so history after an undo shows it as the newest number.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl, startEtcd, waitFor, type EtcdHandle, type KubectlResult } from '@minik8s/shared/testing';
import { startLocalCluster, type LocalCluster } from '../../../deploy/src/index.ts';

let etcd: EtcdHandle | undefined;
let cluster: LocalCluster;
let dataDir: string;

async function run(args: string[], input?: object): Promise<KubectlResult> {
  return kubectl(args, { kubeconfig: cluster.kubeconfig, input: input === undefined ? undefined : JSON.stringify(input) });
}

async function ok(args: string[], input?: object): Promise<string> {
  const r = await run(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

/** The `REVISION  CHANGE-CAUSE` rows (kubectl 1.32 prints both columns for both kinds) as arrays of cells. */
function historyRows(out: string): string[][] {
  const lines = out.split('\n').map((l) => l.trim()).filter(Boolean);
  const header = lines.findIndex((l) => l.startsWith('REVISION'));
  assert.ok(header >= 0, `no REVISION header:\n${out}`);
  return lines.slice(header + 1).map((l) => l.split(/\s+/));
}

/** Waits until the parent's template and every live pod of `app` run `image`, all Ready. */
async function waitForImage(ns: string, kind: string, name: string, app: string, image: string, pods: number): Promise<void> {
  await waitFor(
    async () => {
      const parent = JSON.parse(await ok(['get', kind, name, '-n', ns, '-o', 'json']));
      if (parent.spec.template.spec.containers[0].image !== image) return false;
      const list = JSON.parse(await ok(['get', 'pods', '-n', ns, '-l', `app=${app}`, '-o', 'json'])).items;
      const live = list.filter((p: any) => !p.metadata.deletionTimestamp);
      const ready = (p: any) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
      return live.length === pods && live.every((p: any) => p.spec.containers[0].image === image && ready(p));
    },
    { timeoutMs: 90_000, intervalMs: 500, message: `${kind}/${name} and its ${pods} pods running ${image}` },
  );
}

function template(app: string, image: string): object {
  return {
    metadata: { labels: { app } },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image, command: ['sleep', '3600'] }] },
  };
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'minik8s-rollout-history-'));
  etcd = await startEtcd();
  cluster = await startLocalCluster({
    dataDir,
    apiserverPort: 0,
    ports: 'free',
    etcdEndpoints: etcd.endpoints,
    runtime: 'fake',
    nodes: 1,
    schedulers: 1,
    controllerManagers: 1,
  });
  assert.deepEqual(
    cluster.missing.map((m) => `${m.kind}: ${m.main} ${m.reason}`),
    [],
    'every component must start',
  );
  await ok(['create', '-f', '-'], { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'history' } });
});

after(async () => {
  await cluster?.stop();
  await etcd?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('kubectl rollout history and undo', { timeout: 300_000 }, () => {
  it('daemonset: history lists revisions, --revision shows a template, undo brings the old image back', async () => {
    const ns = 'history';
    await ok(['create', '-n', ns, '-f', '-'], {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent', 'busybox:1.36') },
    });
    await waitForImage(ns, 'daemonset', 'agent', 'agent', 'busybox:1.36', 1);
    // A revision keeps the annotations its parent had when it was written: CHANGE-CAUSE.
    await ok(['annotate', 'daemonset/agent', 'kubernetes.io/change-cause=set-1.37', '-n', ns]);
    await ok(['set', 'image', 'daemonset/agent', 'app=busybox:1.37', '-n', ns]);
    await waitForImage(ns, 'daemonset', 'agent', 'agent', 'busybox:1.37', 1);

    const history = await ok(['rollout', 'history', 'daemonset/agent', '-n', ns]);
    assert.match(history, /^daemonset\.apps\/agent\s*$/m);
    assert.deepEqual(historyRows(history), [
      ['1', '<none>'],
      ['2', 'set-1.37'],
    ]);
    const rev1 = await ok(['rollout', 'history', 'daemonset/agent', '-n', ns, '--revision=1']);
    assert.match(rev1, /^daemonset\.apps\/agent with revision #1$/m);
    assert.match(rev1, /^\s+Image:\s+busybox:1\.36$/m);
    assert.doesNotMatch(rev1, /busybox:1\.37/);
    assert.match(await ok(['rollout', 'history', 'daemonset/agent', '-n', ns, '--revision=2']), /^\s+Image:\s+busybox:1\.37$/m);
    const missing = await run(['rollout', 'history', 'daemonset/agent', '-n', ns, '--revision=9']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /unable to find the specified revision/);

    assert.match(await ok(['rollout', 'undo', 'daemonset/agent', '-n', ns]), /^daemonset\.apps\/agent rolled back$/m);
    await waitForImage(ns, 'daemonset', 'agent', 'agent', 'busybox:1.36', 1);
    // Revision 1 is the newest again, as number 3; no new revision was written.
    await waitFor(async () => JSON.stringify(historyRows(await ok(['rollout', 'history', 'daemonset/agent', '-n', ns]))) === JSON.stringify([['2', 'set-1.37'], ['3', '<none>']]), {
      timeoutMs: 30_000,
      message: 'history 2, 3 after the undo',
    });
    assert.match(await ok(['rollout', 'history', 'daemonset/agent', '-n', ns, '--revision=3']), /^\s+Image:\s+busybox:1\.36$/m);

    assert.match(await ok(['rollout', 'undo', 'daemonset/agent', '-n', ns, '--to-revision=2']), /rolled back/);
    await waitForImage(ns, 'daemonset', 'agent', 'agent', 'busybox:1.37', 1);
    const bad = await run(['rollout', 'undo', 'daemonset/agent', '-n', ns, '--to-revision=9']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unable to find specified revision 9 in history/);

    // kubectl get shows the revisions with their controller.
    const table = await ok(['get', 'controllerrevisions', '-n', ns, '-l', 'app=agent']);
    assert.match(table, /^NAME\s+CONTROLLER\s+REVISION\s+AGE$/m);
    assert.match(table, /^agent-\S+\s+daemonset\.apps\/agent\s+4\s+\S+$/m);
  });

  it('statefulset: history lists revisions, --revision shows a template, undo brings the old image back', async () => {
    const ns = 'history';
    await ok(['create', '-n', ns, '-f', '-'], {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: { replicas: 2, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: template('web', 'busybox:1.36') },
    });
    await waitForImage(ns, 'statefulset', 'web', 'web', 'busybox:1.36', 2);
    await ok(['set', 'image', 'statefulset/web', 'app=busybox:1.37', '-n', ns]);
    await waitForImage(ns, 'statefulset', 'web', 'web', 'busybox:1.37', 2);

    const history = await ok(['rollout', 'history', 'statefulset/web', '-n', ns]);
    assert.match(history, /^statefulset\.apps\/web\s*$/m);
    assert.deepEqual(historyRows(history), [
      ['1', '<none>'],
      ['2', '<none>'],
    ]);
    const rev1 = await ok(['rollout', 'history', 'statefulset/web', '-n', ns, '--revision=1']);
    assert.match(rev1, /^statefulset\.apps\/web with revision #1$/m);
    assert.match(rev1, /^\s+Image:\s+busybox:1\.36$/m);
    assert.doesNotMatch(rev1, /busybox:1\.37/);

    assert.match(await ok(['rollout', 'undo', 'statefulset/web', '-n', ns]), /^statefulset\.apps\/web rolled back$/m);
    await waitForImage(ns, 'statefulset', 'web', 'web', 'busybox:1.36', 2);
    await waitFor(async () => JSON.stringify(historyRows(await ok(['rollout', 'history', 'statefulset/web', '-n', ns]))) === JSON.stringify([['2', '<none>'], ['3', '<none>']]), {
      timeoutMs: 30_000,
      message: 'history 2, 3 after the undo',
    });
    await waitFor(async () => {
      const s = JSON.parse(await ok(['get', 'statefulset', 'web', '-n', ns, '-o', 'json'])).status;
      return s.currentRevision === s.updateRevision && s.updatedReplicas === 2;
    }, { timeoutMs: 30_000, message: 'rollback complete in status' });
    const revisions = JSON.parse(await ok(['get', 'controllerrevisions', '-n', ns, '-l', 'app=web', '-o', 'json'])).items;
    const current = revisions.find((r: any) => r.revision === 3);
    assert.ok(current, 'revision 3 exists');
    assert.equal(current.data.spec.template.spec.containers[0].image, 'busybox:1.36');

    assert.match(await ok(['rollout', 'undo', 'statefulset/web', '-n', ns, '--to-revision=2']), /rolled back/);
    await waitForImage(ns, 'statefulset', 'web', 'web', 'busybox:1.37', 2);
  });
});
