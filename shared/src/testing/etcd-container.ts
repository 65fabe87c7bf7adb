// etcd in a Docker container, through testcontainers.
//
// Ryuk (testcontainers' reaper) needs an image that cannot be pulled where this runs, so it is
// off (TESTCONTAINERS_RYUK_DISABLED=true unless the caller says otherwise) and this file reaps
// its own containers instead, in three ways:
//   1. stop() removes the container;
//   2. a synchronous `docker rm -f` when the process exits without calling stop();
//   3. every start removes containers left by earlier test processes that are gone (killed by a
//      signal, where no exit hook runs): each container is labelled with its owner's host and pid.

import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { ContainerRuntimeClient } from 'testcontainers';
import type { EtcdHandle } from './etcd.ts';
import { waitForEtcdHealth } from './etcd-health.ts';
import { onProcessExit } from './exit-cleanup.ts';
import { freePort } from './free-port.ts';

type Dockerode = ContainerRuntimeClient['container']['dockerode'];

export const DEFAULT_ETCD_IMAGE = 'quay.io/coreos/etcd:v3.5.17';

const LABEL = 'org.minik8s.testing';
const LABEL_HOST = 'org.minik8s.testing.host';
const LABEL_PID = 'org.minik8s.testing.pid';

/** Thrown when no Docker engine answers: the caller may fall back quietly. */
export class DockerUnavailableError extends Error {
  override name = 'DockerUnavailableError';
}

/**
 * Starts etcd in a container from `image` (default ETCD_IMAGE, else the official image) with a
 * fixed host port on 127.0.0.1, so kill() + restart() (docker kill, docker start of the same
 * container) keep both the endpoint and the data. The image must have etcd at
 * /usr/local/bin/etcd, as the official one and deploy/images/etcd do.
 */
export async function startEtcdContainer(opts: { image?: string } = {}): Promise<EtcdHandle> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const image = opts.image ?? process.env.ETCD_IMAGE ?? DEFAULT_ETCD_IMAGE;
  const tc = await import('testcontainers');
  let docker: Dockerode;
  try {
    docker = (await tc.getContainerRuntimeClient()).container.dockerode;
  } catch (err) {
    throw new DockerUnavailableError(`no Docker engine: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  await removeOrphans(docker);

  // The host port is fixed (not Docker's pick) because Docker assigns a new one on every start.
  // freePort() can race with another process: retry with a new port when the bind fails.
  let started: Awaited<ReturnType<InstanceType<typeof tc.GenericContainer>['start']>> | undefined;
  let hostPort = 0;
  for (let attempt = 1; !started; attempt++) {
    hostPort = await freePort();
    const endpoint = `http://127.0.0.1:${hostPort}`;
    try {
      started = await new tc.GenericContainer(image)
        .withCommand([
          '/usr/local/bin/etcd',
          '--name=etcd',
          '--data-dir=/tmp/etcd-data',
          '--listen-client-urls=http://0.0.0.0:2379',
          `--advertise-client-urls=${endpoint}`,
          '--listen-peer-urls=http://127.0.0.1:2380',
          '--initial-advertise-peer-urls=http://127.0.0.1:2380',
          '--initial-cluster=etcd=http://127.0.0.1:2380',
        ])
        .withEnvironment({ ETCD_LOGGER: 'zap' })
        .withExposedPorts({ container: 2379, host: hostPort })
        .withLabels({ [LABEL]: 'etcd', [LABEL_HOST]: hostname(), [LABEL_PID]: String(process.pid) })
        .withWaitStrategy(tc.Wait.forHttp('/health', 2379).forStatusCode(200))
        .withStartupTimeout(60_000)
        .start();
    } catch (err) {
      if (attempt >= 3 || !/port is already allocated|address already in use/i.test(String(err))) throw err;
    }
  }
  const id = started.getId();
  const endpoint = `http://127.0.0.1:${hostPort}`;
  const container = docker.getContainer(id);
  const unregister = onProcessExit(() => {
    execFileSync('docker', ['rm', '-f', '-v', id], { stdio: 'ignore', timeout: 10_000 });
  });
  let stopped = false;
  const kill = async (): Promise<void> => {
    if (!(await container.inspect()).State.Running) return;
    await container.kill({ signal: 'SIGKILL' });
    // `docker kill` returns once the signal is sent; restart() needs the container stopped.
    await container.wait({ condition: 'not-running' });
  };

  return {
    endpoints: [endpoint],
    async stop() {
      if (stopped) return;
      stopped = true;
      await container.remove({ force: true, v: true }).catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404) throw err;
      });
      unregister();
    },
    kill,
    async restart() {
      if ((await container.inspect()).State.Running) await kill();
      await container.start();
      await waitForEtcdHealth(endpoint, { timeoutMs: 60_000 });
    },
  };
}

/** Removes containers of ours whose owning process on this host no longer exists. */
async function removeOrphans(docker: Dockerode): Promise<void> {
  const host = hostname();
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL}=etcd`, `${LABEL_HOST}=${host}`] } });
  await Promise.all(
    list
      .filter((c) => !processExists(Number(c.Labels[LABEL_PID])))
      .map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})),
  );
}

function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
