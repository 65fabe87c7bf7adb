// The kubelet (kubelet.go): one per node. It registers the Node and keeps it alive (status and
// Lease), watches the pods bound to its node plus its static pods, and runs each through a pod
// worker on the container runtime; it serves logs and exec on its own port.
//
// Sources of work for the pod workers:
// - the pod informer (fieldSelector spec.nodeName=<node>): create/update/kill per pod;
// - the static pod directory (every --file-check-frequency);
// - the PLEG relist and the runtime's own events (a container exited);
// - probe result changes, back-off timers, and a periodic resync of every pod (--sync-frequency);
// - housekeeping every 2 s: orphaned mirror pods and runtime pods nobody asked for are removed.
//
// Shutdown (signal aborts): sources stop, workers finish what they do, statuses are flushed, the
// servers close and the runtime is closed (the process runtime stops its containers there).

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { realClock, type KubeObject, type RestClient, type SharedIndexInformer, isNotFound } from '@minik8s/shared';
import { SharedInformerFactory } from '@minik8s/shared';
import type { Pod } from './api/pod.ts';
import { podDesc, podKey, rfc3339 } from './api/pod.ts';
import { admitPod } from './admission.ts';
import type { KubeletConfig } from './config.ts';
import { EventRecorder } from '@minik8s/shared';
import { nodeRef, podRef } from './events/object-refs.ts';
import { readMachineInfo, type MachineInfo } from './node/machine-info.ts';
import { NodeLeaseController } from './node/node-lease.ts';
import { allocatable, capacity, nodeLabels } from './node/node-status.ts';
import { NodeStatusManager } from './node/node-status-manager.ts';
import { PodManager } from './pod-manager.ts';
import type { ConfigSource } from './pod-workers/container-env.ts';
import { KubeletPodSyncer } from './pod-workers/pod-syncer.ts';
import { PodWorkers } from './pod-workers/pod-workers.ts';
import { POD_UID_LABEL } from './pod-workers/labels.ts';
import { GenericPleg } from './pleg.ts';
import { ProbeManager } from './probes/probe-manager.ts';
import type { RuntimeService } from './runtime/interface.ts';
import { ProcessRuntime } from './runtime/process/process-runtime.ts';
import { KubeletServer } from './server/kubelet-server.ts';
import { readStaticPods, CONFIG_MIRROR_ANNOTATION } from './static-pods/file-source.ts';
import { MirrorClient } from './static-pods/mirror-client.ts';
import { StatusManager } from './status/status-manager.ts';
import { latestContainer } from './status/generate-pod-status.ts';

/** Whether two versions of a pod differ in what the kubelet acts on (not just status). */
export function podsDifferSemantically(a: Pod, b: Pod): boolean {
  const pick = (p: Pod) =>
    JSON.stringify([p.spec, p.metadata.labels ?? {}, p.metadata.annotations ?? {}, p.metadata.deletionTimestamp ?? null, p.metadata.deletionGracePeriodSeconds ?? null]);
  return pick(a) !== pick(b);
}

export interface KubeletDeps {
  config: KubeletConfig;
  client: RestClient;
  runtime: RuntimeService;
  logger: Logger;
  registry?: Registry;
  /** Receives the kubelet server's port once it listens (tests use port 0). */
  onListening?(port: number): void;
}

export class Kubelet {
  readonly config: KubeletConfig;
  readonly runtime: RuntimeService;
  readonly podManager = new PodManager();
  readonly recorder: EventRecorder;
  readonly statusManager: StatusManager;
  readonly probeManager: ProbeManager;
  readonly syncer: KubeletPodSyncer;
  readonly podWorkers: PodWorkers;
  readonly server: KubeletServer;
  private readonly client: RestClient;
  private readonly logger: Logger;
  private readonly mirrors: MirrorClient;
  private readonly deps: KubeletDeps;
  private machine: MachineInfo | undefined;
  private nodeStatus: NodeStatusManager | undefined;
  private lease: NodeLeaseController | undefined;
  private podInformer: SharedIndexInformer<Pod> | undefined;
  private staticSourceRead = false;
  /** The API pod as last handed to its worker, by uid. */
  private readonly lastSeen = new Map<string, Pod>();
  /** Pods refused at admission, by uid: they never get a worker. */
  private readonly rejected = new Set<string>();

  constructor(deps: KubeletDeps) {
    const { config, client, runtime, logger } = deps;
    this.deps = deps;
    this.config = config;
    this.client = client;
    this.runtime = runtime;
    this.logger = logger;
    this.recorder = new EventRecorder({ client, component: 'kubelet', host: config.nodeName, logger });
    this.statusManager = new StatusManager({
      client,
      getApiPod: (ns, name) => this.podInformer?.get(ns, name),
      isStaticPod: (pod) => this.podManager.isStaticPod(pod),
      logger,
    });
    this.probeManager = new ProbeManager({
      runtime,
      recorder: this.recorder,
      logger,
      containerOf: (uid, name) => {
        const state = this.syncer.runtimeState(uid);
        if (!state) return undefined;
        const c = latestContainer(state, name);
        if (!c) return undefined;
        const sb = state.sandboxes.find((s) => s.id === c.podSandboxId);
        return { id: c.id, running: c.state === 'CONTAINER_RUNNING', startedAt: c.startedAt, podIP: sb?.network.ip ?? config.nodeIP };
      },
      onChange: (uid) => this.podWorkers.sync(uid),
    });
    const mirrors = new MirrorClient({
      client,
      nodeName: config.nodeName,
      node: () => this.nodeStatus?.current,
      requireNode: config.registerNode,
      getApiPod: (ns, name) => this.podManager.mirrorPod(`${ns}/${name}`),
      logger,
    });
    this.mirrors = mirrors;
    this.syncer = new KubeletPodSyncer({
      nodeName: config.nodeName,
      runtime,
      recorder: this.recorder,
      statusManager: this.statusManager,
      probeManager: this.probeManager,
      configSource: this.configSource(),
      podDir: (uid) => join(config.rootDir, 'pods', uid),
      podLogDir: (pod) => join(config.podLogsDir, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`),
      hostIP: () => config.nodeIP,
      nodeAllocatable: () => this.allocatable(),
      isStaticPod: (pod) => this.podManager.isStaticPod(pod),
      mirrorPods: mirrors,
      backoffInitialMs: config.crashLoopBackOffInitialMs,
      backoffMaxMs: config.crashLoopBackOffMaxMs,
      logger,
    });
    this.podWorkers = new PodWorkers({ syncer: this.syncer, logger });
    this.server = new KubeletServer({
      runtime,
      findPod: (ns, name) => this.podManager.podByKey(ns, name),
      podStatus: (uid) => this.statusManager.getPodStatus(uid),
      pods: () => this.podWorkers.pods(),
      registry: deps.registry,
      logger,
    });
  }

  /** Reads ConfigMaps and Secrets straight from the apiserver (upstream's Get strategy). */
  private configSource(): ConfigSource {
    const get = async (resource: 'configmaps' | 'secrets', ns: string, name: string): Promise<KubeObject | undefined> => {
      try {
        return await this.client.get(resource, name, { namespace: ns });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    };
    return { getConfigMap: (ns, n) => get('configmaps', ns, n), getSecret: (ns, n) => get('secrets', ns, n) };
  }

  /** The node's pod CIDR: spec.podCIDR as the Node says (IPAM), else --pod-cidr. */
  podCIDR(): string | undefined {
    return this.nodeStatus?.current?.spec?.podCIDR ?? this.config.podCIDR;
  }

  private allocatable(): Record<string, string> {
    if (!this.machine) return {};
    return allocatable(this.statusConfig(), capacity(this.statusConfig(), this.machine));
  }

  private statusConfig() {
    const c = this.config;
    return {
      nodeName: c.nodeName,
      hostname: c.hostname,
      nodeIP: c.nodeIP,
      kubeletPort: c.port,
      maxPods: c.maxPods,
      nodeLabels: c.nodeLabels,
      capacityOverrides: c.nodeCapacity,
      kubeReserved: c.kubeReserved,
      systemReserved: c.systemReserved,
      registerWithTaints: c.registerWithTaints,
      podCIDR: c.podCIDR,
    };
  }

  /** Runs until `signal` aborts; resolves once everything stopped. */
  async run(signal: AbortSignal): Promise<void> {
    const { config, logger, runtime } = this;
    await mkdir(join(config.rootDir, 'pods'), { recursive: true });
    await mkdir(config.podLogsDir, { recursive: true });
    this.machine = await readMachineInfo(config.rootDir);
    const version = await runtime.version();
    logger.info({ runtime: version.runtimeName, version: version.runtimeVersion, node: config.nodeName, nodeIP: config.nodeIP }, 'starting kubelet');
    if (runtime instanceof ProcessRuntime) {
      if (runtime.podNetwork === 'host') logger.info({ nodeIP: config.nodeIP }, 'the process runtime runs every pod in the host network namespace: pod IP = node IP, ports are shared');
      else logger.info({ podNetwork: config.podNetwork }, 'the process runtime gives every pod a network namespace and an IP of its own on the node bridge');
    }

    const port = await this.server.listen(config.address, config.port);
    logger.info({ address: config.address, port }, `kubelet server listening on ${config.address}:${port}`);
    this.deps.onListening?.(port);

    const tasks: Promise<void>[] = [];
    if (config.registerNode) {
      // Registration retries until the apiserver answers, in the background: the pod sources
      // below start at once, so static pods run without an apiserver (as upstream's kubelet
      // runs a control plane's static pods before there is one to register with).
      this.nodeStatus = new NodeStatusManager({
        client: this.client,
        config: { ...this.statusConfig(), kubeletPort: port },
        machine: this.machine,
        runtimeHealth: async () => {
          try {
            const v = await runtime.version();
            return { containerRuntimeVersion: `${v.runtimeName}://${v.runtimeVersion}` };
          } catch (err) {
            return { containerRuntimeVersion: `${runtime.type}://unknown`, notReadyReason: `container runtime is down: ${(err as Error).message}` };
          }
        },
        updateFrequencyMs: config.nodeStatusUpdateFrequencyMs,
        reportFrequencyMs: config.nodeStatusReportFrequencyMs,
        recorder: this.recorder,
        logger,
      });
      this.recorder.event(nodeRef(config.nodeName), 'Normal', 'Starting', 'Starting kubelet.');
      const nodeStatus = this.nodeStatus;
      tasks.push(
        (async () => {
          if (!(await nodeStatus.register(signal))) return;
          this.lease = new NodeLeaseController({
            client: this.client,
            nodeName: config.nodeName,
            leaseDurationSeconds: config.nodeLeaseDurationSeconds,
            node: () => nodeStatus.current,
            logger,
          });
          // Mirror pods wait for the Node (their owner): make them now.
          this.podWorkers.syncAll();
          await Promise.all([nodeStatus.run(signal), this.lease.run(signal)]);
        })(),
      );
    }

    // Pods bound to this node (and mirror pods of its static pods).
    const factory = new SharedInformerFactory(this.client, { logger });
    this.podInformer = factory.informerFor<Pod>('pods', { fieldSelector: `spec.nodeName=${config.nodeName}` });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.onApiPod(pod),
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion && old !== pod) return;
        this.onApiPod(pod);
      },
      onDelete: (pod) => this.onApiPodDeleted(pod),
    });
    factory.start(signal);

    runtime.onEvent((e) => {
      if (e.podUid) this.podWorkers.sync(e.podUid);
    });
    const pleg = new GenericPleg({ runtime, relistPeriodMs: config.plegRelistPeriodMs, onPodChanged: (uid) => this.podWorkers.sync(uid), logger });
    tasks.push(pleg.run(signal));
    if (config.podManifestPath) tasks.push(this.staticPodLoop(config.podManifestPath, signal));
    else this.staticSourceRead = true;
    tasks.push(this.periodic(config.syncFrequencyMs, signal, () => this.podWorkers.syncAll()));
    tasks.push(this.periodic(2_000, signal, () => this.housekeeping()));

    await Promise.all(tasks);
    await factory.shutdown();
    await this.shutdown();
  }

  private async shutdown(): Promise<void> {
    await this.podWorkers.shutdown();
    this.probeManager.stopAll();
    await Promise.race([this.statusManager.flush(), realClock.sleep(5_000)]);
    this.statusManager.stop();
    await Promise.race([this.recorder.flush(), realClock.sleep(2_000)]);
    await this.server.close().catch(() => {});
    await this.runtime.close();
  }

  private async periodic(ms: number, signal: AbortSignal, fn: () => void | Promise<void>): Promise<void> {
    while (await realClock.sleep(ms, signal)) {
      try {
        await fn();
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'periodic task failed');
      }
    }
  }

  // ---- sources ------------------------------------------------------------------------------

  private onApiPod(pod: Pod): void {
    if (this.podManager.setApiPod(pod) === 'mirror') {
      const sp = this.podManager.staticPodByKey(podKey(pod));
      if (sp) {
        this.podWorkers.sync(sp.metadata.uid!);
        this.statusManager.resync(sp.metadata.uid!);
      }
      return;
    }
    const uid = pod.metadata.uid!;
    if (this.rejected.has(uid)) return;
    if (!this.podWorkers.has(uid) && !pod.metadata.deletionTimestamp && !this.isTerminalPhase(pod)) {
      const active = this.podWorkers.pods().filter((p) => p.metadata.uid !== uid && this.podWorkers.state(p.metadata.uid!) === 'syncing');
      const verdict = admitPod(pod, active, this.machine ? nodeLabels(this.statusConfig(), this.machine) : {}, this.allocatable());
      if (!verdict.admit) {
        this.reject(pod, verdict.reason!, verdict.message!);
        return;
      }
    }
    if (!this.podWorkers.has(uid) && this.isTerminalPhase(pod)) {
      // A pod that already finished (on a previous run of this kubelet): nothing to start.
      return;
    }
    const known = this.podWorkers.has(uid);
    // A change of status only (our own writes coming back) is no reason to sync, as upstream's
    // pod config compares spec, labels, annotations and deletion fields.
    if (known && this.lastSeen.has(uid) && !podsDifferSemantically(this.lastSeen.get(uid)!, pod)) {
      this.lastSeen.set(uid, pod);
      return;
    }
    this.lastSeen.set(uid, pod);
    this.podWorkers.update({ pod, type: known ? 'update' : 'create' });
  }

  private isTerminalPhase(pod: Pod): boolean {
    return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  }

  private reject(pod: Pod, reason: string, message: string): void {
    this.rejected.add(pod.metadata.uid!);
    this.logger.info({ pod: podDesc(pod), reason }, 'pod rejected at admission');
    this.recorder.event(podRef(pod), 'Warning', reason, message);
    const now = Date.now();
    this.statusManager.setPodStatus(pod, {
      ...(pod.status ?? {}),
      phase: 'Failed',
      reason,
      message,
      startTime: pod.status?.startTime ?? rfc3339(now),
    });
  }

  private onApiPodDeleted(pod: Pod): void {
    if (this.podManager.deleteApiPod(pod) === 'mirror') {
      const sp = this.podManager.staticPodByKey(podKey(pod));
      if (sp) this.podWorkers.sync(sp.metadata.uid!);
      return;
    }
    this.rejected.delete(pod.metadata.uid!);
    this.lastSeen.delete(pod.metadata.uid!);
    if (this.podWorkers.has(pod.metadata.uid!)) this.podWorkers.update({ pod, type: 'kill' });
    else this.statusManager.removePod(pod.metadata.uid!);
  }

  private async staticPodLoop(dir: string, signal: AbortSignal): Promise<void> {
    do {
      try {
        const pods = await readStaticPods(dir, this.config.nodeName, this.logger);
        const { added, removed } = this.podManager.setStaticPods(pods);
        for (const p of removed) {
          this.logger.info({ pod: podDesc(p) }, 'static pod removed from its manifest directory');
          this.podWorkers.update({ pod: p, type: 'kill' });
        }
        for (const p of added) {
          this.logger.info({ pod: podDesc(p) }, 'static pod found in the manifest directory');
          this.podWorkers.update({ pod: p, type: 'create' });
        }
        this.staticSourceRead = true;
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'reading static pods failed');
      }
    } while (await realClock.sleep(this.config.fileCheckFrequencyMs, signal));
  }

  /** Removes what nobody asked for: mirror pods without a static pod, runtime pods without a pod. */
  private async housekeeping(): Promise<void> {
    this.syncer.crashBackoff.gc();
    this.syncer.imageBackoff.gc();
    if (!this.podInformer?.hasSynced() || !this.staticSourceRead) return;
    for (const m of this.podManager.mirrorPods()) {
      const sp = this.podManager.staticPodByKey(podKey(m));
      if (!sp && m.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION]) {
        this.logger.info({ pod: podKey(m) }, 'deleting orphaned mirror pod');
        await this.mirrors.deleteMirror(m);
      }
    }
    const known = (uid: string) => this.podManager.has(uid) || this.podWorkers.has(uid);
    const orphans = new Set<string>();
    for (const sb of await this.runtime.listPodSandbox()) if (!known(sb.metadata.uid)) orphans.add(sb.metadata.uid);
    for (const c of await this.runtime.listContainers()) {
      const uid = c.labels[POD_UID_LABEL];
      if (uid && !known(uid)) orphans.add(uid);
    }
    for (const uid of orphans) {
      // Known to nobody: stop and remove it through a worker, as a deleted pod.
      const sb = (await this.runtime.listPodSandbox({ podUid: uid }))[0];
      const pod: Pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { uid, name: sb?.metadata.name ?? uid, namespace: sb?.metadata.namespace ?? 'default', deletionGracePeriodSeconds: 2 },
        spec: { containers: [] },
      };
      this.logger.info({ uid }, 'cleaning up orphaned pod in the runtime');
      this.podWorkers.update({ pod, type: 'kill' });
    }
  }
}
