// A whole minik8s cluster on this machine, as child processes: etcd, the apiserver, the
// schedulers and controller-managers (leader-elected), and per node a kubelet and a kube-proxy.
//
// startLocalCluster():
//  1. takes the data directory (one launcher per directory: etcd's data cannot be shared);
//  2. reads which components exist and which flags each accepts (`node <main> --help`);
//  3. starts etcd (unless etcdEndpoints names one), then the apiserver, and writes the kubeconfig;
//  4. starts the schedulers and controller-managers, then per node a kubelet and a kube-proxy,
//     waiting after each group until every member answers its health endpoint.
// A component whose main.ts does not exist yet is listed in `missing` and not started. A
// failure at any step stops what was started and rejects with the component's log tail.
//
// stop() stops everything in reverse start order (SIGTERM, SIGKILL after a grace period), then
// checks that no process the daemons started (pods of the process runtime included) survived,
// kills any that did and reports them.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { apiserverWishes, selectArgs, type FlagWish } from './component-args.ts';
import { COMPONENT_MAINS, componentMainExists, supportedFlags, type ComponentKind } from './component-help.ts';
import { spawnEtcd } from './etcd.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { readLeaders, type LeaderInfo } from './leases.ts';
import { httpProbe, ManagedProcess, type HealthProbe } from './managed-process.ts';
import { DEFAULT_DATA_DIR, REPO_ROOT } from './paths.ts';
import { isPortFree, PortPlan, type PortMode } from './ports.ts';
import { processTree, stillRunning, type ProcessInfo } from './process-tree.ts';

export type RuntimeName = 'process' | 'docker' | 'fake';

export interface LocalClusterOptions {
  /** Holds etcd/, logs/, run/ (pid files), kubelet/<node>/ and kubeconfig. Default `<repo>/.data`. */
  dataDir?: string;
  /** The apiserver's insecure port. Default 8080; 0 picks a free one. */
  apiserverPort?: number;
  /** Use this etcd (client URLs) instead of starting the etcd binary. */
  etcdEndpoints?: string[];
  /** Client port of the etcd the launcher starts; 0 picks a free one. Default 2379, or a free one when 2379 is taken. */
  etcdPort?: number;
  /** Nodes (a kubelet and a kube-proxy each), named node-1, node-2, ... Default 2. */
  nodes?: number;
  /**
   * Each node's address (kubelet --node-ip and --address, kube-proxy --bind-address for the
   * NodePorts). Default 127.0.0.1, 127.0.0.2, ...: Linux routes all of 127.0.0.0/8 to the
   * loopback interface, so every node gets its own address on one machine without any setup
   * (macOS needs `ifconfig lo0 alias 127.0.0.2` first).
   */
  nodeIPs?: string[];
  /** The kubelets' --container-runtime. Default process. */
  runtime?: RuntimeName;
  /**
   * The process runtime's pod network (kubelet --pod-network): 'bridge' gives each pod its own
   * network namespace and IP (needs root on Linux), 'host' runs pods in the host's network
   * (pod IP = node IP, so replicas of one server clash on their port). 'auto' (default): bridge
   * where it can work, else host, said in the log.
   */
  podNetwork?: 'auto' | 'host' | 'bridge';
  /**
   * Each node's pod CIDR (kubelet --pod-cidr) for the bridge network. Default 10.244.<i>.0/24.
   * Two clusters on one machine need distinct ones (their bridges route them).
   */
  podCIDRs?: string[];
  /** Default 2 each: one leads, the other waits on the Lease. */
  schedulers?: number;
  controllerManagers?: number;
  /** 'well-known' (default): upstream ports, +100 per extra instance. 'free': any free ports. */
  ports?: PortMode;
  /** More flags per component kind, after the launcher's (e.g. shorter leader election in tests). */
  extraArgs?: Partial<Record<ComponentKind, string[]>>;
  /** --v for every component that has it. */
  verbosity?: number;
  /** How long each component may take to become healthy. Default 60 s. */
  healthTimeoutMs?: number;
  /** Progress lines (the CLI prints them). */
  log?(line: string): void;
}

/** One process of the cluster. */
export interface ComponentHandle {
  /** Unique: etcd, kube-apiserver, kube-scheduler-1, kubelet-node-2, kube-proxy-node-1, ... */
  readonly name: string;
  readonly kind: ComponentKind | 'etcd';
  /** The node of a kubelet or kube-proxy. */
  readonly node?: string;
  readonly process: ManagedProcess;
  /** What it serves, e.g. { api: 'http://127.0.0.1:10250', healthz: 'http://127.0.0.1:10248/healthz' }. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** Optional flags the component did not have, so they were not passed. */
  readonly skippedFlags: readonly string[];
}

/** A component kind the launcher could not start: its main.ts is not in the tree (yet), or does not load. */
export interface MissingComponent {
  kind: ComponentKind;
  main: string;
  /** "does not exist (yet)", or "does not load: <first line of the error>". */
  reason: string;
}

export interface StopReport {
  /** How each component ended, in stop order. */
  exits: { name: string; how: string }[];
  /** Processes started by the daemons that were still running after them (now killed). */
  orphans: ProcessInfo[];
}

export interface LocalCluster {
  readonly dataDir: string;
  readonly logDir: string;
  readonly kubeconfig: string;
  readonly apiserverUrl: string;
  readonly etcdEndpoints: readonly string[];
  /** In start order (etcd first when the launcher started it). */
  readonly components: readonly ComponentHandle[];
  readonly missing: readonly MissingComponent[];
  /** The component called `name`; throws when there is none. */
  get(name: string): ComponentHandle;
  /** The Leases of the scheduler and the controller-manager, with the process holding each. */
  leaders(): Promise<LeaderInfo[]>;
  /** Stops everything (reverse start order) and checks for survivors. Safe to call twice. */
  stop(): Promise<StopReport>;
}

/** Grace between SIGTERM and SIGKILL: a kubelet stops its pods first (their own grace is 30 s by default). */
const STOP_GRACE_MS: Record<ComponentKind | 'etcd', number> = {
  etcd: 10_000,
  'kube-apiserver': 10_000,
  'kube-scheduler': 10_000,
  'kube-controller-manager': 10_000,
  kubelet: 40_000,
  'kube-proxy': 10_000,
};

export async function startLocalCluster(opts: LocalClusterOptions = {}): Promise<LocalCluster> {
  const log = opts.log ?? (() => {});
  const dataDir = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
  const logDir = join(dataDir, 'logs');
  const runDir = join(dataDir, 'run');
  const kubeconfig = join(dataDir, 'kubeconfig');
  const nodes = opts.nodes ?? 2;
  const nodeIPs = opts.nodeIPs ?? Array.from({ length: nodes }, (_, i) => `127.0.0.${i + 1}`);
  if (nodeIPs.length < nodes) throw new Error(`nodeIPs has ${nodeIPs.length} address(es) for ${nodes} nodes`);
  const runtime = opts.runtime ?? 'process';
  const podCIDRs = opts.podCIDRs ?? Array.from({ length: nodes }, (_, i) => `10.244.${i + 1}.0/24`);
  if (podCIDRs.length < nodes) throw new Error(`podCIDRs has ${podCIDRs.length} CIDR(s) for ${nodes} nodes`);
  const healthTimeoutMs = opts.healthTimeoutMs ?? 60_000;
  const plan = new PortPlan(opts.ports ?? 'well-known');
  const extra = (kind: ComponentKind): string[] => [...(opts.verbosity !== undefined ? [`--v=${opts.verbosity}`] : []), ...(opts.extraArgs?.[kind] ?? [])];

  mkdirSync(logDir, { recursive: true });
  mkdirSync(runDir, { recursive: true });
  const releaseLock = takeDataDirLock(runDir);

  const components: ComponentHandle[] = [];
  // Last line of defence: a launcher that exits without stop() (a second Ctrl-C, a crash) takes
  // its daemons with it, and what they started (pods of the process runtime).
  const killAllNow = () => {
    for (const p of processTree(components.map((c) => c.process.pid).filter((pid): pid is number => pid !== undefined))) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  };
  process.on('exit', killAllNow);
  let stopping: Promise<StopReport> | undefined;

  const stop = (): Promise<StopReport> => {
    stopping ??= (async () => {
      // Every process of the tree now, before the daemons go: what they started is reparented
      // (out of reach of a tree walk) once they exit.
      const tree = processTree(components.map((c) => c.process.pid).filter((p): p is number => p !== undefined));
      const exits: StopReport['exits'] = [];
      for (const c of [...components].reverse()) {
        if (c.process.running) log(`stopping ${c.name} (pid ${c.process.pid})`);
        await c.process.stop(STOP_GRACE_MS[c.kind]);
        exits.push({ name: c.name, how: c.process.describeExit() });
        rmSync(join(runDir, `${c.name}.pid`), { force: true });
      }
      const orphans = stillRunning(tree);
      for (const o of orphans) {
        log(`WARNING: pid ${o.pid} (${o.command}) outlived its daemon: killing it`);
        try {
          process.kill(o.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      process.off('exit', killAllNow);
      releaseLock();
      return { exits, orphans };
    })();
    return stopping;
  };

  const start = (name: string, kind: ComponentHandle['kind'], proc: ManagedProcess, endpoints: Record<string, string>, skippedFlags: string[], node?: string): ComponentHandle => {
    const handle: ComponentHandle = { name, kind, node, process: proc, endpoints, skippedFlags };
    components.push(handle);
    if (proc.pid !== undefined) writeFileSync(join(runDir, `${name}.pid`), `${proc.pid}\n`);
    void proc.exited.then(() => {
      if (!stopping) log(`${name} ${proc.describeExit()} (log: ${rel(proc.logFile)})`);
    });
    return handle;
  };
  const waitAll = async (group: { handle: ComponentHandle; probe: HealthProbe }[]): Promise<void> => {
    await Promise.all(
      group.map(async ({ handle, probe }) => {
        const t0 = Date.now();
        await handle.process.waitHealthy(probe, {
          timeoutMs: healthTimeoutMs,
          onWaiting: (ms) => {
            if (ms >= 3_000 && Math.round(ms / 1000) % 3 === 0) log(`  ... ${handle.name} not healthy yet (${Math.round(ms / 1000)} s)`);
          },
        });
        log(`  ${handle.name.padEnd(28)} healthy after ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${handle.process.pid})`);
      }),
    );
  };

  try {
    // 2. Which components exist, and their flags.
    // A component being written may exist but not load yet: the others still run without it.
    const kinds = Object.keys(COMPONENT_MAINS) as ComponentKind[];
    const missing: MissingComponent[] = [];
    const flagSets = new Map<ComponentKind, Set<string>>();
    await Promise.all(
      kinds.map(async (kind) => {
        const main = COMPONENT_MAINS[kind];
        if (!componentMainExists(kind)) {
          missing.push({ kind, main, reason: 'does not exist (yet)' });
          return;
        }
        try {
          flagSets.set(kind, await supportedFlags(kind));
        } catch (err) {
          if (kind === 'kube-apiserver') throw err;
          const detail = String(err instanceof Error ? err.message : err).split('\n').find((l) => /Error|error:/.test(l)) ?? 'see `node ' + main + ' --help`';
          missing.push({ kind, main, reason: `does not load: ${detail.trim()}` });
        }
      }),
    );
    missing.sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind));
    if (missing.some((m) => m.kind === 'kube-apiserver')) throw new Error(`${COMPONENT_MAINS['kube-apiserver']} is missing: nothing can run without the apiserver`);
    for (const m of missing) log(`NOT STARTED: ${m.kind} - ${m.main} ${m.reason}`);
    const flagsOf = (k: ComponentKind): Set<string> => flagSets.get(k) as Set<string>;

    // 3. etcd and the apiserver.
    // etcd's port matters to nobody but etcdctl users (the launcher prints it): a taken 2379
    // (a developer's own etcd) is no reason to fail.
    const etcdClientPort = async (): Promise<number> => {
      if (opts.etcdPort === undefined && plan.mode === 'well-known' && !(await isPortFree(2379))) {
        log('etcd: port 2379 is in use, taking a free one');
        return plan.free();
      }
      return plan.requested(opts.etcdPort, 2379, 'etcd');
    };
    let etcdEndpoints = opts.etcdEndpoints;
    if (etcdEndpoints?.length) {
      log(`etcd: using ${etcdEndpoints.join(',')}`);
    } else {
      const etcd = spawnEtcd({
        dataDir: join(dataDir, 'etcd'),
        logFile: join(logDir, 'etcd.log'),
        clientPort: await etcdClientPort(),
        peerPort: await plan.free(),
        cwd: dataDir,
      });
      const handle = start('etcd', 'etcd', etcd.process, { client: etcd.clientUrl }, []);
      log(`starting etcd (data in ${rel(join(dataDir, 'etcd'))})`);
      await waitAll([{ handle, probe: etcd.probe }]);
      etcdEndpoints = [etcd.clientUrl];
    }

    const apiserverPort = await plan.requested(opts.apiserverPort, 8080, 'kube-apiserver');
    const apiserverUrl = `http://127.0.0.1:${apiserverPort}`;
    // HTTPS beside it, as upstream serves --secure-port: 6443 when free, else any free port (the
    // daemons and the kubeconfig use the plain port, so a taken 6443 is no reason to fail). The
    // self-signed pair stays in <data>/pki: its CA (apiserver.crt) keeps working across restarts.
    const securePort = plan.mode === 'well-known' && (await isPortFree(6443)) ? await plan.exact(6443, 'kube-apiserver (https)') : await plan.free();
    {
      const { args, skipped } = selectArgs(
        'kube-apiserver',
        flagsOf('kube-apiserver'),
        [
          { flag: 'etcd-servers', value: etcdEndpoints.join(','), required: true },
          { flag: 'insecure-bind-address', value: '127.0.0.1', required: true },
          { flag: 'insecure-port', value: String(apiserverPort), required: true },
          { flag: 'secure-port', value: String(securePort) },
          { flag: 'bind-address', value: '127.0.0.1' },
          { flag: 'cert-dir', value: join(dataDir, 'pki') },
        ],
        extra('kube-apiserver'),
      );
      const endpoints = { api: apiserverUrl, ...(skipped.includes('--secure-port') ? {} : { https: `https://127.0.0.1:${securePort}` }) };
      const handle = start('kube-apiserver', 'kube-apiserver', spawnComponent('kube-apiserver', 'kube-apiserver', args, logDir), endpoints, skipped);
      log('starting kube-apiserver');
      await waitAll([{ handle, probe: httpProbe(`${apiserverUrl}/readyz`) }]);
    }
    await writeKubeconfig(kubeconfig, apiserverUrl);

    // 4. Control plane daemons, then the nodes.
    const controlPlane: { handle: ComponentHandle; probe: HealthProbe }[] = [];
    for (const [kind, count, wellKnown] of [
      ['kube-scheduler', opts.schedulers ?? 2, 10259],
      ['kube-controller-manager', opts.controllerManagers ?? 2, 10257],
    ] as const) {
      if (!flagSets.has(kind)) continue;
      for (let i = 1; i <= count; i++) {
        const name = `${kind}-${i}`;
        const port = await plan.port(wellKnown, i, name);
        const flags = flagsOf(kind);
        const { args, skipped } = selectArgs(
          kind,
          flags,
          [
            ...apiserverWishes(flags, apiserverUrl, kubeconfig),
            { flag: 'leader-elect', value: 'true', required: true },
            { flag: 'bind-address', value: '127.0.0.1' },
            { flag: 'port', value: String(port), required: true },
          ],
          extra(kind),
        );
        const healthz = `http://127.0.0.1:${port}/healthz`;
        controlPlane.push({ handle: start(name, kind, spawnComponent(kind, name, args, logDir), { healthz }, skipped), probe: httpProbe(healthz) });
      }
    }
    if (controlPlane.length > 0) {
      log(`starting ${controlPlane.map((c) => c.handle.name).join(', ')}`);
      await waitAll(controlPlane);
    }

    const podNetwork = choosePodNetwork(opts.podNetwork ?? 'auto', runtime, flagSets.get('kubelet'));
    if (podNetwork.note) log(podNetwork.note);
    const nodeGroup: { handle: ComponentHandle; probe: HealthProbe }[] = [];
    for (let i = 1; i <= nodes; i++) {
      const node = `node-${i}`;
      const nodeIP = nodeIPs[i - 1];
      if (flagSets.has('kubelet')) {
        const name = `kubelet-${node}`;
        const flags = flagsOf('kubelet');
        const apiPort = await plan.port(10250, i, `${name} (API)`);
        const healthzPort = await plan.port(10248, i, `${name} (healthz)`);
        const { args, skipped } = selectArgs(
          'kubelet',
          flags,
          [
            ...apiserverWishes(flags, apiserverUrl, kubeconfig),
            { flag: 'node-name', value: node, required: true },
            { flag: 'hostname-override', value: node },
            { flag: 'container-runtime', value: runtime, required: true },
            { flag: 'node-ip', value: nodeIP, required: true },
            { flag: 'address', value: nodeIP },
            { flag: 'port', value: String(apiPort), required: true },
            { flag: 'healthz-bind-address', value: '127.0.0.1' },
            { flag: 'healthz-port', value: String(healthzPort), required: true },
            { flag: 'root-dir', value: join(dataDir, 'kubelet', node) },
            ...(podNetwork.mode ? [{ flag: 'pod-network', value: podNetwork.mode, required: true }] : []),
            ...(podNetwork.mode === 'bridge' ? [{ flag: 'pod-cidr', value: podCIDRs[i - 1], required: true }] : []),
          ],
          extra('kubelet'),
        );
        const healthz = `http://127.0.0.1:${healthzPort}/healthz`;
        nodeGroup.push({
          handle: start(name, 'kubelet', spawnComponent('kubelet', name, args, logDir), { 'node-ip': nodeIP, api: `http://${nodeIP}:${apiPort}`, healthz }, skipped, node),
          probe: httpProbe(healthz),
        });
      }
      if (flagSets.has('kube-proxy')) {
        const name = `kube-proxy-${node}`;
        const flags = flagsOf('kube-proxy');
        const healthzPort = await plan.port(10256, i, `${name} (healthz)`);
        const metricsPort = await plan.port(10249, i, `${name} (metrics)`);
        const { args, skipped } = selectArgs(
          'kube-proxy',
          flags,
          [
            ...apiserverWishes(flags, apiserverUrl, kubeconfig),
            { flag: 'hostname-override', value: node, required: true },
            { flag: 'proxy-mode', value: 'userspace' },
            // NodePorts on the node's own address: two proxies on one machine cannot share one.
            { flag: 'bind-address', value: nodeIP, required: true },
            { flag: 'healthz-bind-address', value: '127.0.0.1' },
            { flag: 'healthz-port', value: String(healthzPort) },
            { flag: 'metrics-bind-address', value: '127.0.0.1' },
            { flag: 'metrics-port', value: String(metricsPort) },
          ],
          extra('kube-proxy'),
        );
        if (!flags.has('healthz-port') && !flags.has('healthz-bind-address')) throw new Error('kube-proxy has neither --healthz-port nor --healthz-bind-address: the launcher cannot tell when it is up');
        const healthz = `http://127.0.0.1:${healthzPort}/healthz`;
        nodeGroup.push({
          handle: start(name, 'kube-proxy', spawnComponent('kube-proxy', name, args, logDir), { nodePorts: `${nodeIP}:<nodePort>`, healthz, metrics: `http://127.0.0.1:${metricsPort}/metrics` }, skipped, node),
          probe: httpProbe(healthz),
        });
      }
    }
    if (nodeGroup.length > 0) {
      log(`starting ${nodeGroup.map((c) => c.handle.name).join(', ')}`);
      await waitAll(nodeGroup);
    }
    for (const c of components) if (c.skippedFlags.length > 0) log(`note: ${c.name} has no ${c.skippedFlags.join(', ')} flag(s): not passed`);

    const endpoints = etcdEndpoints;
    return {
      dataDir,
      logDir,
      kubeconfig,
      apiserverUrl,
      etcdEndpoints: endpoints,
      components,
      missing,
      get(name) {
        const c = components.find((x) => x.name === name);
        if (!c) throw new Error(`no component ${name} in this cluster (there are: ${components.map((x) => x.name).join(', ')})`);
        return c;
      },
      leaders: () =>
        readLeaders(
          apiserverUrl,
          components.filter((c) => c.kind === 'kube-scheduler' || c.kind === 'kube-controller-manager').map((c) => ({ name: c.name, pid: c.process.pid, readLog: () => c.process.readLog() })),
        ),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }

  function rel(p: string): string {
    const r = relative(process.cwd(), p);
    return r.startsWith('..') ? p : r;
  }
}

/**
 * The kubelets' --pod-network (undefined: do not pass it) and a line for the log when the choice
 * matters to the user.
 */
function choosePodNetwork(want: 'auto' | 'host' | 'bridge', runtime: RuntimeName, kubeletFlags: Set<string> | undefined): { mode?: 'host' | 'bridge'; note?: string } {
  if (runtime !== 'process' || !kubeletFlags) return {};
  const canBridge = process.platform === 'linux' && process.getuid?.() === 0;
  if (!kubeletFlags.has('pod-network')) {
    if (want === 'bridge') throw new Error('the kubelet has no --pod-network flag: bridge pod networking is not available');
    return { note: 'note: pods run in the host network (the kubelet has no --pod-network): replicas of one server clash on their port' };
  }
  if (want === 'bridge' && !canBridge) throw new Error('--pod-network=bridge needs root on Linux (network namespaces, veths, a bridge)');
  if (want === 'host' || (want === 'auto' && !canBridge)) {
    return { mode: 'host', note: `note: pods run in the host network${want === 'auto' ? ' (bridge networking needs root on Linux)' : ''}: pod IP = node IP, replicas of one server clash on their port` };
  }
  return { mode: 'bridge' };
}

/** `node <main> ...args` from the repository root, logging to `<logDir>/<name>.log`. */
function spawnComponent(kind: ComponentKind, name: string, args: string[], logDir: string): ManagedProcess {
  return new ManagedProcess({ name, command: process.execPath, args: [COMPONENT_MAINS[kind], ...args], cwd: REPO_ROOT, logFile: join(logDir, `${name}.log`) });
}

/**
 * One launcher per data directory: `run/launcher.pid` names the owner; a file left by a
 * launcher that is gone is taken over. Returns the release function.
 */
function takeDataDirLock(runDir: string): () => void {
  const lock = join(runDir, 'launcher.pid');
  let owner: number | undefined;
  try {
    owner = Number(readFileSync(lock, 'utf8').trim());
  } catch {
    owner = undefined;
  }
  if (owner && owner !== process.pid && isAlive(owner)) {
    throw new Error(`another launcher (pid ${owner}) runs on ${runDir}/..: stop it first, or use another --data-dir`);
  }
  writeFileSync(lock, `${process.pid}\n`);
  return () => rmSync(lock, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
