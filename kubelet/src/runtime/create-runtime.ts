// Picks and builds the container runtime from --container-runtime: `auto` takes docker when its
// Engine answers on the socket, else process.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KubeletConfig } from '../config.ts';
import { DockerClient } from './docker/docker-client.ts';
import { DockerRuntime } from './docker/docker-runtime.ts';
import { FakeRuntime } from './fake/fake-runtime.ts';
import type { RuntimeService } from './interface.ts';
import { BridgeNetwork, parseCIDR } from './process/bridge-network.ts';
import { ProcessRuntime } from './process/process-runtime.ts';

/**
 * Pod IPs for the fake runtime: from the node's podCIDR when it has one, else from a /24 of
 * 10.88.0.0/16 picked by the node name, so hollow nodes hand out distinct addresses.
 */
export function fakePodIPs(nodeName: string, podCIDR: () => string | undefined): (n: number) => string {
  const subnet = parseInt(createHash('sha256').update(nodeName).digest('hex').slice(0, 4), 16) % 256;
  return (n) => {
    const cidr = podCIDR();
    if (cidr) {
      const { first, last } = parseCIDR(cidr);
      const v = first + (n % (last - first + 1));
      return [24, 16, 8, 0].map((sh) => Math.floor(v / 2 ** sh) % 256).join('.');
    }
    return `10.88.${subnet}.${(n % 250) + 2}`;
  };
}

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
  if (kind === 'fake') return new FakeRuntime({ podIP: fakePodIPs(config.nodeName, podCIDR) });
  if (kind === 'docker') {
    return new DockerRuntime({
      client: new DockerClient(config.dockerEndpoint),
      nodeName: config.nodeName,
      sandboxImage: config.podInfraContainerImage,
      network: config.dockerNetwork,
      logger,
    });
  }
  const stateDir = join(config.rootDir, 'process-runtime');
  let network: BridgeNetwork | undefined;
  if (config.podNetwork !== 'host') {
    if (BridgeNetwork.supported()) network = new BridgeNetwork({ nodeName: config.nodeName, podCIDR, stateDir, logger });
    else if (config.podNetwork === 'bridge') logger?.warn('--pod-network=bridge needs root on Linux: every pod uses the host network instead');
  }
  const runtime = new ProcessRuntime({ stateDir, hostIP: config.nodeIP, podDir: (uid) => join(config.rootDir, 'pods', uid), network });
  const killed = await runtime.killLeftovers();
  if (killed) logger?.info({ killed }, 'killed containers a previous kubelet left running');
  // Namespaces, veths and the bridge of a kubelet that died without cleaning up.
  await network?.close();
  return runtime;
}
