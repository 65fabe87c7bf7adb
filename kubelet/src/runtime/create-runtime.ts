// Picks and builds the container runtime from --container-runtime: `auto` takes docker when its
// Engine answers on the socket, else process.

import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KubeletConfig } from '../config.ts';
import { DockerClient } from './docker/docker-client.ts';
import { DockerRuntime } from './docker/docker-runtime.ts';
import { FakeRuntime } from './fake/fake-runtime.ts';
import type { RuntimeService } from './interface.ts';
import { BridgeNetwork } from './process/bridge-network.ts';
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

/**
 * `podCIDR` tells the process runtime's bridge network the node's pod CIDR once known (the
 * Node's spec.podCIDR, else --pod-cidr).
 */
export async function createRuntime(config: KubeletConfig, logger?: Logger, podCIDR: () => string | undefined = () => config.podCIDR): Promise<RuntimeService> {
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
  const stateDir = join(config.rootDir, 'process-runtime');
  let network: BridgeNetwork | undefined;
  if (config.podNetwork === 'bridge') {
    if (BridgeNetwork.supported()) network = new BridgeNetwork({ nodeName: config.nodeName, podCIDR, stateDir, logger });
    else logger?.warn('--pod-network=bridge needs root on Linux: every pod uses the host network instead');
  }
  const runtime = new ProcessRuntime({ stateDir, hostIP: config.nodeIP, podDir: (uid) => join(config.rootDir, 'pods', uid), network });
  const killed = await runtime.killLeftovers();
  if (killed) logger?.info({ killed }, 'killed containers a previous kubelet left running');
  // Namespaces, veths and the bridge of a kubelet that died without cleaning up.
  await network?.close();
  return runtime;
}
