// Registers the Node and keeps its status current (kubelet_node_status.go).
//
// - register(): POST the Node; if it exists already (a restarted kubelet), take it over: its
//   default labels are brought up to date. Retried with back-off (up to 7 s) until it works.
// - Every --node-status-update-frequency (10 s) the status is computed; it is written (PUT
//   nodes/<name>/status, retried on conflict) when it changed, or when
//   --node-status-report-frequency (5 min) passed since the last write. The Lease is the
//   frequent heartbeat; NodeStatus is the slow one, as upstream.
// - Ready/pressure transitions are recorded as events (NodeReady, NodeHasSufficientMemory, ...).

import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound, realClock, type KubeObject, type RestClient } from '@minik8s/shared';
import type { EventRecorder } from '@minik8s/shared';
import { nodeRef } from '../events/object-refs.ts';
import type { MachineInfo } from './machine-info.ts';
import { comparableNodeStatus, initialNode, nodeLabels, nodeStatus, type NodeCondition, type NodeStatusConfig, type RuntimeHealth } from './node-status.ts';

export interface NodeStatusManagerOptions {
  client: Pick<RestClient, 'create' | 'get' | 'update' | 'updateStatus'>;
  config: NodeStatusConfig;
  machine: MachineInfo;
  /** Asked at each update: the runtime's version and whether it answers. */
  runtimeHealth(): Promise<RuntimeHealth>;
  updateFrequencyMs: number;
  reportFrequencyMs: number;
  recorder?: EventRecorder;
  logger?: Logger;
  now?: () => number;
}

const CONDITION_EVENTS: Record<string, Record<string, string>> = {
  Ready: { True: 'NodeReady', False: 'NodeNotReady' },
  MemoryPressure: { False: 'NodeHasSufficientMemory', True: 'NodeHasInsufficientMemory' },
  DiskPressure: { False: 'NodeHasNoDiskPressure', True: 'NodeHasDiskPressure' },
  PIDPressure: { False: 'NodeHasSufficientPID', True: 'NodeHasInsufficientPID' },
};

export class NodeStatusManager {
  private readonly opts: NodeStatusManagerOptions;
  private readonly now: () => number;
  private node: KubeObject | undefined;
  private lastReport = 0;
  private lastConditions: NodeCondition[] | undefined;

  constructor(opts: NodeStatusManagerOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  /** The Node as last read or written (uid for the Lease's owner reference). */
  get current(): KubeObject | undefined {
    return this.node;
  }

  /** Registers the node, retrying until it works or `signal` aborts; resolves true once registered. */
  async register(signal: AbortSignal): Promise<boolean> {
    let delay = 100;
    while (!signal.aborted) {
      try {
        await this.tryRegister();
        return true;
      } catch (err) {
        this.opts.logger?.warn({ err: (err as Error).message }, 'unable to register node with API server, will retry');
        if (!(await realClock.sleep(delay, signal))) return false;
        delay = Math.min(delay * 2, 7_000);
      }
    }
    return false;
  }

  private async tryRegister(): Promise<void> {
    const { client, config, machine } = this.opts;
    const node = initialNode(config, machine);
    try {
      this.node = await client.create('nodes', node);
      this.opts.logger?.info({ node: config.nodeName }, 'successfully registered node');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await client.get('nodes', config.nodeName);
      // Take over an existing node: make its default labels current (--node-labels apply only
      // at creation, as upstream's updateDefaultLabels).
      const defaults = nodeLabels({ ...config, nodeLabels: {} }, machine);
      const labels = { ...(existing.metadata.labels ?? {}), ...defaults };
      if (JSON.stringify(labels) !== JSON.stringify(existing.metadata.labels ?? {})) {
        existing.metadata.labels = labels;
        this.node = await client.update('nodes', existing);
      } else this.node = existing;
      this.opts.logger?.info({ node: config.nodeName }, 'node was previously registered');
    }
    await this.updateStatus(true);
  }

  /** Computes the status and writes it when it changed or the report period passed. */
  async updateStatus(force = false): Promise<void> {
    const { client, config } = this.opts;
    const health = await this.opts.runtimeHealth();
    for (let attempt = 0; attempt < 5; attempt++) {
      let node = this.node;
      if (!node || attempt > 0) node = await client.get('nodes', config.nodeName);
      const now = this.now();
      const status = nodeStatus(config, this.opts.machine, health, node.status, now);
      const changed = comparableNodeStatus(status) !== comparableNodeStatus(node.status);
      if (!force && !changed && now - this.lastReport < this.opts.reportFrequencyMs) return;
      try {
        this.node = await client.updateStatus('nodes', { ...node, status });
        this.lastReport = now;
        this.recordTransitions(status.conditions);
        return;
      } catch (err) {
        if (isConflict(err) && attempt < 4) continue;
        if (isNotFound(err)) {
          // Someone deleted our Node: register it again.
          this.node = undefined;
          await this.tryRegister();
          return;
        }
        throw err;
      }
    }
  }

  private recordTransitions(conditions: NodeCondition[]): void {
    const rec = this.opts.recorder;
    for (const c of conditions) {
      const before = this.lastConditions?.find((x) => x.type === c.type);
      if (before && before.status === c.status) continue;
      const reason = CONDITION_EVENTS[c.type]?.[c.status];
      if (reason) rec?.event(nodeRef(this.opts.config.nodeName), 'Normal', reason, `Node ${this.opts.config.nodeName} status is now: ${reason}`);
    }
    this.lastConditions = conditions;
  }

  /** Updates the status every updateFrequencyMs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (await realClock.sleep(this.opts.updateFrequencyMs, signal)) {
      try {
        await this.updateStatus();
      } catch (err) {
        this.opts.logger?.warn({ err: (err as Error).message }, 'error updating node status, will retry');
      }
    }
  }
}
