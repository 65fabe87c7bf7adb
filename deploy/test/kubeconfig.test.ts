// deploy/kubeconfig (the README's `export KUBECONFIG=$PWD/deploy/kubeconfig` for docker compose)
// is the kubeconfig the launcher generates, for the apiserver port compose publishes by default.
// The compose test itself writes one for its free port with the same writeKubeconfig().

import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { writeKubeconfig } from '../src/kubeconfig.ts';
import { REPO_ROOT } from '../src/paths.ts';

it('deploy/kubeconfig is the generated kubeconfig for localhost:8080, the port compose publishes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'minik8s-kubeconfig-'));
  try {
    const generated = parse(readFileSync(await writeKubeconfig(join(dir, 'kubeconfig'), 'http://127.0.0.1:8080'), 'utf8'));
    const committed = parse(readFileSync(join(REPO_ROOT, 'deploy', 'kubeconfig'), 'utf8'));
    assert.deepEqual(committed, generated);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'));
  assert.deepEqual(compose.services['kube-apiserver'].ports, ['${APISERVER_PORT:-8080}:8080']);
  assert.ok(compose.services['kube-apiserver'].command.includes('--insecure-port=8080'));
});
