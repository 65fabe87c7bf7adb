// docker-compose.yml end to end: build the components' image, bring the whole cluster up
// (etcd, apiserver, 2 schedulers, 2 controller-managers, 2 nodes of kubelet on the docker
// runtime + kube-proxy), run the kubectl part of the README scenario from this machine, tear
// it all down.
//
// Images come from the environment as for a user: NODE_IMAGE (base of deploy/Dockerfile),
// ETCD_IMAGE, and the pods' `busybox`. Where nothing can be pulled, build them first:
//   deploy/images/node/build.sh && deploy/images/etcd/build.sh && deploy/images/busybox/build.sh
//   NODE_IMAGE=minik8s/node:local ETCD_IMAGE=minik8s/etcd:local pnpm run test:compose
// No Docker engine or no Compose is a failure that says what to install, never a skip.
//
// The project has its own name, network and host ports (a free apiserver port and two free
// ranges for the nodes' NodePorts), so it runs beside a developer's own `docker compose up`.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@minik8s/shared/testing';
import { writeKubeconfig } from '../../../deploy/src/kubeconfig.ts';
import { freePort, isPortFree } from '../../../deploy/src/ports.ts';
import { ComposeProject, findCompose, runCommand } from './compose-project.ts';
import * as steps from '../scenario/readme-steps.ts';

const SERVICES = [
  'etcd',
  'kube-apiserver',
  'kube-scheduler-1',
  'kube-scheduler-2',
  'kube-controller-manager-1',
  'kube-controller-manager-2',
  'kubelet-1',
  'kubelet-2',
  'kube-proxy-1',
  'kube-proxy-2',
];
/** NodePorts the compose apiserver hands out (--service-node-port-range). */
const NODE_PORT_MIN = 30000;
const NODE_PORT_COUNT = 10;

const name = `minik8s-e2e-${process.pid}`;
let project: ComposeProject | undefined;
let dir: string;
let target: steps.ScenarioTarget;
let nodePortBases: [number, number];
let upError: Error | undefined;

/** `count` consecutive ports free on every interface, from a random start in 20000-28999. */
async function freeRange(count: number, avoid: number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 900) * 10;
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.some((p) => avoid.includes(p))) continue;
    if ((await Promise.all(ports.map((p) => isPortFree(p)))).every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'minik8s-compose-'));
  const compose = await findCompose();
  const apiserverPort = await freePort('0.0.0.0');
  const base1 = await freeRange(NODE_PORT_COUNT, [apiserverPort]);
  const base2 = await freeRange(NODE_PORT_COUNT, [apiserverPort, ...Array.from({ length: NODE_PORT_COUNT }, (_, i) => base1 + i)]);
  nodePortBases = [base1, base2];
  const range = (b: number) => `${b}-${b + NODE_PORT_COUNT - 1}`;
  project = new ComposeProject(compose, name, {
    APISERVER_PORT: String(apiserverPort),
    NODE1_NODEPORTS: range(base1),
    NODE2_NODEPORTS: range(base2),
    MINIK8S_NETWORK: name,
  });
  const kubeconfig = await writeKubeconfig(join(dir, 'kubeconfig'), `http://127.0.0.1:${apiserverPort}`);
  // Each node publishes its NodePorts 30000-30009 on its own host range.
  target = { kubeconfig, nodePortUrls: async (p) => nodePortBases.map((b) => `http://127.0.0.1:${b + p - NODE_PORT_MIN}`) };

  const up = await project.run(['up', '--build', '-d'], 900_000);
  if (up.code !== 0) {
    upError = new Error(
      `compose up --build failed (exit ${up.code}). Without a registry, build the local images first and point compose at them: ` +
        'deploy/images/node/build.sh; deploy/images/etcd/build.sh; deploy/images/busybox/build.sh; ' +
        `export NODE_IMAGE=minik8s/node:local ETCD_IMAGE=minik8s/etcd:local (now NODE_IMAGE=${process.env.NODE_IMAGE ?? '(unset)'}, ETCD_IMAGE=${process.env.ETCD_IMAGE ?? '(unset)'})\n` +
        `${up.stdout.slice(-3000)}\n${up.stderr.slice(-3000)}\n${await describeUnhealthy(project)}`,
    );
  }
});

/** The services that are not running and healthy, each with the end of its logs. */
async function describeUnhealthy(p: ComposeProject): Promise<string> {
  const cs = await p.containers();
  const bad = SERVICES.filter((s) => !(cs.get(s)?.state === 'running' && cs.get(s)?.health === 'healthy'));
  const details = await Promise.all(bad.map(async (s) => `--- ${s}: ${JSON.stringify(cs.get(s) ?? 'no container')}\n${await p.logs(s, 25)}`));
  return bad.length === 0 ? 'every service is healthy' : `not healthy: ${bad.join(', ')}\n${details.join('\n')}`;
}

after(async () => {
  if (project) {
    // Delete the workloads first, so the kubelets stop their pod containers themselves.
    await steps.run(target, ['delete', 'deployment,service,pod', '--all', '--wait=false'], { timeoutMs: 30_000 }).catch(() => {});
    await waitFor(async () => (await steps.run(target, ['get', 'pods', '--no-headers'], { timeoutMs: 10_000 })).stdout.trim() === '', { timeoutMs: 60_000, intervalMs: 1_000 }).catch(() => {});
    const left = await project.down(name);
    if (left.length > 0) process.stderr.write(`compose test: containers left after down: ${left.join(' ')}\n`);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

function requireUp(): void {
  if (upError) throw upError;
}

describe('docker compose: the README cluster in containers', () => {
  it('brings every service up healthy', async () => {
    requireUp();
    const p = project as ComposeProject;
    try {
      await waitFor(
        async () => {
          const cs = await p.containers();
          return SERVICES.every((s) => cs.get(s)?.state === 'running' && cs.get(s)?.health === 'healthy');
        },
        { timeoutMs: 180_000, intervalMs: 1_000, message: 'not every service became healthy' },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}: ${await describeUnhealthy(p)}`, { cause: err });
    }
  });

  it('shows both nodes Ready to the host kubectl', async () => {
    requireUp();
    await waitFor(
      async () => {
        const out = await steps.ok(target, ['get', 'nodes', '--no-headers']);
        return out.split('\n').filter((l) => /^node-[12]\s+Ready\s/.test(l)).length === 2;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, message: '`kubectl get nodes` never showed node-1 and node-2 Ready' },
    );
  });

  it('runs the seed 001 busybox pod in a container: Running, and `kubectl logs` shows the dots', async () => {
    requireUp();
    await steps.createBusyboxAndWaitRunning(target, 120_000);
    await steps.waitForDots(target, 30_000);
  });

  it('`kubectl run` with args only runs them in busybox, which has no entrypoint', async () => {
    requireUp();
    assert.equal(await steps.runHello(target, 60_000), 'hello\n');
  });

  let nodePort = 0;
  it('rolls out 3 replicas, exposes them as a NodePort reachable on both nodes, scales and rolls out again', async () => {
    requireUp();
    await steps.createWebAndRollOut(target, 120_000);
    nodePort = await steps.exposeWeb(target);
    assert.ok(nodePort >= NODE_PORT_MIN && nodePort < NODE_PORT_MIN + NODE_PORT_COUNT, `nodePort ${nodePort} in the published range`);
    assert.equal((await steps.reachEveryPod(target, nodePort, 'hello', 90_000)).size, 3);
    await steps.scaleWeb(target, 4, 120_000);
    assert.equal((await steps.reachEveryPod(target, nodePort, 'hello', 90_000)).size, 4);
    await steps.rollOutMessage(target, 'v2', 120_000);
    await steps.reachEveryPod(target, nodePort, 'v2', 90_000);
  });

  it('elects one leader per Lease and fails over when the leading scheduler container stops', async () => {
    requireUp();
    const p = project as ComposeProject;
    const holders = await waitFor(
      async () => {
        const h = await steps.leaseHolders(target);
        return h.get('kube-scheduler') && h.get('kube-controller-manager') ? h : false;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'the scheduler and controller-manager Leases never both had a holder' },
    );
    // The container's hostname starts the holder identity: kube-scheduler-1_<uuid>.
    const leader = /^(kube-scheduler-[12])_/.exec(holders.get('kube-scheduler') ?? '')?.[1];
    assert.ok(leader, `holder ${holders.get('kube-scheduler')} names its container`);
    assert.match(holders.get('kube-controller-manager') ?? '', /^kube-controller-manager-[12]_/);
    const standby = leader === 'kube-scheduler-1' ? 'kube-scheduler-2' : 'kube-scheduler-1';
    await p.ok(['stop', leader]);
    await waitFor(async () => ((await steps.leaseHolders(target)).get('kube-scheduler') ?? '').startsWith(`${standby}_`), {
      timeoutMs: 45_000,
      intervalMs: 500,
      message: `${standby} never took the scheduler Lease over`,
    });
    await steps.ok(target, ['run', 'after-failover', '--image=busybox', '--restart=Never', '--command', '--', 'sleep', '1000']);
    await waitFor(async () => (await steps.ok(target, ['get', 'pod', 'after-failover', '-o', 'jsonpath={.spec.nodeName}'])).trim(), {
      timeoutMs: 30_000,
      message: 'the new leader never scheduled a pod',
    });
  });

  it('keeps the pods in etcd under /registry/pods/default (etcdctl in the etcd container)', async () => {
    requireUp();
    const p = project as ComposeProject;
    const keys = await p.ok(['exec', '-T', '-e', 'ETCDCTL_API=3', 'etcd', 'etcdctl', 'get', '--prefix', '/registry/pods/default', '--keys-only']);
    assert.ok(keys.split('\n').includes('/registry/pods/default/busybox'), keys);
  });

  it('tears down without leaving a container behind', async () => {
    requireUp();
    const p = project as ComposeProject;
    await steps.ok(target, ['delete', 'deployment,service,pod', '--all', '--wait=false']);
    try {
      // Containers that ignore SIGTERM (sh and httpd as PID 1) take their 30 s grace period.
      await waitFor(async () => (await steps.ok(target, ['get', 'pods', '--no-headers'], { timeoutMs: 15_000 })).trim() === '', {
        timeoutMs: 150_000,
        intervalMs: 1_000,
        message: 'the kubelets never removed the pods',
      });
    } catch (err) {
      const pods = await steps.run(target, ['get', 'pods', '-o', 'wide'], { timeoutMs: 15_000 }).catch((e: Error) => ({ stdout: '', stderr: e.message }));
      const logs = await Promise.all(['kubelet-1', 'kubelet-2'].map((s) => p.logs(s, 15)));
      throw new Error(`${(err as Error).message}\n${pods.stdout}${pods.stderr}\n${logs.join('\n')}`, { cause: err });
    }
    const left = await p.down(name);
    project = undefined;
    assert.deepEqual(left, [], 'containers left after compose down');
    const net = await runCommand(['docker', 'network', 'inspect', name]);
    assert.notEqual(net.code, 0, `network ${name} still exists`);
  });
});
