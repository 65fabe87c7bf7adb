// `pnpm run up`: a whole minik8s cluster on this machine, in the foreground, until Ctrl-C.
//
// Starts it with startLocalCluster(), prints where everything listens and how to use kubectl,
// then reports who leads (and every change of leader, every component that exits) until
// SIGINT/SIGTERM; then stops everything in reverse order and checks that nothing survived.
// A second Ctrl-C kills everything at once.

import { relative } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { describeLeader, type LeaderInfo } from './leases.ts';
import { startLocalCluster, type LocalCluster } from './local-cluster.ts';
import { readNodes } from './nodes.ts';
import { DEFAULT_DATA_DIR } from './paths.ts';

function intFlag(min: number, max: number) {
  return (v: string): number => {
    if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) throw new InvalidArgumentError(`want an integer in ${min}..${max}`);
    return Number(v);
  };
}

const program = new Command('local-up')
  .description(
    'Starts a minik8s cluster on this machine: etcd, kube-apiserver, two kube-schedulers and two ' +
      'kube-controller-managers (leader-elected), and per node a kubelet and a kube-proxy. ' +
      'Runs in the foreground; Ctrl-C stops everything in reverse order.',
  )
  .option('--data-dir <dir>', "etcd's data, logs/ (one file per component), run/ (pid files) and the kubeconfig", DEFAULT_DATA_DIR)
  .option('--apiserver-port <port>', "the apiserver's plain-HTTP port on 127.0.0.1 (0: a free one)", intFlag(0, 65535), 8080)
  .option('--etcd-endpoints <urls>', 'use this etcd (comma-separated client URLs) instead of starting the etcd binary')
  .option('--etcd-port <port>', 'client port of the etcd this starts (default: 2379, or a free one when 2379 is taken)', intFlag(0, 65535))
  .option('--nodes <n>', 'how many nodes (kubelet + kube-proxy each): node-1, node-2, ...', intFlag(0, 50), 2)
  .addOption(new Option('--runtime <name>', "the kubelets' container runtime").choices(['process', 'docker', 'fake']).default('process'))
  .addOption(
    new Option('--pod-network <mode>', "the process runtime's pod network: bridge (an IP per pod; root on Linux), host (pods share the host's ports), auto (bridge if root)")
      .choices(['auto', 'host', 'bridge'])
      .default('auto'),
  )
  .option('--schedulers <n>', 'kube-scheduler replicas (one leads)', intFlag(0, 10), 2)
  .option('--controller-managers <n>', 'kube-controller-manager replicas (one leads)', intFlag(0, 10), 2)
  .option('--node-ips <ips>', "each node's address, comma-separated (default: 127.0.0.1, 127.0.0.2, ...: Linux routes all of 127.0.0.0/8 to loopback)")
  .option('--free-ports', 'put every daemon (but the apiserver and etcd, unless given 0) on a free port instead of the upstream ports', false)
  .option('--v <level>', 'log verbosity passed to every component', intFlag(0, 10))
  .option('--health-timeout <seconds>', 'how long each component may take to become healthy', intFlag(1, 3600), 60)
  .allowExcessArguments(false);

program.parse();
const o = program.opts<{
  dataDir: string;
  apiserverPort: number;
  etcdEndpoints?: string;
  etcdPort?: number;
  nodes: number;
  runtime: 'process' | 'docker' | 'fake';
  podNetwork: 'auto' | 'host' | 'bridge';
  schedulers: number;
  controllerManagers: number;
  freePorts: boolean;
  nodeIps?: string;
  v?: number;
  healthTimeout: number;
}>();

const say = (line: string) => process.stdout.write(`${line}\n`);
const rel = (p: string) => {
  const r = relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
};

let cluster: LocalCluster | undefined;
let shuttingDown = false;
let watchTimer: NodeJS.Timeout | undefined;

async function shutdown(why: string): Promise<never> {
  shuttingDown = true;
  if (watchTimer) clearInterval(watchTimer);
  say(`\n${why}: stopping the cluster in reverse order (Ctrl-C again to kill everything now)`);
  if (!cluster) process.exit(130);
  const report = await cluster.stop();
  for (const e of report.exits) say(`  ${e.name.padEnd(28)} ${e.how}`);
  if (report.orphans.length > 0) {
    say(`${report.orphans.length} process(es) outlived their daemon and were killed: ${report.orphans.map((p) => `${p.pid} (${p.command})`).join(', ')}`);
    process.exit(1);
  }
  say('stopped; no process left behind');
  process.exit(0);
}

// While starting, a signal must still stop what started: startLocalCluster stops on failure,
// so a signal during startup kills the children (the 'exit' hook) and leaves.
const onSignal = (sig: NodeJS.Signals) => {
  if (shuttingDown) {
    say(`${sig} again: killing everything now`);
    process.exit(1); // the cluster's 'exit' hook SIGKILLs every daemon
  }
  void shutdown(sig);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

say(`minik8s local cluster: data in ${rel(o.dataDir)}, runtime ${o.runtime}, ${o.nodes} node(s)`);
try {
  cluster = await startLocalCluster({
    dataDir: o.dataDir,
    apiserverPort: o.apiserverPort,
    etcdEndpoints: o.etcdEndpoints?.split(',').map((s) => s.trim()).filter(Boolean),
    etcdPort: o.etcdPort,
    nodes: o.nodes,
    nodeIPs: o.nodeIps?.split(',').map((s) => s.trim()).filter(Boolean),
    runtime: o.runtime,
    podNetwork: o.podNetwork,
    schedulers: o.schedulers,
    controllerManagers: o.controllerManagers,
    ports: o.freePorts ? 'free' : 'well-known',
    verbosity: o.v,
    healthTimeoutMs: o.healthTimeout * 1000,
    log: (line) => {
      if (!shuttingDown || line.startsWith('stopping') || line.startsWith('WARNING')) say(line);
    },
  });
} catch (err) {
  if (shuttingDown) await new Promise(() => {}); // shutdown() exits
  process.stderr.write(`\nthe cluster did not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
if (shuttingDown) await new Promise(() => {});

const c = cluster;
say('\nThe cluster is up:');
for (const comp of c.components) {
  const where = Object.entries(comp.endpoints)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  say(`  ${comp.name.padEnd(28)} pid ${String(comp.process.pid).padEnd(8)} ${where}`);
}
for (const m of c.missing) say(`  ${m.kind.padEnd(28)} NOT RUNNING: ${m.main} ${m.reason}`);
say(`\nLogs: ${rel(c.logDir)}/<component>.log    pid files: ${rel(c.dataDir)}/run/<component>.pid`);
say(`\nUse kubectl:\n  export KUBECONFIG=${c.kubeconfig}\n  kubectl get nodes\n  kubectl get leases -n kube-system`);
say(`See what etcd holds:\n  ETCDCTL_API=3 etcdctl --endpoints=${c.etcdEndpoints.join(',')} get --prefix /registry/pods/default --keys-only\n`);

// Nodes and leaders are reported once ready; not reaching that is a warning, not a failure:
// the cluster runs, and the logs say why.
await reportNodes(c, o.nodes, 60_000);
const lastLeaders = new Map<string, string>();
const leaderKey = (l: LeaderInfo) => (l.holderIdentity ? `${l.holderIdentity}|${l.holder ?? ''}|${l.expired}` : '');
const expectedLeases = new Set([...(o.schedulers > 0 && !c.missing.some((m) => m.kind === 'kube-scheduler') ? ['kube-system/kube-scheduler'] : []), ...(o.controllerManagers > 0 && !c.missing.some((m) => m.kind === 'kube-controller-manager') ? ['kube-system/kube-controller-manager'] : [])]);
const pollLeaders = async (): Promise<LeaderInfo[]> => {
  const leaders = (await c.leaders()).filter((l) => expectedLeases.has(l.lease));
  for (const l of leaders) {
    const key = leaderKey(l);
    if (key && lastLeaders.get(l.lease) !== key) say(`leader: ${describeLeader(l)}`);
    lastLeaders.set(l.lease, key);
  }
  return leaders;
};
if (expectedLeases.size > 0) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const leaders = await pollLeaders().catch(() => []);
    if (leaders.length === expectedLeases.size && leaders.every((l) => l.holder)) break;
    if (Date.now() > deadline) {
      say('WARNING: not every Lease has a leader after 30 s: `kubectl get leases -n kube-system`, and the logs');
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  // From now on every change of leader is printed (kill the leader and watch the other take over).
  watchTimer = setInterval(() => void pollLeaders().catch(() => {}), 2_000);
}
say('\nRunning. Ctrl-C stops everything.');

async function reportNodes(cl: LocalCluster, want: number, timeoutMs: number): Promise<void> {
  if (want === 0 || cl.missing.some((m) => m.kind === 'kubelet')) return;
  const deadline = Date.now() + timeoutMs;
  const seen = new Set<string>();
  for (;;) {
    const nodes = await readNodes(cl.apiserverUrl).catch(() => []);
    for (const n of nodes) {
      if (n.ready === 'True' && !seen.has(n.name)) {
        seen.add(n.name);
        say(`node ${n.name} is Ready`);
      }
    }
    if (seen.size >= want) return;
    if (Date.now() > deadline) {
      say(`WARNING: ${want - seen.size} node(s) not Ready after ${timeoutMs / 1000} s: \`kubectl get nodes\`, and the kubelet logs`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
