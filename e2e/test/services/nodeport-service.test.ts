// A NodePort Service through the whole chain of real components (issue 9): the local launcher
// (deploy/src/local-cluster.ts) runs the apiserver on an etcd from @minik8s/shared/testing, a
// scheduler, a controller-manager (Deployment, ReplicaSet, EndpointSlice controllers), and one
// node: a kubelet on the process runtime with bridge networking (as root every pod gets its own
// network namespace and IP, so three replicas all listen on port 8000) and a kube-proxy in
// userspace mode serving the node ports on the node's address.
//
// The test drives it as a user: the real kubectl (its own cache dir beside the launcher's
// kubeconfig) and plain HTTP to <node InternalIP>:<nodePort>.
//   1. apply a Deployment of 3 busybox httpd servers, each answering with its pod name
//      (env POD_NAME from fieldRef metadata.name, as deploy/examples/web-deployment.yaml), with
//      a readinessProbe on /ready (a file the server serves while it exists), and a NodePort
//      Service in front of them;
//   2. 300 requests through the node port reach all 3 pods about evenly;
//   3. a pod whose /ready is gone (`kubectl exec ... rm`) is listed not ready in the
//      EndpointSlice and receives none of 100 requests, though it still runs and answers on
//      its own IP; back ready, it is back in the rotation;
//   4. `kubectl scale --replicas=1`: everything goes to the survivor;
//   5. `kubectl delete service`: the node port refuses connections.
// Every wait polls with a deadline and fails with the state it saw last. The steps build on
// each other; one whose predecessor failed fails at once.
//
// `pnpm test` may run the README scenario's cluster at the same time: this one's node address
// (127.0.0.3) and pod CIDR are its own, so their routes never overlap, and its node has a name of
// its own so the two are easy to tell apart in the logs (the bridges already differ: the kubelet
// names its bridge after its node name and state dir, see bridge-network.ts).

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getOnce, kubectl, startEtcd, tally, waitFor, type EtcdHandle } from '@minik8s/shared/testing';
import { startLocalCluster, type LocalCluster } from '../../../deploy/src/index.ts';
import { BridgeNetwork } from '../../../kubelet/src/runtime/process/bridge-network.ts';

const NODE = 'nodeport-node-1';
const NODE_IP = '127.0.0.3';
/** 10.<150-199>.1.0/24, from this process's pid (the README scenario takes 10.<200-249>.x). */
const POD_CIDR = `10.${150 + (process.pid % 50)}.1.0/24`;
const APP = 'hello';

// The server writes its page and the readiness file into its working directory (on the process
// runtime: the pod's directory under the kubelet's --root-dir, inside this test's data dir), so
// `kubectl exec` (which runs there too) reaches them by the same relative path.
const MANIFESTS = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${APP}
  labels:
    app: ${APP}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: ${APP}
  template:
    metadata:
      labels:
        app: ${APP}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: httpd
        image: busybox
        command:
        - /bin/sh
        - -c
        - |
          mkdir -p www
          echo "$POD_NAME" > www/index.html
          echo ok > www/ready
          exec busybox httpd -f -p 8000 -h www
        env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        ports:
        - name: http
          containerPort: 8000
        readinessProbe:
          httpGet:
            path: /ready
            port: http
          periodSeconds: 1
          failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata:
  name: ${APP}
spec:
  type: NodePort
  selector:
    app: ${APP}
  ports:
  - name: http
    port: 80
    targetPort: http
`;

let etcd: EtcdHandle | undefined;
let cluster: LocalCluster | undefined;
let dataDir: string | undefined;
const launcherLog: string[] = [];

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'minik8s-nodeport-'));
  etcd = await startEtcd();
  cluster = await startLocalCluster({
    dataDir,
    apiserverPort: 0,
    ports: 'free',
    etcdEndpoints: etcd.endpoints,
    runtime: 'process',
    podNetwork: 'bridge',
    nodes: 1,
    nodeIPs: [NODE_IP],
    podCIDRs: [POD_CIDR],
    schedulers: 1,
    controllerManagers: 1,
    // After the launcher's --node-name/--hostname-override=node-1: the last one wins.
    extraArgs: { kubelet: [`--node-name=${NODE}`, `--hostname-override=${NODE}`], 'kube-proxy': [`--hostname-override=${NODE}`] },
    log: (line) => launcherLog.push(line),
  });
});

after(async () => {
  // The launcher's stop (what Ctrl-C does): SIGTERM to every daemon in reverse order, the
  // kubelet stopping its pods and removing its namespaces and bridge first. Safe when the last
  // step already stopped it.
  await cluster?.stop();
  await etcd?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// ---- kubectl, the API as kubectl shows it, and HTTP --------------------------------------------

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, { kubeconfig: cluster!.kubeconfig, input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

interface PodView {
  name: string;
  phase: string;
  ready: boolean;
  ip?: string;
  deleting: boolean;
  restarts: number;
}

async function pods(): Promise<PodView[]> {
  const list = JSON.parse(await ok(['get', 'pods', '-l', `app=${APP}`, '-o', 'json']));
  return list.items.map((p: any) => ({
    name: p.metadata.name,
    phase: p.status?.phase ?? '',
    ready: (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    ip: p.status?.podIP,
    deleting: Boolean(p.metadata.deletionTimestamp),
    restarts: (p.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0),
  }));
}

interface EndpointView {
  pod: string;
  address: string;
  ready: boolean;
  terminating: boolean;
}

/** Every endpoint of the Service's EndpointSlices (`kubectl get endpointslices -l kubernetes.io/service-name=hello`). */
async function endpoints(): Promise<EndpointView[]> {
  const list = JSON.parse(await ok(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${APP}`, '-o', 'json']));
  return list.items
    .flatMap((s: any) => s.endpoints ?? [])
    .map((e: any) => ({
      pod: e.targetRef?.name ?? '?',
      address: (e.addresses ?? []).join(','),
      ready: e.conditions?.ready === true,
      terminating: e.conditions?.terminating === true,
    }))
    .sort((a: EndpointView, b: EndpointView) => a.pod.localeCompare(b.pod));
}

const show = (x: unknown) => JSON.stringify(x);

/**
 * Polls `check` (which returns whether it is done and the state it saw) until done; at the
 * deadline fails with `what` and the last state seen.
 */
async function until<T>(what: string, timeoutMs: number, check: () => Promise<{ done: boolean; state: T }>): Promise<T> {
  let last: { state?: T; error?: string } = {};
  try {
    return await waitFor(
      async () => {
        try {
          const r = await check();
          last = { state: r.state };
          return r.done ? { value: r.state } : false;
        } catch (err) {
          last = { ...last, error: (err as Error).message };
          throw err;
        }
      },
      { timeoutMs, intervalMs: 250 },
    ).then((r) => r.value);
  } catch (err) {
    throw new Error(`${what} within ${timeoutMs / 1000} s; last seen: ${show(last.state)}${last.error ? `; last error: ${last.error}` : ''}`, { cause: err });
  }
}

// ---- the scenario ------------------------------------------------------------------------------

describe('a NodePort Service in front of a Deployment, on a whole local cluster', { timeout: 900_000 }, () => {
  let stage: 'none' | 'exposed' | 'balanced' | 'readiness' | 'scaled' = 'none';
  const requireStage = (want: typeof stage) => {
    const order = ['none', 'exposed', 'balanced', 'readiness', 'scaled'];
    if (order.indexOf(stage) < order.indexOf(want)) assert.fail(`needs the previous step (${want}), which failed`);
  };
  let url = '';
  let names: string[] = [];

  it('starts every component, with the node Ready', async () => {
    const c = cluster!;
    assert.deepEqual(
      c.missing.map((m) => `${m.kind}: ${m.main} ${m.reason}`),
      [],
      'every component must exist and load',
    );
    for (const name of ['kube-apiserver', 'kube-scheduler-1', 'kube-controller-manager-1', 'kubelet-node-1', 'kube-proxy-node-1']) {
      assert.ok(c.get(name).process.running, `${name} ${c.get(name).process.describeExit()}\n${c.get(name).process.logTail()}`);
    }
    await until(`node ${NODE} was not Ready`, 60_000, async () => {
      const out = await ok(['get', 'nodes', '--no-headers']);
      return { done: new RegExp(`^${NODE}\\s+Ready\\s`, 'm').test(out), state: out.trim() };
    });
  });

  it('applies the Deployment and the NodePort Service; the EndpointSlice lists 3 ready pods', async () => {
    await ok(['apply', '-f', '-'], MANIFESTS);
    const seen = await until('the Deployment never had 3 ready pods, each a ready endpoint of the Service', 120_000, async () => {
      const ps = (await pods()).filter((p) => !p.deleting);
      const eps = await endpoints();
      const ready = eps.filter((e) => e.ready);
      const done = ps.length === 3 && ps.every((p) => p.ready) && ready.length === 3 && ready.every((e) => ps.some((p) => p.name === e.pod && p.ip === e.address));
      return { done, state: { pods: ps, endpoints: eps } };
    });
    names = seen.pods.map((p) => p.name).sort();
    // Each pod has its own address on the node's bridge (none is the node's).
    assert.equal(new Set(seen.pods.map((p) => p.ip)).size, 3, show(seen.pods));
    assert.ok(seen.pods.every((p) => p.ip !== NODE_IP), show(seen.pods));

    const nodePort = Number(await ok(['get', 'service', APP, '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    assert.ok(nodePort >= 30000 && nodePort <= 32767, `nodePort ${nodePort} is in the default range`);
    // Where node ports are served: the node's InternalIP, as the kubelet registered it.
    const addresses = JSON.parse(await ok(['get', 'node', NODE, '-o', 'jsonpath={.status.addresses}'])) as { type: string; address: string }[];
    const internal = addresses.find((a) => a.type === 'InternalIP')?.address;
    assert.equal(internal, NODE_IP, show(addresses));
    url = `http://${internal}:${nodePort}/`;
    stage = 'exposed';
  });

  it('spreads 300 requests through the node port about evenly over the 3 pods', async () => {
    requireStage('exposed');
    // kube-proxy applies the Service and its endpoints on its own schedule: wait until a round
    // of 6 connections (two rotations) has reached every pod.
    await until(`the node port ${url} never reached all of ${show(names)}`, 60_000, async () => {
      const c = await tally(url, 6);
      return { done: names.every((n) => c.has(n)), state: Object.fromEntries(c) };
    });
    const counts = await tally(url, 300);
    assert.deepEqual([...counts.keys()].sort(), names, `every answer is one of the pods' names: ${show(Object.fromEntries(counts))}`);
    // Round-robin over 3 ready endpoints gives each 100 of 300 when nothing changes. At least
    // 60 each leaves room for the rotation to restart when kube-proxy re-applies the endpoints
    // meanwhile (a pod status update rewrites the slice), yet fails a proxy that favours one
    // pod or leaves one out: none can have more than 180.
    for (const n of names) assert.ok((counts.get(n) ?? 0) >= 60, `${n} answered ${counts.get(n) ?? 0} of 300 (want >= 60): ${show(Object.fromEntries(counts))}`);
    stage = 'balanced';
  });

  it('sends nothing to a pod failing its readiness probe, and takes it back once ready again', async () => {
    requireStage('balanced');
    const [victim, ...others] = names as [string, ...string[]];
    const before = (await pods()).find((p) => p.name === victim);
    assert.ok(before?.ip, `pod ${victim} has an IP: ${show(before)}`);

    await ok(['exec', victim, '--', 'rm', 'www/ready']);
    await until(`the EndpointSlice never listed ${victim} as not ready (and the others ready)`, 60_000, async () => {
      const eps = await endpoints();
      const done = eps.some((e) => e.pod === victim && !e.ready) && others.every((n) => eps.some((e) => e.pod === n && e.ready));
      return { done, state: eps };
    });
    // kube-proxy follows the slice on its own schedule: wait until a round of 6 connections
    // (three rotations over the 2 ready pods, two over 3) no longer reaches it.
    await until(`the node port still sent connections to ${victim}`, 60_000, async () => {
      const c = await tally(url, 6);
      return { done: !c.has(victim) && others.every((n) => c.has(n)), state: Object.fromEntries(c) };
    });
    const counts = await tally(url, 100);
    assert.equal(counts.get(victim), undefined, `${victim} is not ready, yet answered: ${show(Object.fromEntries(counts))}`);
    assert.deepEqual([...counts.keys()].sort(), others, `only the ready pods answer: ${show(Object.fromEntries(counts))}`);

    // It was left out for not being ready, not for being gone: it still runs, unrestarted, and
    // answers on its own address.
    const now = (await pods()).find((p) => p.name === victim);
    assert.ok(now && now.phase === 'Running' && !now.ready && !now.deleting && now.restarts === before.restarts, `pod ${victim}: ${show(now)}`);
    const direct = await getOnce(`http://${before.ip}:8000/`);
    assert.equal(direct.body, victim, `pod ${victim} still serves on ${before.ip}:8000: ${show(direct)}`);

    // Ready again: back in the rotation.
    await ok(['exec', victim, '--', 'sh', '-c', 'echo ok > www/ready']);
    await until(`${victim} never came back into the rotation once ready`, 60_000, async () => {
      const eps = await endpoints();
      const c = eps.filter((e) => e.ready).length === 3 ? await tally(url, 6) : new Map<string, number>();
      return { done: names.every((n) => c.has(n)), state: { endpoints: eps, answers: Object.fromEntries(c) } };
    });
    stage = 'readiness';
  });

  it('sends everything to the survivor after `kubectl scale --replicas=1`', async () => {
    requireStage('readiness');
    await ok(['scale', 'deployment', APP, '--replicas=1']);
    const survivor = await until('the Deployment and the EndpointSlice never shrank to one ready pod', 120_000, async () => {
      const ps = await pods();
      const eps = await endpoints();
      const alive = ps.filter((p) => !p.deleting);
      const done = ps.length === 1 && alive.length === 1 && alive[0]!.ready && eps.length === 1 && eps[0]!.pod === alive[0]!.name && eps[0]!.ready;
      return { done, state: { pods: ps, endpoints: eps } };
    }).then((s) => s.pods[0]!.name);
    assert.ok(names.includes(survivor), `the survivor ${survivor} is one of ${show(names)}`);
    await until(`the node port never sent everything to ${survivor}`, 60_000, async () => {
      const c = await tally(url, 6);
      return { done: c.get(survivor) === 6, state: Object.fromEntries(c) };
    });
    const counts = await tally(url, 100);
    assert.deepEqual([...counts], [[survivor, 100]], `every answer comes from ${survivor}`);
    stage = 'scaled';
  });

  it('closes the node port after `kubectl delete service`', async () => {
    requireStage('scaled');
    await ok(['delete', 'service', APP]);
    await until(`the node port ${url} still accepted connections after the Service was deleted`, 60_000, async () => {
      const r = await getOnce(url);
      return { done: r.error === 'ECONNREFUSED', state: r };
    });
    const gone = await kubectl(['get', 'service', APP], { kubeconfig: cluster!.kubeconfig });
    assert.match(gone.stderr, /NotFound/, `kubectl get service ${APP} after the delete: ${gone.stdout}${gone.stderr}`);
  });

  it('stops every process, leaving no process, network namespace or bridge behind', async () => {
    const report = await cluster!.stop();
    assert.deepEqual(report.orphans, [], 'no process outlives its daemon');
    for (const c of cluster!.components) assert.equal(c.process.running, false, `${c.name} still runs`);
    const unclean = report.exits.filter((e) => e.how !== 'exited with code 0');
    assert.deepEqual(unclean, [], `every daemon exits 0 on SIGTERM (launcher log:\n${launcherLog.join('\n')})`);
    const tag = BridgeNetwork.tagFor(NODE, join(dataDir!, 'kubelet', NODE, 'process-runtime'));
    const bridge = `mk8s${tag}`;
    const run = promisify(execFile);
    const links = (await run('ip', ['-o', 'link', 'show'])).stdout;
    assert.ok(!links.includes(bridge), `bridge ${bridge} is gone:\n${links}`);
    const namespaces = (await run('ip', ['netns', 'list'])).stdout;
    assert.ok(!namespaces.includes(`mk8s-${tag}-`), `no network namespace of ${NODE} is left:\n${namespaces}`);
  });
});
