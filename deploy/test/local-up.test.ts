// `pnpm run up` as a user runs it: the CLI in the foreground, Ctrl-C (SIGINT) to stop. The
// launcher starts its own etcd from the `etcd` binary (data in <data-dir>/etcd), as the README's
// run command does. Checks what it prints (the etcdctl command it prints is run as printed), one
// log file per component, that it stops the daemons in reverse start order, and that nothing
// survives: neither the daemons, nor etcd, nor a pod the process runtime started. Pods use the
// host network here, so this test creates no bridge that could meet the scenario test's (both
// name node-1).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl, waitFor } from '@minik8s/shared/testing';
import { componentMainExists } from '../src/component-help.ts';
import { findEtcdBinary } from '../src/etcd.ts';
import { REPO_ROOT } from '../src/paths.ts';
import { processTree, readProcess } from '../src/process-tree.ts';

let dataDir: string;
let launcher: ChildProcess | undefined;
let output = '';

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'minik8s-local-up-'));
});

after(async () => {
  if (launcher && launcher.exitCode === null && launcher.signalCode === null) {
    launcher.kill('SIGKILL');
    await once(launcher, 'exit');
    // A SIGKILLed launcher runs no exit hook: its daemons (etcd included) are this test's to stop.
    const runDir = join(dataDir, 'run');
    for (const f of existsSync(runDir) ? readdirSync(runDir).filter((n) => n.endsWith('.pid') && n !== 'launcher.pid') : []) {
      try {
        process.kill(Number(readFileSync(join(runDir, f), 'utf8').trim()), 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

function etcdctl(endpoints: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.env.ETCDCTL_BIN ?? 'etcdctl', [`--endpoints=${endpoints}`, ...args], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 15_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`etcdctl ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

function pidOf(name: string): number {
  return Number(readFileSync(join(dataDir, 'run', `${name}.pid`), 'utf8').trim());
}

it('runs a cluster in the foreground and stops all of it, pods included, on Ctrl-C', async () => {
  for (const kind of ['kube-scheduler', 'kube-controller-manager', 'kubelet', 'kube-proxy'] as const) {
    assert.ok(componentMainExists(kind), `${kind}'s main.ts does not exist yet: the launcher test needs every component`);
  }
  assert.ok(findEtcdBinary(), 'the launcher starts the `etcd` binary: install it (apt-get install etcd-server) or set ETCD_BIN');
  launcher = spawn(
    process.execPath,
    ['deploy/src/local-up.ts', `--data-dir=${dataDir}`, '--free-ports', '--apiserver-port=0', '--etcd-port=0', '--nodes=1', '--pod-network=host'],
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
  // etcd: the binary, its data under the data directory.
  assert.match(output, new RegExp(`^  etcd +pid ${pidOf('etcd')} +client http://127\\.0\\.0\\.1:\\d+$`, 'm'), 'etcd is listed with its pid and client URL');
  assert.match(readProcess(pidOf('etcd'))?.command ?? '', /etcd/, 'run/etcd.pid is an etcd process');
  assert.ok(existsSync(join(dataDir, 'etcd', 'member')), "etcd's data is in <data-dir>/etcd");
  for (const name of ['kube-apiserver', 'kube-scheduler-1', 'kube-scheduler-2', 'kube-controller-manager-1', 'kube-controller-manager-2', 'kubelet-node-1', 'kube-proxy-node-1']) {
    assert.match(output, new RegExp(`^  ${name} +pid ${pidOf(name)} .*http://127\\.0\\.0\\.1:`, 'm'), `${name} is listed with its pid and address`);
  }
  assert.match(output, /leader: kube-system\/kube-scheduler: kube-scheduler-[12] \(pid \d+\) leads/);
  assert.match(output, /leader: kube-system\/kube-controller-manager: kube-controller-manager-[12] \(pid \d+\) leads/);
  assert.match(output, /node node-1 is Ready/);

  // A pod on the process runtime: a process the kubelet started.
  const apply = await kubectl(['apply', '-f', join(REPO_ROOT, 'deploy/examples/busybox-pod.yaml')], { kubeconfig });
  assert.equal(apply.code, 0, apply.stderr);
  // The etcdctl command the launcher prints (README: "see the storage", seed 004) lists the pod.
  const printed = /^  ETCDCTL_API=3 etcdctl --endpoints=(\S+) get --prefix \/registry\/pods\/default --keys-only$/m.exec(output);
  assert.ok(printed, `the launcher prints the etcdctl command:\n${output}`);
  const keys = await etcdctl(printed[1], ['get', '--prefix', '/registry/pods/default', '--keys-only']);
  assert.ok(keys.split('\n').includes('/registry/pods/default/busybox'), keys);
  const kubeletPid = pidOf('kubelet-node-1');
  const podProcess = await waitFor(() => processTree([kubeletPid]).find((p) => p.command.includes("while :; do echo '.'")), {
    timeoutMs: 60_000,
    intervalMs: 250,
    message: 'the busybox pod never ran as a process under the kubelet',
  });

  const names = ['etcd', 'kube-apiserver', 'kube-scheduler-1', 'kube-scheduler-2', 'kube-controller-manager-1', 'kube-controller-manager-2', 'kubelet-node-1', 'kube-proxy-node-1'];
  // One log file per component in <data-dir>/logs, as printed.
  assert.match(output, /^Logs: .*logs\/<component>\.log {4}pid files: .*run\/<component>\.pid$/m);
  for (const n of names) {
    const file = join(dataDir, 'logs', `${n}.log`);
    assert.ok(existsSync(file) && statSync(file).size > 0, `${file} holds ${n}'s log`);
  }
  const daemons = names.map((n) => ({ name: n, info: readProcess(pidOf(n)) }));
  for (const d of daemons) assert.ok(d.info, `${d.name} runs`);

  const exited = once(child, 'exit');
  child.kill('SIGINT');
  await waitFor(() => child.exitCode !== null || child.signalCode !== null, { timeoutMs: 90_000, intervalMs: 100, message: `no exit 90 s after SIGINT:\n${output}` });
  await exited;
  assert.equal(child.exitCode, 0, output);
  assert.match(output, /stopped; no process left behind/);

  // Reverse start order: the nodes first, then the apiserver, etcd last.
  const stopped = [...output.matchAll(/^stopping (\S+) \(pid \d+\)$/gm)].map((m) => m[1]);
  assert.deepEqual(stopped, ['kube-proxy-node-1', 'kubelet-node-1', 'kube-controller-manager-2', 'kube-controller-manager-1', 'kube-scheduler-2', 'kube-scheduler-1', 'kube-apiserver', 'etcd']);
  for (const d of daemons) assert.notEqual(readProcess(d.info!.pid)?.startTime, d.info!.startTime, `${d.name} is gone`);
  assert.notEqual(readProcess(podProcess.pid)?.startTime, podProcess.startTime, 'the pod process is gone');
  assert.equal(existsSync(join(dataDir, 'run', 'launcher.pid')), false, 'the data dir is released');
});
