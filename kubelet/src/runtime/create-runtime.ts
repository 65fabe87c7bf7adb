// Picks and builds the container runtime from --container-runtime: `auto` takes docker when its
// Engine answers on the socket, else process.

import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KubeletConfig } from '../config.ts';
import { DockerClient } from './docker/docker-client.ts';
import { DockerRuntime } from './docker/docker-runtime.ts';
import { FakeRuntime } from './fake/fake-runtime.ts';
import type { RuntimeService } from './interface.ts';
import { ProcessRuntime } from './process/process-runtime.ts';

export async function dockerAnswers(socketPath: string): Promise<boolean> {
  const client = new DockerClient(socketPath);
  try {
    await client.ping(2_000);
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

export async function createRuntime(config: KubeletConfig, logger?: Logger): Promise<RuntimeService> {
  let kind = config.containerRuntime;
  if (kind === 'auto') {
    kind = (await dockerAnswers(config.dockerEndpoint)) ? 'docker' : 'process';
    logger?.info({ runtime: kind }, `--container-runtime=auto chose ${kind}`);
  }
  if (kind === 'fake') return new FakeRuntime();
  if (kind === 'docker') {
    return new DockerRuntime({
      client: new DockerClient(config.dockerEndpoint),
      nodeName: config.nodeName,
      sandboxImage: config.podInfraContainerImage,
      logger,
    });
  }
  const runtime = new ProcessRuntime({
    stateDir: join(config.rootDir, 'process-runtime'),
    hostIP: config.nodeIP,
    podDir: (uid) => join(config.rootDir, 'pods', uid),
  });
  const killed = await runtime.killLeftovers();
  if (killed) logger?.info({ killed }, 'killed containers a previous kubelet left running');
  return runtime;
}
