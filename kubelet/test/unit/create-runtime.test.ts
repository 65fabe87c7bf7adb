// --container-runtime=auto: docker when the Engine answers on --container-runtime-endpoint,
// else the process runtime. The docker case needs a Docker Engine on /var/run/docker.sock and
// is skipped without one.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_CONFIG, type KubeletConfig } from '../../src/config.ts';
import { createRuntime, dockerAnswers } from '../../src/runtime/create-runtime.ts';

const DOCKER_SOCKET = '/var/run/docker.sock';
const hasDocker = await dockerAnswers(DOCKER_SOCKET);
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubelet-create-runtime-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function config(dockerEndpoint: string): KubeletConfig {
  return { ...DEFAULT_CONFIG, nodeName: 'node-auto', hostname: 'node-auto', nodeIP: '127.0.0.1', containerRuntime: 'auto', dockerEndpoint, rootDir: dir, podLogsDir: join(dir, 'logs') };
}

test('auto picks the process runtime when no Docker Engine answers on the endpoint', async () => {
  const runtime = await createRuntime(config(join(dir, 'no-docker.sock')));
  try {
    assert.equal(runtime.type, 'process');
  } finally {
    await runtime.close();
  }
});

test('auto picks the docker runtime when the Docker Engine answers', { skip: !hasDocker && `no Docker Engine on ${DOCKER_SOCKET}` }, async () => {
  const runtime = await createRuntime(config(DOCKER_SOCKET));
  try {
    assert.equal(runtime.type, 'docker');
    assert.equal((await runtime.version()).runtimeName, 'docker');
  } finally {
    await runtime.close();
  }
});
