// The README scenario, end to end, against the local launcher (deploy/src/local-cluster.ts):
// the real kubectl, curl and etcdctl against a whole cluster of real processes (an etcd from
// @minik8s/shared/testing, the apiserver, two schedulers, two controller-managers, two nodes
// of kubelet on the process runtime + kube-proxy).
//
// The steps run in the README's order and build on each other (the Deployment of one step is
// scaled by the next). A step that needs a component the launcher could not start fails and
// says which one; nothing is skipped.

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, waitFor, type EtcdHandle } from '@minik8s/shared/testing';
import { startLocalCluster, type ComponentKind, type LocalCluster } from '../../../deploy/src/index.ts';
import * as steps from './readme-steps.ts';

// Short leader election, so that a killed leader is replaced in seconds (defaults: 15 s lease).
const LEADER_ELECTION = ['--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=500ms'];

let etcd: EtcdHandle | undefined;
let cluster: LocalCluster;
let dataDir: string;
let target: steps.ScenarioTarget;
const launcherLog: string[] = [];
/** Components a step killed on purpose (their exit is no shutdown failure). */
const killedByTheTest = new Set<string>();

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'minik8s-readme-'));
  etcd = await startEtcd();
  cluster = await startLocalCluster({
    dataDir,
    apiserverPort: 0,
    ports: 'free',
    etcdEndpoints: etcd.endpoints,
    runtime: 'process',
    // An IP per pod (root: bridge networking), from CIDRs no other cluster on this machine is
    // likely to route.
    podCIDRs: podCIDRsOfThisRun(),
    extraArgs: { 'kube-scheduler': LEADER_ELECTION, 'kube-controller-manager': LEADER_ELECTION },
    log: (line) => launcherLog.push(line),
  });
  target = { kubeconfig: cluster.kubeconfig, nodePortUrls: async (port) => (await nodeAddresses()).map((ip) => `http://${ip}:${port}`) };
});

after(async () => {
  await cluster?.stop();
  await etcd?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** 10.<200-249>.1.0/24 and 10.<same>.2.0/24, the second octet from this process's pid. */
function podCIDRsOfThisRun(): string[] {
  const octet = 200 + (process.pid % 50);
  return [`10.${octet}.1.0/24`, `10.${octet}.2.0/24`];
}

/** Fails the step (never skips it) when it needs a component the launcher could not start. */
function requireComponents(...kinds: ComponentKind[]): void {
  const gone = cluster.missing.filter((m) => kinds.includes(m.kind));
  if (gone.length > 0) assert.fail(`this step needs ${gone.map((m) => `${m.kind} (${m.main} ${m.reason})`).join('; ')}`);
}

/** Each node's InternalIP, as the kubelets registered them: where NodePorts are served. */
async function nodeAddresses(): Promise<string[]> {
  const res = await fetch(`${cluster.apiserverUrl}/api/v1/nodes`);
  const list = (await res.json()) as { items: { status?: { addresses?: { type: string; address: string }[] } }[] };
  return list.items.flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address));
}

describe('the README scenario on the local launcher', () => {
  it('starts every component, with both nodes Ready', async () => {
    assert.deepEqual(
      cluster.missing.map((m) => `${m.kind}: ${m.main} ${m.reason}`),
      [],
      'every component of the README must exist and load',
    );
    const names = cluster.components.map((c) => c.name);
    for (const name of ['kube-apiserver', 'kube-scheduler-1', 'kube-scheduler-2', 'kube-controller-manager-1', 'kube-controller-manager-2', 'kubelet-node-1', 'kubelet-node-2', 'kube-proxy-node-1', 'kube-proxy-node-2']) {
      assert.ok(names.includes(name), `${name} was not started (started: ${names.join(', ')})`);
      assert.ok(cluster.get(name).process.running, `${name} ${cluster.get(name).process.describeExit()}\n${cluster.get(name).process.logTail()}`);
    }
    const nodes = await waitFor(
      async () => {
        const out = await steps.ok(target, ['get', 'nodes', '--no-headers']);
        const ready = out.split('\n').filter((l) => /^node-[12]\s+Ready\s/.test(l));
        return ready.length === 2 ? out : false;
      },
      { timeoutMs: 30_000, intervalMs: 500, message: '`kubectl get nodes` never showed node-1 and node-2 Ready' },
    );
    assert.match(nodes, /node-1/);
    // The README curls 127.0.0.1:$NODE_PORT (node-1) and says node-2 is 127.0.0.2.
    assert.deepEqual((await nodeAddresses()).sort(), ['127.0.0.1', '127.0.0.2'], 'node-1 is 127.0.0.1 and node-2 127.0.0.2');
  });

  it('runs the seed 001 busybox pod: Running, and `kubectl logs` shows the dots', async () => {
    requireComponents('kube-scheduler', 'kubelet');
    const shown = await steps.createBusyboxAndWaitRunning(target, 60_000);
    assert.match(shown, /busybox\s+1\/1\s+Running/);
    const logs = await steps.waitForDots(target, 20_000);
    assert.ok(logs.split('\n').every((l) => l === '.' || l === ''), `the logs hold only dots: ${JSON.stringify(logs)}`);
  });

  it('`kubectl run` with args only runs them in busybox, which has no entrypoint', async () => {
    requireComponents('kube-scheduler', 'kubelet');
    assert.equal(await steps.runHello(target, 30_000), 'hello\n');
  });

  // The Deployment steps build on each other: one that failed fails the next at once (with
  // this message) rather than waiting out its own deadline, so the file stays within its time.
  let stage: 'none' | 'deployed' | 'exposed' | 'scaled' = 'none';
  const requireStage = (want: typeof stage) => {
    const order = ['none', 'deployed', 'exposed', 'scaled'];
    if (order.indexOf(stage) < order.indexOf(want)) assert.fail(`needs the previous step (the web Deployment ${want}), which failed`);
  };

  it('rolls out a Deployment of 3 replicas', async () => {
    requireComponents('kube-scheduler', 'kube-controller-manager', 'kubelet');
    await steps.createWebAndRollOut(target, 90_000);
    const pods = (await steps.webPods(target)).filter((p) => !p.deleting);
    assert.equal(pods.length, 3, JSON.stringify(pods));
    assert.ok(pods.every((p) => p.phase === 'Running' && p.ready), JSON.stringify(pods));
    stage = 'deployed';
  });

  let nodePort = 0;
  it('exposes it as a NodePort Service that reaches every replica through every node', async () => {
    requireComponents('kube-scheduler', 'kube-controller-manager', 'kubelet', 'kube-proxy');
    requireStage('deployed');
    nodePort = await steps.exposeWeb(target);
    const answered = await steps.reachEveryPod(target, nodePort, 'hello', 60_000);
    assert.equal(answered.size, 3, JSON.stringify(Object.fromEntries(answered)));
    stage = 'exposed';
  });

  it('scales it to 4 replicas, all reached through the Service', async () => {
    requireComponents('kube-scheduler', 'kube-controller-manager', 'kubelet', 'kube-proxy');
    requireStage('exposed');
    const pods = await steps.scaleWeb(target, 4, 60_000);
    assert.equal(pods.length, 4);
    const answered = await steps.reachEveryPod(target, nodePort, 'hello', 60_000);
    assert.equal(answered.size, 4, JSON.stringify(Object.fromEntries(answered)));
    stage = 'scaled';
  });

  it('rolls out a new version (kubectl set env) that replaces every pod', async () => {
    requireComponents('kube-scheduler', 'kube-controller-manager', 'kubelet', 'kube-proxy');
    requireStage('scaled');
    const before = new Set((await steps.webPods(target)).map((p) => p.name));
    await steps.rollOutMessage(target, 'v2', 90_000);
    const pods = await waitFor(
      async () => {
        const now = await steps.webPods(target);
        return now.length === 4 && now.every((p) => !p.deleting && p.ready && p.message === 'v2') ? now : false;
      },
      { timeoutMs: 60_000, intervalMs: 250, message: 'the old pods never went away' },
    );
    assert.ok(pods.every((p) => !before.has(p.name)), `every pod is new: before ${[...before]}, now ${pods.map((p) => p.name)}`);
    await steps.reachEveryPod(target, nodePort, 'v2', 60_000);
    const rs = JSON.parse(await steps.ok(target, ['get', 'replicasets', '-l', 'app=web', '-o', 'json'])).items as any[];
    assert.equal(rs.length, 2, 'the old ReplicaSet is kept (revision history)');
    assert.deepEqual(rs.map((r) => r.spec.replicas).sort(), [0, 4]);
  });

  it('`kubectl get leases -n kube-system` shows a leader for the scheduler and the controller-manager', async () => {
    requireComponents('kube-scheduler', 'kube-controller-manager');
    const holders = await waitFor(
      async () => {
        const h = await steps.leaseHolders(target);
        return h.get('kube-scheduler') && h.get('kube-controller-manager') ? h : false;
      },
      { timeoutMs: 20_000, intervalMs: 250, message: 'both Leases never had a holder' },
    );
    const leaders = await cluster.leaders();
    for (const lease of ['kube-system/kube-scheduler', 'kube-system/kube-controller-manager']) {
      const l = leaders.find((x) => x.lease === lease);
      assert.ok(l?.holder, `${lease} is held by one of the launcher's processes: ${JSON.stringify(l)}`);
      assert.equal(l.holderIdentity, holders.get(lease.split('/')[1]));
    }
  });

  it('hands the scheduler Lease to the standby when the leader is killed', async () => {
    requireComponents('kube-scheduler');
    const holderOf = async () => (await cluster.leaders()).find((l) => l.lease === 'kube-system/kube-scheduler');
    const first = await waitFor(async () => (await holderOf())?.holder, { timeoutMs: 20_000, message: 'the scheduler Lease has no holder' });
    const standby = first === 'kube-scheduler-1' ? 'kube-scheduler-2' : 'kube-scheduler-1';
    const leader = cluster.get(first).process;
    killedByTheTest.add(first);
    // As the README: `kill $(cat .data/run/<leader>.pid)` (SIGTERM; the scheduler's own tests
    // cover a SIGKILLed leader, whose Lease must expire first).
    const pid = Number((await readFile(join(dataDir, 'run', `${first}.pid`), 'utf8')).trim());
    assert.equal(pid, leader.pid, `run/${first}.pid holds the leader's pid`);
    process.kill(pid, 'SIGTERM');
    await leader.exited;
    const next = await waitFor(
      async () => {
        const l = await holderOf();
        return l?.holder === standby && !l.expired ? l : false;
      },
      { timeoutMs: 30_000, intervalMs: 250, message: `${standby} never took the Lease over from the killed ${first}` },
    );
    assert.notEqual(next.holderIdentity, undefined);
    const holders = await steps.leaseHolders(target);
    assert.equal(holders.get('kube-scheduler'), next.holderIdentity, '`kubectl get leases` shows the new holder');
  });

  it('the new leader schedules a new pod', async () => {
    requireComponents('kube-scheduler', 'kubelet');
    await steps.ok(target, ['run', 'after-failover', '--image=busybox', '--restart=Never', '--command', '--', 'sleep', '1000']);
    const node = await waitFor(async () => (await steps.ok(target, ['get', 'pod', 'after-failover', '-o', 'jsonpath={.spec.nodeName}'])).trim(), {
      timeoutMs: 30_000,
      intervalMs: 250,
      message: 'pod after-failover was never scheduled after the failover',
    });
    assert.match(node, /^node-[12]$/);
  });

  it('`kubectl get componentstatuses` shows a healthy etcd', async () => {
    const r = await steps.run(target, ['get', 'componentstatuses']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+STATUS\s+MESSAGE\s+ERROR\s*$/m, r.stdout);
    assert.match(r.stdout, /^etcd-0\s+Healthy\s/m, r.stdout);
  });

  it('`etcdctl get --prefix /registry/pods/default --keys-only` lists the pods (seed 004)', async () => {
    await steps.ok(target, ['apply', '-f', join(steps.EXAMPLES, 'busybox-pod.yaml')]);
    const keys = await etcdctl(['get', '--prefix', '/registry/pods/default', '--keys-only']);
    const list = keys.split('\n').filter(Boolean);
    assert.ok(list.includes('/registry/pods/default/busybox'), `keys: ${keys}`);
    assert.ok(list.every((k) => k.startsWith('/registry/pods/default/')), `keys: ${keys}`);
    const value = JSON.parse(await etcdctl(['get', '/registry/pods/default/busybox', '--print-value-only']));
    assert.equal(value.metadata.name, 'busybox', 'values are the objects as JSON');
  });

  it('serves the raw REST calls of the README: create, get, list, watch, and 409s', async () => {
    // The README's lines, in its order: `-o created.json`, the watch from the resourceVersion
    // its sed finds there, `-d @created.json` for the stale PUT.
    const base = `${cluster.apiserverUrl}/api/v1/namespaces/default/pods`;
    const json = ['-H', 'Content-Type: application/json'];
    const createdFile = join(dataDir, 'created.json');
    const created = await steps.curl(base, ['-X', 'POST', ...json, '-d', `@${join(steps.EXAMPLES, 'curl-pod.json')}`, '-o', createdFile]);
    assert.equal(created.status, 201, await readFile(createdFile, 'utf8'));
    const pod = JSON.parse(await readFile(createdFile, 'utf8'));
    assert.equal(pod.metadata.name, 'curl-demo');
    assert.ok(pod.metadata.uid && pod.metadata.resourceVersion);

    const got = await steps.curl(`${base}/curl-demo`);
    assert.equal(got.status, 200);
    assert.equal(JSON.parse(got.body).metadata.uid, pod.metadata.uid);

    const listed = await steps.curl(`${base}?labelSelector=app%3Dcurl-demo&limit=10`);
    assert.equal(listed.status, 200);
    const list = JSON.parse(listed.body);
    assert.equal(list.kind, 'PodList');
    assert.deepEqual(
      list.items.map((p: any) => p.metadata.name),
      ['curl-demo'],
    );

    const rv = (await sed(['-n', 's/.*"resourceVersion":"\\([0-9]*\\)".*/\\1/p', createdFile])).trim();
    assert.equal(rv, pod.metadata.resourceVersion, "the README's sed finds the created pod's resourceVersion in created.json");
    // Watch from there, then change the pod: the stream shows it.
    const watch = spawn('curl', ['-sN', `${base}?watch=true&resourceVersion=${rv}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stream = '';
    watch.stdout.setEncoding('utf8').on('data', (d: string) => (stream += d));
    try {
      const patched = await steps.curl(`${base}/curl-demo`, ['-X', 'PATCH', '-H', 'Content-Type: application/merge-patch+json', '-d', '{"metadata":{"labels":{"watched":"yes"}}}']);
      assert.equal(patched.status, 200, patched.body);
      const event = await waitFor(
        () =>
          stream
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l))
            .find((e) => e.type === 'MODIFIED' && e.object.metadata.name === 'curl-demo' && e.object.metadata.labels?.watched === 'yes'),
        { timeoutMs: 10_000, message: `the watch never showed the patched pod; stream so far: ${stream}` },
      );
      assert.equal(event.object.kind, 'Pod');
    } finally {
      watch.kill();
    }

    const again = await steps.curl(base, ['-X', 'POST', ...json, '-d', `@${join(steps.EXAMPLES, 'curl-pod.json')}`]);
    assert.equal(again.status, 409, again.body);
    assert.equal(JSON.parse(again.body).reason, 'AlreadyExists');

    // The resourceVersion read at creation is stale since the patch.
    const stale = await steps.curl(`${base}/curl-demo`, ['-X', 'PUT', ...json, '-d', `@${createdFile}`]);
    assert.equal(stale.status, 409, stale.body);
    const status = JSON.parse(stale.body);
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'Conflict');
    assert.equal(status.message, 'Operation cannot be fulfilled on pods "curl-demo": the object has been modified; please apply your changes to the latest version and try again');
  });

  it("serves HTTPS with the CA in the launcher's pki/apiserver.crt, to curl and kubectl (README's HTTPS lines)", async () => {
    const https = cluster.get('kube-apiserver').endpoints.https;
    assert.ok(https, `the launcher prints the apiserver's HTTPS endpoint: ${JSON.stringify(cluster.get('kube-apiserver').endpoints)}`);
    const crt = join(dataDir, 'pki', 'apiserver.crt');
    const version = await steps.curl(`${https}/version`, ['--cacert', crt]);
    assert.equal(version.status, 200, version.body);
    assert.ok(JSON.parse(version.body).gitVersion, version.body);
    // With the README's KUBECONFIG exported (the target's kubeconfig), as a reader runs it.
    const nodes = await steps.ok(target, [`--server=${https}`, `--certificate-authority=${crt}`, '--token=unused', 'get', 'nodes']);
    assert.match(nodes, /^node-1\s+Ready\s/m, nodes);
  });

  it('stops every process in reverse start order, leaving none behind', async () => {
    const startOrder = cluster.components.map((c) => c.name);
    const report = await cluster.stop();
    assert.deepEqual(
      report.exits.map((e) => e.name),
      [...startOrder].reverse(),
    );
    assert.deepEqual(report.orphans, [], 'no process outlives its daemon');
    for (const c of cluster.components) assert.equal(c.process.running, false, `${c.name} still runs`);
    const unclean = report.exits.filter((e) => e.how !== 'exited with code 0' && !killedByTheTest.has(e.name));
    assert.deepEqual(unclean, [], `every daemon exits 0 on SIGTERM (launcher log:\n${launcherLog.join('\n')})`);
  });
});

function etcdctl(args: string[]): Promise<string> {
  const bin = process.env.ETCDCTL_BIN ?? 'etcdctl';
  return new Promise((resolve, reject) => {
    execFile(bin, [`--endpoints=${cluster.etcdEndpoints.join(',')}`, ...args], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 15_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`etcdctl ${args.join(' ')}: ${err.message}${(err as NodeJS.ErrnoException).code === 'ENOENT' ? ' (apt-get install etcd-client, or set ETCDCTL_BIN)' : ''}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function sed(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sed', args, { timeout: 15_000 }, (err, stdout, stderr) => (err ? reject(new Error(`sed ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}
