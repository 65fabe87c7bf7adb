// startEtcd gives a real etcd that survives kill() + restart() with its data, on the same endpoint.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Etcd3 } from 'etcd3';
import { findEtcdBinary, startEtcd, startEtcdProcess, waitFor, type EtcdHandle } from '../../src/testing/index.ts';

const etcdBin = findEtcdBinary();

const starters: Array<[string, () => Promise<EtcdHandle>, string | false]> = [
  ['startEtcd() (the environment\'s choice)', startEtcd, false],
  ['startEtcdProcess (a local binary)', () => startEtcdProcess({ bin: etcdBin as string }), etcdBin ? false : 'no etcd binary on PATH (ETCD_BIN)'],
];

for (const [name, start, skip] of starters) {
  describe(name, { skip }, () => {
    it('keeps a key across kill and restart on the same endpoint', async () => {
      const etcd = await start();
      let client: Etcd3 | undefined;
      try {
        assert.ok(etcd.endpoints.length > 0);
        client = new Etcd3({ hosts: etcd.endpoints });
        const key = `/minik8s-test/${process.pid}-${Date.now()}`;
        await client.put(key).value('before-kill');
        assert.equal(await client.get(key).string(), 'before-kill');

        const endpointsBefore = [...etcd.endpoints];
        await etcd.kill();
        await assert.rejects(fetch(`${etcd.endpoints[0]}/health`, { signal: AbortSignal.timeout(2_000) }), 'etcd answers after kill()');

        await etcd.restart();
        assert.deepEqual(etcd.endpoints, endpointsBefore);
        // The client reconnects on its own; its first calls may still see the dead connection.
        const value = await waitFor(() => client!.get(key).string(), { timeoutMs: 30_000, message: 'key readable after restart' });
        assert.equal(value, 'before-kill');
      } finally {
        client?.close();
        await etcd.stop();
      }
      await assert.rejects(fetch(`${etcd.endpoints[0]}/health`, { signal: AbortSignal.timeout(2_000) }), 'etcd answers after stop()');
    });
  });
}

describe('startEtcd() with no etcd anywhere', () => {
  it('rejects with a message saying what to install or set', async () => {
    // A child process, so this one's environment and caches stay as they are: no ETCD_ENDPOINTS,
    // an ETCD_BIN that does not exist, and an image no registry has (or no Docker at all).
    const etcdModule = new URL('../../src/testing/etcd.ts', import.meta.url).href;
    const script = `import { startEtcd } from ${JSON.stringify(etcdModule)};
      try { await startEtcd(); console.log('STARTED'); process.exit(2); }
      catch (e) { console.log(e.message); process.exit(0); }`;
    const env: Record<string, string | undefined> = { ...process.env, ETCD_BIN: '/nonexistent/etcd', ETCD_IMAGE: 'minik8s.invalid/no-such-etcd:none' };
    delete env.ETCD_ENDPOINTS;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env, timeout: 120_000 });
    assert.match(stdout, /^startEtcd: no etcd to test against\./);
    for (const hint of ['Docker engine', 'ETCD_IMAGE', 'apt-get install etcd-server', 'ETCD_BIN', 'ETCD_ENDPOINTS']) assert.ok(stdout.includes(hint), `names ${hint}: ${stdout}`);
  });
});
