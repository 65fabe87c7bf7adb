// The framework runtime (upstream frameworkImpl): builds a profile's plugins from the registry
// and runs each extension point over them in order.
//
// A profile is one ordered list of plugins (upstream's multiPoint): each plugin takes part in
// every extension point it implements, in list order; `weight` applies to Score (default 1).
//
// Contracts kept from upstream:
// - PreFilter: Skip removes the plugin's Filter for this cycle; a rejection rejects the pod on
//   every node at once (its message becomes the FitError's PreFilterMsg).
// - Filter: the first plugin that does not say Success decides the node's status; later
//   plugins are not asked (so each node contributes the reasons of one plugin).
// - Score: each plugin's scores are normalized to [0, 100], then multiplied by its weight, and
//   the weighted scores are summed per node. A score outside the range is an Error.
// - Reserve runs in order; Unreserve in reverse order and must not fail.
// - Bind: the first plugin that does not Skip binds.
// An exception thrown by a plugin is caught and becomes code Error naming the plugin.

import type { Pod } from '../types.ts';
import type { ClusterEventWithHint } from './cluster-event.ts';
import { ACTION_ALL } from './cluster-event.ts';
import type { CycleState } from './cycle-state.ts';
import type {
  BindPlugin,
  FilterPlugin,
  Handle,
  NodeScore,
  NodeToStatus,
  Plugin,
  PostFilterPlugin,
  PostFilterResult,
  PreFilterPlugin,
  PreScorePlugin,
  QueueSortPlugin,
  QueuedPodInfoLike,
  ReservePlugin,
  ScorePlugin,
} from './interfaces.ts';
import {
  MAX_NODE_SCORE,
  MIN_NODE_SCORE,
  isBind,
  isEnqueueExtensions,
  isFilter,
  isPostFilter,
  isPreFilter,
  isPreScore,
  isQueueSort,
  isReserve,
  isScore,
} from './interfaces.ts';
import type { NodeInfo } from './node-info.ts';
import type { Registry } from './registry.ts';
import { Status, asStatus, isSuccess } from './status.ts';

export interface PluginConfig {
  name: string;
  /** Score weight (default 1). */
  weight?: number;
  /** Passed to the plugin's factory. */
  args?: unknown;
}

export interface Profile {
  schedulerName: string;
  plugins: PluginConfig[];
  /** 0 (default) = adaptive, as upstream: 50% minus 1% per 125 nodes, at least 5%, at least 100 nodes. */
  percentageOfNodesToScore?: number;
}

/** Observes how long each extension point took (scheduler_framework_extension_point_duration_seconds). */
export type ExtensionPointObserver = (extensionPoint: string, status: string, seconds: number) => void;

export interface NodePluginScores {
  name: string;
  totalScore: number;
}

function statusLabel(s: Status | undefined): string {
  return s === undefined ? 'Success' : s.code;
}

export class Framework {
  readonly profileName: string;
  readonly percentageOfNodesToScore: number;
  readonly plugins: readonly Plugin[];
  private readonly queueSort: QueueSortPlugin | undefined;
  private readonly preFilters: PreFilterPlugin[];
  private readonly filters: FilterPlugin[];
  private readonly postFilters: PostFilterPlugin[];
  private readonly preScores: PreScorePlugin[];
  private readonly scores: { plugin: ScorePlugin; weight: number }[];
  private readonly reserves: ReservePlugin[];
  private readonly binders: BindPlugin[];
  private readonly observe: ExtensionPointObserver | undefined;

  constructor(registry: Registry, profile: Profile, handle: Handle, observe?: ExtensionPointObserver) {
    this.profileName = profile.schedulerName;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore ?? 0;
    this.observe = observe;
    const seen = new Set<string>();
    const plugins: Plugin[] = [];
    const weights = new Map<string, number>();
    for (const cfg of profile.plugins) {
      if (seen.has(cfg.name)) throw new Error(`plugin "${cfg.name}" is configured twice`);
      seen.add(cfg.name);
      const factory = registry.get(cfg.name);
      if (!factory) throw new Error(`plugin "${cfg.name}" does not exist`);
      const plugin = factory(cfg.args, handle);
      if (plugin.name !== cfg.name) throw new Error(`plugin factory "${cfg.name}" built a plugin named "${plugin.name}"`);
      const weight = cfg.weight ?? 1;
      if (!Number.isInteger(weight) || weight <= 0) throw new Error(`plugin "${cfg.name}": weight must be a positive integer, got ${weight}`);
      weights.set(cfg.name, weight);
      plugins.push(plugin);
    }
    this.plugins = plugins;
    const sorts = plugins.filter(isQueueSort);
    if (sorts.length > 1) throw new Error('only one queue sort plugin can be enabled');
    this.queueSort = sorts[0];
    this.preFilters = plugins.filter(isPreFilter);
    this.filters = plugins.filter(isFilter);
    this.postFilters = plugins.filter(isPostFilter);
    this.preScores = plugins.filter(isPreScore);
    this.scores = plugins.filter(isScore).map((plugin) => ({ plugin, weight: weights.get(plugin.name)! }));
    this.reserves = plugins.filter(isReserve);
    this.binders = plugins.filter(isBind);
    if (this.binders.length === 0) throw new Error('at least one bind plugin is needed');
  }

  /** The active queue's order: the queue sort plugin's, else first come first served. */
  less(a: QueuedPodInfoLike, b: QueuedPodInfoLike): boolean {
    return this.queueSort ? this.queueSort.less(a, b) : a.timestamp < b.timestamp;
  }

  hasFilterPlugins(): boolean {
    return this.filters.length > 0;
  }

  hasPostFilterPlugins(): boolean {
    return this.postFilters.length > 0;
  }

  /**
   * The cluster events each plugin that can reject pods wants to hear about. A plugin that
   * filters but registers nothing hears about everything (upstream's safe default).
   */
  eventsToRegister(): Map<string, ClusterEventWithHint[]> {
    const out = new Map<string, ClusterEventWithHint[]>();
    for (const p of this.plugins) {
      if (isEnqueueExtensions(p)) out.set(p.name, p.eventsToRegister());
      // As upstream's fillEnqueueExtensions: a plugin that can reject a pod but says nothing of
      // the events that may help hears every event.
      else if (isFilter(p) || isPreFilter(p) || isReserve(p)) out.set(p.name, [{ event: { resource: 'WildCard', actionType: ACTION_ALL } }]);
    }
    return out;
  }

  private timed<T>(point: string, fn: () => T, statusOf: (r: T) => Status | undefined): T {
    if (!this.observe) return fn();
    const start = performance.now();
    const r = fn();
    this.observe(point, statusLabel(statusOf(r)), (performance.now() - start) / 1000);
    return r;
  }

  /**
   * PreFilter: Success, or the first rejection/error (with its plugin set). `rejectedBy`
   * names the plugin whose rejection applies to every node.
   */
  runPreFilterPlugins(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status | undefined {
    return this.timed(
      'PreFilter',
      () => {
        for (const pl of this.preFilters) {
          let s: Status | undefined;
          try {
            s = pl.preFilter(state, pod, nodes);
          } catch (err) {
            return asStatus(new Error(`running PreFilter plugin "${pl.name}": ${(err as Error).message}`)).withPlugin(pl.name);
          }
          if (s === undefined || s.isSuccess()) continue;
          if (s.isSkip()) {
            state.skipFilterPlugins.add(pl.name);
            continue;
          }
          s.withPlugin(pl.name);
          if (s.code === 'Error') return asStatus(new Error(`running PreFilter plugin "${pl.name}": ${s.message()}`)).withPlugin(pl.name);
          return s;
        }
        return undefined;
      },
      (r) => r,
    );
  }

  /** Filter one node: undefined when every plugin passes it, else the first failing plugin's status. */
  runFilterPlugins(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined {
    for (const pl of this.filters) {
      if (state.skipFilterPlugins.size > 0 && state.skipFilterPlugins.has(pl.name)) continue;
      let s: Status | undefined;
      try {
        s = pl.filter(state, pod, nodeInfo);
      } catch (err) {
        return asStatus(new Error(`running "${pl.name}" filter plugin: ${(err as Error).message}`)).withPlugin(pl.name);
      }
      if (s !== undefined && !s.isSuccess()) {
        if (s.code === 'Error') return asStatus(new Error(`running "${pl.name}" filter plugin: ${s.message()}`)).withPlugin(pl.name);
        return s.withPlugin(pl.name);
      }
    }
    return undefined;
  }

  /** PostFilter: the first plugin that succeeds wins; otherwise the last rejection's message. */
  runPostFilterPlugins(state: CycleState, pod: Pod, statuses: NodeToStatus, allNodes: readonly NodeInfo[]): { result?: PostFilterResult; status: Status } {
    return this.timed(
      'PostFilter',
      () => {
        let last: { result?: PostFilterResult; status: Status } = { status: new Status('Unschedulable') };
        for (const pl of this.postFilters) {
          let r: { result?: PostFilterResult; status: Status | undefined };
          try {
            r = pl.postFilter(state, pod, statuses, allNodes);
          } catch (err) {
            return { status: asStatus(err).withPlugin(pl.name) };
          }
          if (isSuccess(r.status)) return { result: r.result, status: new Status('Success', [], undefined, pl.name) };
          if (r.status!.code === 'Error') return { status: r.status!.withPlugin(pl.name) };
          last = { result: r.result, status: r.status!.withPlugin(pl.name) };
        }
        return last;
      },
      (r) => r.status,
    );
  }

  runPreScorePlugins(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status | undefined {
    return this.timed(
      'PreScore',
      () => {
        for (const pl of this.preScores) {
          let s: Status | undefined;
          try {
            s = pl.preScore(state, pod, nodes);
          } catch (err) {
            return asStatus(new Error(`running PreScore plugin "${pl.name}": ${(err as Error).message}`)).withPlugin(pl.name);
          }
          if (s === undefined || s.isSuccess()) continue;
          if (s.isSkip()) {
            state.skipScorePlugins.add(pl.name);
            continue;
          }
          return asStatus(new Error(`running PreScore plugin "${pl.name}": ${s.message()}`)).withPlugin(pl.name);
        }
        return undefined;
      },
      (r) => r,
    );
  }

  /** Score, normalize and weigh every feasible node; the sum of weighted scores per node. */
  runScorePlugins(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): { scores: NodePluginScores[]; status?: Status } {
    return this.timed(
      'Score',
      () => {
        const totals: NodePluginScores[] = nodes.map((n) => ({ name: n.name, totalScore: 0 }));
        for (const { plugin, weight } of this.scores) {
          if (state.skipScorePlugins.size > 0 && state.skipScorePlugins.has(plugin.name)) continue;
          const list: NodeScore[] = new Array(nodes.length);
          try {
            for (let i = 0; i < nodes.length; i++) list[i] = { name: nodes[i].name, score: plugin.score(state, pod, nodes[i]) };
            const s = plugin.normalizeScore?.(state, pod, list);
            if (s !== undefined && !s.isSuccess()) {
              return { scores: [], status: asStatus(new Error(`running Normalize on Score plugins: plugin "${plugin.name}" failed: ${s.message()}`)).withPlugin(plugin.name) };
            }
          } catch (err) {
            return { scores: [], status: asStatus(new Error(`running Score plugin "${plugin.name}": ${(err as Error).message}`)).withPlugin(plugin.name) };
          }
          for (let i = 0; i < list.length; i++) {
            const sc = list[i].score;
            if (!(sc >= MIN_NODE_SCORE && sc <= MAX_NODE_SCORE)) {
              return {
                scores: [],
                status: asStatus(new Error(`plugin "${plugin.name}" returns an invalid score ${sc}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`)).withPlugin(plugin.name),
              };
            }
            totals[i].totalScore += sc * weight;
          }
        }
        return { scores: totals };
      },
      (r) => r.status,
    );
  }

  runReservePluginsReserve(state: CycleState, pod: Pod, nodeName: string): Status | undefined {
    return this.timed(
      'Reserve',
      () => {
        for (const pl of this.reserves) {
          let s: Status | undefined;
          try {
            s = pl.reserve(state, pod, nodeName);
          } catch (err) {
            s = asStatus(err);
          }
          if (s !== undefined && !s.isSuccess()) {
            if (s.isRejected()) return s.withPlugin(pl.name);
            return asStatus(new Error(`running Reserve plugin "${pl.name}": ${s.message()}`)).withPlugin(pl.name);
          }
        }
        return undefined;
      },
      (r) => r,
    );
  }

  runReservePluginsUnreserve(state: CycleState, pod: Pod, nodeName: string): void {
    for (let i = this.reserves.length - 1; i >= 0; i--) {
      try {
        this.reserves[i].unreserve(state, pod, nodeName);
      } catch {
        // Unreserve must not fail; a broken plugin cannot stop the others from cleaning up.
      }
    }
  }

  async runBindPlugins(state: CycleState, pod: Pod, nodeName: string, signal?: AbortSignal): Promise<Status | undefined> {
    const start = performance.now();
    let result: Status | undefined = new Status('Skip');
    for (const pl of this.binders) {
      let s: Status | undefined;
      try {
        s = await pl.bind(state, pod, nodeName, signal);
      } catch (err) {
        s = asStatus(err);
      }
      if (s !== undefined && s.isSkip()) continue;
      if (s !== undefined && !s.isSuccess()) {
        // The original error stays on the status (callers look at its code, e.g. 409).
        result = s.isRejected() ? s.withPlugin(pl.name) : new Status('Error', [`running Bind plugin "${pl.name}": ${s.message()}`], s.error, pl.name);
      } else result = undefined;
      break;
    }
    this.observe?.('Bind', statusLabel(result), (performance.now() - start) / 1000);
    return result;
  }
}
