// Kubelets for the workload controller tests (DaemonSet, StatefulSet, Job, CronJob), replaced
// by one in-process helper that writes what a kubelet would through the API:
// - registers Ready nodes (with labels / taints) and can add, relabel and delete them later;
// - optionally binds unscheduled pods itself (a trivial scheduler honouring nodeSelector,
//   required node affinity on metadata.name, and NoSchedule/NoExecute taints); leave it off
//   when a real kube-scheduler runs;
// - marks bound pods Running, then Ready unless the test holds readiness (autoReady);
// - finishes pods on request: finish(ns, name, 'Succeeded' | 'Failed') writes the terminal
//   phase and terminated container states through pods/status, as a kubelet does when the
//   containers exit;
// - confirms graceful deletions (delete with grace 0), as a kubelet does once containers stop;
//   a pod with finalizers is first marked Failed (exit 137), since it outlives the confirmation.
// Nothing here sleeps to wait: work is driven by pod and node events.

import type { KubeObject, RestClient } from '@minik8s/shared';
import { SharedInformerFactory, WorkQueue, isConflict, isNotFound, metaNamespaceKey } from '@minik8s/shared';
import { toleratesTaint, type Taint, type Toleration } from '../../src/util/taints.ts';

export interface TestNode {
  name: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
}

export interface WorkloadKubeletsOptions {
  nodes: (string | TestNode)[];
  /** Bind pods that have no node (default false: a real scheduler does it). */
  bind?: boolean;
  /** Whether a Running pod becomes Ready on its own (default: every pod does). */
  autoReady?: (pod: KubeObject) => boolean;
}

const rfc3339 = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class WorkloadKubelets {
  private readonly client: RestClient;
  private readonly opts: WorkloadKubeletsOptions;
  private readonly abort = new AbortController();
  private readonly factory: SharedInformerFactory;
  private readonly queue = new WorkQueue<string>();
  private readonly ready = new Set<string>();
  private readonly managed = new Set<string>();
  private workers: Promise<void>[] = [];
  private rr = 0;
  private ipSeq = 0;
  readonly pods;
  readonly nodes;

  constructor(client: RestClient, opts: WorkloadKubeletsOptions) {
    this.client = client;
    this.opts = opts;
    this.factory = new SharedInformerFactory(client);
    this.pods = this.factory.informerFor('pods');
    this.nodes = this.factory.informerFor('nodes');
    this.pods.addEventHandler({
      onAdd: (p) => this.queue.add(metaNamespaceKey(p)),
      onUpdate: (_o, p) => this.queue.add(metaNamespaceKey(p)),
    });
    this.nodes.addEventHandler({ onAdd: () => this.requeueUnbound(), onUpdate: () => this.requeueUnbound() });
  }

  async start(): Promise<void> {
    for (const n of this.opts.nodes) await this.addNode(typeof n === 'string' ? { name: n } : n);
    this.factory.start(this.abort.signal);
    await this.factory.waitForCacheSync(this.abort.signal);
    for (let i = 0; i < 4; i++) this.workers.push(this.worker());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.queue.shutDown();
    await Promise.all(this.workers);
    await this.factory.shutdown();
  }

  /** Registers a Ready node this helper runs pods on. */
  async addNode(node: TestNode): Promise<void> {
    this.managed.add(node.name);
    const created = await this.client.create<KubeObject>('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node.name, labels: { 'kubernetes.io/hostname': node.name, ...(node.labels ?? {}) } },
      spec: node.taints ? { taints: node.taints } : {},
    });
    const t = rfc3339();
    await this.client.updateStatus('nodes', {
      ...created,
      status: {
        capacity: { cpu: '8', memory: '16Gi', pods: '110' },
        allocatable: { cpu: '8', memory: '16Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: t, lastTransitionTime: t }],
        addresses: [{ type: 'InternalIP', address: `192.168.0.${this.managed.size + 10}` }],
      },
    });
  }

  /** Replaces the node's labels (keeping kubernetes.io/hostname). */
  async labelNode(name: string, labels: Record<string, string>): Promise<void> {
    for (;;) {
      const node = await this.client.get('nodes', name);
      node.metadata.labels = { 'kubernetes.io/hostname': name, ...labels };
      try {
        await this.client.update('nodes', node);
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  }

  /** Deletes the Node object; this helper stops running its pods. */
  async deleteNode(name: string): Promise<void> {
    this.managed.delete(name);
    await this.client.delete('nodes', name);
  }

  /** Makes the pod now called `name` Ready once Running (tests that hold readiness with autoReady). */
  markReady(namespace: string, name: string): void {
    const uid = this.pods.get(namespace, name)?.metadata.uid;
    if (!uid) throw new Error(`pod ${namespace}/${name} is not in the cache`);
    this.ready.add(uid);
    this.queue.add(`${namespace}/${name}`);
  }

  /** The pod's containers exited: phase Succeeded (exit 0) or Failed (exit 1 unless given). */
  async finish(namespace: string, name: string, phase: 'Succeeded' | 'Failed', exitCode = phase === 'Succeeded' ? 0 : 1): Promise<void> {
    for (;;) {
      const pod = await this.client.get('pods', name, { namespace });
      const t = rfc3339();
      const reason = phase === 'Succeeded' ? 'Completed' : 'Error';
      pod.status = {
        ...(pod.status ?? {}),
        phase,
        conditions: (pod.status?.conditions ?? []).map((c: { type: string }) =>
          c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: t } : c,
        ),
        containerStatuses: (pod.spec?.containers ?? []).map((c: { name: string; image: string }) => ({
          name: c.name,
          image: c.image,
          ready: false,
          restartCount: 0,
          started: false,
          state: { terminated: { exitCode, reason, startedAt: pod.status?.startTime ?? t, finishedAt: t } },
        })),
      };
      try {
        await this.client.updateStatus('pods', pod);
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  }

  private requeueUnbound(): void {
    if (!this.opts.bind) return;
    for (const p of this.pods.list()) if (!p.spec?.nodeName) this.queue.add(metaNamespaceKey(p));
  }

  private async worker(): Promise<void> {
    for (;;) {
      const { item, shutdown } = await this.queue.get();
      if (shutdown) return;
      try {
        await this.sync(item);
      } catch (err) {
        if (!this.abort.signal.aborted && !isNotFound(err) && !isConflict(err)) {
          process.stderr.write(`workload kubelets: ${item}: ${(err as Error).message}\n`);
        }
        if (!this.abort.signal.aborted) setTimeout(() => this.queue.add(item), 50);
      } finally {
        this.queue.done(item);
      }
    }
  }

  /** Whether the trivial scheduler may put `pod` on `node`. */
  private fits(pod: KubeObject, node: KubeObject): boolean {
    if (!this.managed.has(node.metadata.name!)) return false;
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>)) if (labels[k] !== v) return false;
    const terms = (pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) as { matchFields?: { key: string; values?: string[] }[] }[];
    for (const term of terms) {
      for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && !f.values?.includes(node.metadata.name!)) return false;
    }
    const tolerations = (pod.spec?.tolerations ?? []) as Toleration[];
    for (const taint of (node.spec?.taints ?? []) as Taint[]) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!tolerations.some((t) => toleratesTaint(t, taint))) return false;
    }
    return true;
  }

  private async sync(key: string): Promise<void> {
    const [ns, name] = key.split('/') as [string, string];
    const pod = this.pods.get(ns, name);
    if (!pod) return;
    const nodeName: string | undefined = pod.spec?.nodeName;
    if (!nodeName) {
      if (!this.opts.bind || pod.metadata.deletionTimestamp) return;
      const candidates = this.nodes.list().filter((n) => this.fits(pod, n)).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
      if (candidates.length === 0) return; // requeued when a node changes
      const target = candidates[this.rr++ % candidates.length]!.metadata.name!;
      await this.client.create('pods', { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns }, target: { apiVersion: 'v1', kind: 'Node', name: target } } as KubeObject, {
        namespace: ns,
        subresource: 'binding',
        name,
      });
      return;
    }
    if (!this.managed.has(nodeName)) return;
    if (pod.metadata.deletionTimestamp) {
      // Already confirmed: finalizers (the Job's tracking finalizer) keep it until removed.
      if (pod.metadata.deletionGracePeriodSeconds === 0) return;
      const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
      if (!terminal && (pod.metadata.finalizers?.length ?? 0) > 0) {
        // A pod that outlives its deletion shows how it ended, as the kubelet reports the
        // killed containers (exit 137) before confirming.
        await this.finish(ns, name, 'Failed', 137);
        return; // the status update brings it back for the confirmation
      }
      await this.client.delete('pods', name, { namespace: ns, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid! } });
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const t = rfc3339();
    if (phase !== 'Running') {
      const ip = `10.244.${Math.floor(++this.ipSeq / 250)}.${(this.ipSeq % 250) + 2}`;
      await this.client.updateStatus('pods', {
        ...pod,
        status: {
          ...(pod.status ?? {}),
          phase: 'Running',
          podIP: ip,
          podIPs: [{ ip }],
          startTime: pod.status?.startTime ?? t,
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
            { type: 'Initialized', status: 'True', lastTransitionTime: t },
            { type: 'ContainersReady', status: 'False', lastTransitionTime: t },
            { type: 'Ready', status: 'False', lastTransitionTime: t },
          ],
          containerStatuses: (pod.spec?.containers ?? []).map((c: { name: string; image: string }) => ({
            name: c.name,
            image: c.image,
            ready: false,
            restartCount: 0,
            started: true,
            state: { running: { startedAt: t } },
          })),
        },
      });
      return; // its update event brings it back for readiness
    }
    const isReady = (pod.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
    if (isReady) return;
    if (!this.ready.has(pod.metadata.uid!) && !(this.opts.autoReady?.(pod) ?? true)) return;
    await this.client.updateStatus('pods', {
      ...pod,
      status: {
        ...pod.status,
        conditions: (pod.status?.conditions ?? []).map((c: { type: string }) =>
          c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'True', lastTransitionTime: t } : c,
        ),
        containerStatuses: (pod.status?.containerStatuses ?? []).map((c: object) => ({ ...c, ready: true })),
      },
    });
  }
}
