// startApiserver runs the real apiserver process; kubectl (the real binary) talks to it through
// writeKubeconfig's config; restart() keeps the port.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl, startApiserver, startEtcd, writeKubeconfig, type ApiserverHandle, type EtcdHandle } from '../../src/testing/index.ts';

const kubectlBin = process.env.KUBECTL ?? '/usr/bin/kubectl';

describe('startApiserver', () => {
  let etcd: EtcdHandle;
  let api: ApiserverHandle;
  let dir: string;
  before(async () => {
    etcd = await startEtcd();
    api = await startApiserver({ etcdServers: etcd.endpoints });
    dir = await mkdtemp(join(tmpdir(), 'minik8s-kubectl-'));
  });
  after(async () => {
    await api?.stop();
    await etcd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves /readyz on the port it reports', async () => {
    assert.equal(api.url, `http://127.0.0.1:${api.port}`);
    const res = await fetch(`${api.url}/readyz`);
    assert.equal(res.status, 200);
    assert.ok(api.process.pid);
  });

  it('is usable by the real kubectl through writeKubeconfig', { skip: existsSync(kubectlBin) ? false : `no kubectl at ${kubectlBin}` }, async () => {
    const kubeconfig = await writeKubeconfig(api.url, dir);
    const created = await kubectl(['create', '-f', '-'], {
      kubeconfig,
      input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-kubectl' }, data: { a: 'b' } }),
    });
    assert.equal(created.code, 0, created.stderr);
    const got = await kubectl(['get', 'configmap', 'from-kubectl', '-o', 'jsonpath={.data.a}'], { kubeconfig });
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout, 'b');
    const missing = await kubectl(['get', 'configmap', 'nope'], { kubeconfig });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NotFound/);
  });

  it('restarts on the same port and keeps its output in logs()', async () => {
    const { port } = api;
    const firstPid = api.process.pid;
    await api.restart();
    assert.equal(api.port, port);
    assert.notEqual(api.process.pid, firstPid);
    assert.equal((await fetch(`${api.url}/readyz`)).status, 200);
    assert.equal((api.logs().match(/--- .* starting: node apiserver\/src\/main\.ts/g) ?? []).length, 2);
  });

  it('rejects with the output when the apiserver cannot start', async () => {
    await assert.rejects(startApiserver({ etcdServers: etcd.endpoints, args: ['--no-such-flag'], readyTimeoutMs: 10_000 }), /no-such-flag/);
  });
});
