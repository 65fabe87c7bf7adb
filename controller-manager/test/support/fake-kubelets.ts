// Kubelets (and a trivial scheduler) replaced by one in-process test helper, so controller
// tests need no containers:
// - registers Node objects (Ready) and renews their Leases in kube-node-lease;
// - binds unscheduled pods round-robin to live nodes without NoSchedule/NoExecute taints;
// - marks bound pods Running (with a pod IP) and Ready after `readyDelayMs`;
// - confirms graceful deletions (deletes with grace 0) of pods on live nodes.
// stopNode(name) makes one node's "kubelet" die: no more lease renewals, status or pod work.

import type { KubeObject, RestClient } from '@minik8s/shared';
import { SharedInformerFactory, WorkQueue, isConflict, isNotFound, isStatusError, metaNamespaceKey } from '@minik8s/shared';

export interface FakeKubeletsOptions {
  nodes: string[];
  /** How often leases are renewed (default 200 ms). */
  heartbeatMs?: number;
  /** A bound pod becomes Ready this long after it runs (default 0). */
  readyDelayMs?: number;
  /** Node labels, per node name. */
  labels?: Record<string, Record<string, string>>;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const microNow = () => new Date().toISOString().replace('Z', '000Z');

export class FakeKubelets {
  private readonly client: RestClient;
  private readonly opts: Required<Omit<FakeKubeletsOptions, 'labels'>> & { labels: Record<string, Record<string, string>> };
  private readonly live = new Set<string>();
  private readonly abort = new AbortController();
  private readonly factory: SharedInformerFactory;
  private readonly queue = new WorkQueue<string>();
  private readonly ips = new Map<string, number>();
  /** pod uid -> when we marked it Running (our clock, ms). */
  private readonly runningAt = new Map<string, number>();
  private rr = 0;
  private loops: Promise<void>[] = [];
  readonly pods;
  readonly nodes;

  constructor(client: RestClient, opts: FakeKubeletsOptions) {
    this.client = client;
    this.opts = { heartbeatMs: 200, readyDelayMs: 0, labels: {}, ...opts };
    this.factory = new SharedInformerFactory(client);
    this.pods = this.factory.informerFor('pods');
    this.nodes = this.factory.informerFor('nodes');
    this.pods.addEventHandler({
      onAdd: (p) => this.queue.add(metaNamespaceKey(p)),
      onUpdate: (_o, p) => this.queue.add(metaNamespaceKey(p)),
    });
    // A taint removed or a node back: pending pods may fit now.
    this.nodes.addEventHandler({ onUpdate: () => this.requeuePending() });
  }

  async start(): Promise<void> {
    for (const [i, name] of this.opts.nodes.entries()) {
      this.live.add(name);
      this.ips.set(name, 0);
      await this.client.create('nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(this.opts.labels[name] ?? {}) } },
        spec: {},
      } as KubeObject);
      await this.postStatus(name);
      await this.renewLease(name, true);
      void i;
    }
    this.factory.start(this.abort.signal);
    await this.factory.waitForCacheSync(this.abort.signal);
    this.loops.push(this.heartbeatLoop());
    for (let i = 0; i < 4; i++) this.loops.push(this.worker());
  }

  /** The node's kubelet dies: nothing about it or its pods is written any more. */
  stopNode(name: string): void {
    this.live.delete(name);
  }

  /** The node's kubelet comes back: heartbeats and pod work resume. */
  async resumeNode(name: string): Promise<void> {
    this.live.add(name);
    await this.postStatus(name);
    await this.renewLease(name, false);
    for (const p of this.pods.list()) if (p.spec?.nodeName === name) this.queue.add(metaNamespaceKey(p));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.queue.shutDown();
    await Promise.all(this.loops);
    await this.factory.shutdown();
  }

  private requeuePending(): void {
    for (const p of this.pods.list()) if (!p.spec?.nodeName) this.queue.add(metaNamespaceKey(p));
  }

  private async postStatus(name: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const node = await this.client.get('nodes', name);
      const t = now();
      const prev = (node.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
      const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: t, lastTransitionTime: prev?.status === 'True' ? prev.lastTransitionTime : t };
      node.status = {
        ...(node.status ?? {}),
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
        conditions: [ready],
        addresses: [{ type: 'InternalIP', address: `192.168.0.${this.opts.nodes.indexOf(name) + 10}` }],
      };
      try {
        await this.client.updateStatus('nodes', node);
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  }

  private async renewLease(name: string, create: boolean): Promise<void> {
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microNow() };
    if (create) {
      try {
        await this.client.create('leases.coordination.k8s.io', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec } as KubeObject);
        return;
      } catch (err) {
        if (!isStatusError(err) || err.reason !== 'AlreadyExists') throw err;
      }
    }
    await this.client.patch('leases.coordination.k8s.io', name, { spec: { renewTime: spec.renewTime } }, { namespace: 'kube-node-lease', type: 'merge' });
  }

  private async heartbeatLoop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      await Promise.all(
        [...this.live].map((n) =>
          this.renewLease(n, false).catch(() => {
            // the apiserver may be busy: the next beat retries
          }),
        ),
      );
      await new Promise((r) => setTimeout(r, this.opts.heartbeatMs));
    }
  }

  private schedulable(node: KubeObject): boolean {
    if (!this.live.has(node.metadata.name!)) return false;
    const taints = (node.spec?.taints ?? []) as { effect: string }[];
    return !taints.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  }

  private async worker(): Promise<void> {
    for (;;) {
      const { item, shutdown } = await this.queue.get();
      if (shutdown) return;
      try {
        await this.sync(item);
      } catch (err) {
        if (!this.abort.signal.aborted && !isNotFound(err) && !isConflict(err)) {
          process.stderr.write(`fake kubelet: ${item}: ${(err as Error).message}\n`);
        }
        if (!this.abort.signal.aborted) setTimeout(() => this.queue.add(item), 50);
      } finally {
        this.queue.done(item);
      }
    }
  }

  private async sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const pod = this.pods.get(ns, name);
    if (!pod) return;
    const nodeName: string | undefined = pod.spec?.nodeName;
    if (!nodeName) {
      if (pod.metadata.deletionTimestamp) return;
      const candidates = this.nodes.list().filter((n) => this.schedulable(n)).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
      if (candidates.length === 0) return; // requeued when a node changes
      const target = candidates[this.rr++ % candidates.length].metadata.name!;
      await this.client.create(
        'pods',
        { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns }, target: { apiVersion: 'v1', kind: 'Node', name: target } } as KubeObject,
        { namespace: ns, subresource: 'binding', name },
      );
      return;
    }
    if (!this.live.has(nodeName)) return; // that kubelet is dead
    if (pod.metadata.deletionTimestamp) {
      await this.client.delete('pods', name, { namespace: ns, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid! } });
      return;
    }
    const phase = pod.status?.phase;
    const ready = (pod.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
    if (phase === 'Running' && ready) return;
    if (phase === 'Running' && pod.metadata.annotations?.['test.minik8s.io/never-ready'] === 'true') return;
    const t = now();
    const startedAt = pod.status?.startTime ?? t;
    if (phase !== 'Running') {
      const n = (this.ips.get(nodeName) ?? 0) + 1;
      this.ips.set(nodeName, n);
      const ip = `10.200.${this.opts.nodes.indexOf(nodeName)}.${n % 250 + 2}`;
      await this.client.updateStatus('pods', {
        ...pod,
        status: {
          ...(pod.status ?? {}),
          phase: 'Running',
          podIP: ip,
          podIPs: [{ ip }],
          hostIP: `192.168.0.${this.opts.nodes.indexOf(nodeName) + 10}`,
          startTime: startedAt,
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
      this.runningAt.set(pod.metadata.uid!, Date.now());
      if (pod.metadata.annotations?.['test.minik8s.io/never-ready'] === 'true') return;
      if (this.opts.readyDelayMs > 0) {
        setTimeout(() => this.queue.add(key), this.opts.readyDelayMs);
        return;
      }
      return; // the status update comes back as an event: Ready next round
    }
    const since = this.runningAt.get(pod.metadata.uid!) ?? 0;
    if (this.opts.readyDelayMs > 0 && Date.now() - since < this.opts.readyDelayMs) {
      setTimeout(() => this.queue.add(key), this.opts.readyDelayMs - (Date.now() - since) + 10);
      return;
    }
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
