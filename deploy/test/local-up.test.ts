// `pnpm run up` as a user runs it: the CLI in the foreground, Ctrl-C (SIGINT) to stop. Checks
// what it prints, that it stops the daemons in reverse start order, and that nothing survives:
// neither the daemons nor a pod the process runtime started. Pods use the host network here, so
// this test creates no bridge that could meet the scenario test's (both name node-1).

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl, startEtcd, waitFor, type EtcdHandle } from '@minik8s/shared/testing';
import { componentMainExists } from '../src/component-help.ts';
import { REPO_ROOT } from '../src/paths.ts';
import { processTree, readProcess } from '../src/process-tree.ts';

let etcd: EtcdHandle;
let dataDir: string;
let launcher: ChildProcess | undefined;
let output = '';

before(async () => {
  etcd = await startEtcd();
  dataDir = await mkdtemp(join(tmpdir(), 'minik8s-local-up-'));
});

after(async () => {
  if (launcher && launcher.exitCode === null && launcher.signalCode === null) {
    launcher.kill('SIGKILL');
    await once(launcher, 'exit');
  }
  await etcd?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function pidOf(name: string): number {
  return Number(readFileSync(join(dataDir, 'run', `${name}.pid`), 'utf8').trim());
}

it('runs a cluster in the foreground and stops all of it, pods included, on Ctrl-C', async () => {
  for (const kind of ['kube-scheduler', 'kube-controller-manager', 'kubelet', 'kube-proxy'] as const) {
    assert.ok(componentMainExists(kind), `${kind}'s main.ts does not exist yet: the launcher test needs every component`);
  }
  launcher = spawn(
    process.execPath,
    ['deploy/src/local-up.ts', `--data-dir=${dataDir}`, '--free-ports', '--apiserver-port=0', `--etcd-endpoints=${etcd.endpoints.join(',')}`, '--nodes=1', '--pod-network=host'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  launcher.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  launcher.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  const child = launcher;
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`the launcher exited ${child.exitCode}:\n${output}`);
      return output.includes('Running. Ctrl-C stops everything.');
    },
    { timeoutMs: 120_000, intervalMs: 100, message: `the launcher never said it runs:\n${output}` },
  );

  // What a user needs is on the screen.
  const kubeconfig = join(dataDir, 'kubeconfig');
  assert.match(output, new RegExp(`export KUBECONFIG=${kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  for (const name of ['kube-apiserver', 'kube-scheduler-1', 'kube-scheduler-2', 'kube-controller-manager-1', 'kube-controller-manager-2', 'kubelet-node-1', 'kube-proxy-node-1']) {
    assert.match(output, new RegExp(`^  ${name} +pid ${pidOf(name)} .*http://127\\.0\\.0\\.1:`, 'm'), `${name} is listed with its pid and address`);
  }
  assert.match(output, /leader: kube-system\/kube-scheduler: kube-scheduler-[12] \(pid \d+\) leads/);
  assert.match(output, /leader: kube-system\/kube-controller-manager: kube-controller-manager-[12] \(pid \d+\) leads/);
  assert.match(output, /node node-1 is Ready/);

  // A pod on the process runtime: a process the kubelet started.
  const apply = await kubectl(['apply', '-f', join(REPO_ROOT, 'deploy/examples/busybox-pod.yaml')], { kubeconfig });
  assert.equal(apply.code, 0, apply.stderr);
  const kubeletPid = pidOf('kubelet-node-1');
  const podProcess = await waitFor(() => processTree([kubeletPid]).find((p) => p.command.includes("while :; do echo '.'")), {
    timeoutMs: 60_000,
    intervalMs: 250,
    message: 'the busybox pod never ran as a process under the kubelet',
  });

  const names = ['kube-apiserver', 'kube-scheduler-1', 'kube-scheduler-2', 'kube-controller-manager-1', 'kube-controller-manager-2', 'kubelet-node-1', 'kube-proxy-node-1'];
  const daemons = names.map((n) => ({ name: n, info: readProcess(pidOf(n)) }));
  for (const d of daemons) assert.ok(d.info, `${d.name} runs`);

  const exited = once(child, 'exit');
  child.kill('SIGINT');
  await waitFor(() => child.exitCode !== null || child.signalCode !== null, { timeoutMs: 90_000, intervalMs: 100, message: `no exit 90 s after SIGINT:\n${output}` });
  await exited;
  assert.equal(child.exitCode, 0, output);
  assert.match(output, /stopped; no process left behind/);

  // Reverse start order: the nodes first, the apiserver last (etcd is the caller's here).
  const stopped = [...output.matchAll(/^stopping (\S+) \(pid \d+\)$/gm)].map((m) => m[1]);
  assert.deepEqual(stopped, ['kube-proxy-node-1', 'kubelet-node-1', 'kube-controller-manager-2', 'kube-controller-manager-1', 'kube-scheduler-2', 'kube-scheduler-1', 'kube-apiserver']);
  for (const d of daemons) assert.notEqual(readProcess(d.info!.pid)?.startTime, d.info!.startTime, `${d.name} is gone`);
  assert.notEqual(readProcess(podProcess.pid)?.startTime, podProcess.startTime, 'the pod process is gone');
  assert.equal(existsSync(join(dataDir, 'run', 'launcher.pid')), false, 'the data dir is released');
});
