// Probe workers and their results (prober/worker.go, prober_manager.go, results/): one worker
// per (pod, container, probe type), probing every periodSeconds once initialDelaySeconds have
// passed since the container started.
//
// Results, per container id:
// - readiness starts as Failure (not ready) and flips after successThreshold successes in a
//   row / failureThreshold failures in a row; it never restarts anything.
// - liveness starts as Success; failureThreshold failures in a row make it Failure, which the
//   pod worker answers by restarting the container. The worker then holds off until it sees a
//   new container.
// - startup starts as Unknown; until it succeeds, liveness and readiness do not run; failing it
//   failureThreshold times restarts the container like liveness. After its success it stops.
// Every failed probe run records an Unhealthy event; every change of a result calls onChange.

import type { Logger } from 'pino';
import { realClock } from '@minik8s/shared';
import type { Container, Pod, Probe } from '../api/pod.ts';
import { podDesc } from '../api/pod.ts';
import type { RuntimeService } from '../runtime/interface.ts';
import type { EventRecorder } from '@minik8s/shared';
import { podRef } from '../events/object-refs.ts';
import { runProbe, type ProbeOutcome, type ProbeResult } from './prober.ts';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

const LABEL: Record<ProbeType, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

/** What a worker needs to know about the container it probes, from the kubelet's runtime cache. */
export interface ProbedContainer {
  id: string;
  running: boolean;
  /** ms since the epoch. */
  startedAt: number;
  podIP: string;
}

export interface ProbeManagerOptions {
  runtime: Pick<RuntimeService, 'execSync'>;
  recorder?: EventRecorder;
  logger?: Logger;
  /** The newest container of that name in the pod, as the runtime last reported it. */
  containerOf(podUid: string, containerName: string): ProbedContainer | undefined;
  /** A result changed: the pod should be synced. */
  onChange(podUid: string, type: ProbeType, containerId: string, result: ProbeResult): void;
  /** For tests: run a probe some other way. */
  probe?: (probe: Probe, container: Container, target: ProbedContainer) => Promise<ProbeOutcome>;
  now?: () => number;
}

interface Worker {
  stop: AbortController;
}

export class ProbeManager {
  private readonly opts: ProbeManagerOptions;
  private readonly now: () => number;
  private readonly workers = new Map<string, Worker>();
  /** `${type}/${containerId}` -> result. */
  private readonly results = new Map<string, ProbeResult>();

  constructor(opts: ProbeManagerOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  /** Starts workers for every probe of the pod's app containers (idempotent). */
  addPod(pod: Pod): void {
    for (const c of pod.spec.containers) {
      for (const type of ['startup', 'liveness', 'readiness'] as const) {
        const probe = type === 'startup' ? c.startupProbe : type === 'liveness' ? c.livenessProbe : c.readinessProbe;
        if (!probe) continue;
        const key = `${pod.metadata.uid}/${c.name}/${type}`;
        if (this.workers.has(key)) continue;
        const w: Worker = { stop: new AbortController() };
        this.workers.set(key, w);
        void this.run(pod, c, type, probe, w.stop.signal).catch((err) => this.opts.logger?.error({ err, pod: podDesc(pod), container: c.name, type }, 'probe worker failed'));
      }
    }
  }

  /** Stops the pod's workers (its results stay until the containers are gone: cleanup()). */
  removePod(uid: string): void {
    for (const [key, w] of this.workers) {
      if (!key.startsWith(`${uid}/`)) continue;
      w.stop.abort();
      this.workers.delete(key);
    }
  }

  /** Forgets results of containers that no longer exist. */
  forgetContainer(containerId: string): void {
    for (const t of ['liveness', 'readiness', 'startup']) this.results.delete(`${t}/${containerId}`);
  }

  stopAll(): void {
    for (const w of this.workers.values()) w.stop.abort();
    this.workers.clear();
  }

  /** The cached result (undefined before the first one). */
  result(type: ProbeType, containerId: string): ProbeResult | undefined {
    return this.results.get(`${type}/${containerId}`);
  }

  /** Readiness as the status sees it: true only after a successful readiness probe. */
  isReady(containerId: string): boolean | undefined {
    const r = this.result('readiness', containerId);
    return r === undefined ? undefined : r === 'Success';
  }

  /** Started: the startup probe succeeded, or the container has none. */
  isStarted(container: Container, containerId: string): boolean {
    if (!container.startupProbe) return true;
    return this.result('startup', containerId) === 'Success';
  }

  private set(type: ProbeType, podUid: string, containerId: string, result: ProbeResult): void {
    const key = `${type}/${containerId}`;
    if (this.results.get(key) === result) return;
    this.results.set(key, result);
    this.opts.onChange(podUid, type, containerId, result);
  }

  private async run(pod: Pod, container: Container, type: ProbeType, probe: Probe, signal: AbortSignal): Promise<void> {
    const uid = pod.metadata.uid!;
    const periodMs = Math.max(1, probe.periodSeconds ?? 10) * 1000;
    const initialDelayMs = Math.max(0, probe.initialDelaySeconds ?? 0) * 1000;
    const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
    const successThreshold = Math.max(1, probe.successThreshold ?? 1);
    const failureThreshold = Math.max(1, probe.failureThreshold ?? 3);
    const initial: ProbeResult = type === 'readiness' ? 'Failure' : type === 'liveness' ? 'Success' : 'Unknown';

    let containerId = '';
    let lastResult: ProbeResult | undefined;
    let resultRun = 0;
    let onHold = false;
    let lastProbeAt = 0;

    while (!signal.aborted) {
      let waitMs = 1000;
      const c = this.opts.containerOf(uid, container.name);
      if (c && c.id !== containerId) {
        // A new container: start over from the initial result.
        containerId = c.id;
        lastResult = undefined;
        resultRun = 0;
        onHold = false;
        lastProbeAt = 0;
        this.set(type, uid, containerId, initial);
      }
      if (c && !c.running) {
        if (type === 'readiness') this.set(type, uid, c.id, 'Failure');
      } else if (c && !onHold) {
        const startupDone = !container.startupProbe || this.result('startup', c.id) === 'Success';
        const gated = type !== 'startup' && !startupDone;
        const finished = type === 'startup' && this.result('startup', c.id) === 'Success';
        const now = this.now();
        const due = Math.max(lastProbeAt ? lastProbeAt + periodMs : 0, c.startedAt + initialDelayMs);
        if (!gated && !finished) {
          if (now >= due) {
            lastProbeAt = now;
            const outcome = await this.probeOnce(probe, container, c, timeoutMs);
            if (signal.aborted) break;
            // The container may have been replaced while the probe ran: drop a stale result.
            const cur = this.opts.containerOf(uid, container.name);
            if (cur?.id === c.id && cur.running) {
              if (outcome.result === 'Failure' || outcome.result === 'Unknown') {
                const verb = outcome.result === 'Unknown' ? 'errored' : 'failed';
                this.opts.recorder?.event(podRef(pod, `spec.containers{${container.name}}`), 'Warning', 'Unhealthy', `${LABEL[type]} probe ${verb}: ${outcome.output}`.trimEnd());
              }
              // An error counts as neither success nor failure (upstream keeps the last result).
              if (outcome.result !== 'Unknown') {
                resultRun = outcome.result === lastResult ? resultRun + 1 : 1;
                lastResult = outcome.result;
                const threshold = outcome.result === 'Success' ? successThreshold : failureThreshold;
                if (resultRun >= threshold) {
                  this.set(type, uid, c.id, outcome.result);
                  if (outcome.result === 'Failure' && type !== 'readiness') {
                    // The container will be restarted: hold off until a new one shows up.
                    onHold = true;
                    resultRun = 0;
                  }
                }
              }
            }
          } else waitMs = Math.max(10, due - now);
        }
      }
      // Wake at least every second to notice a replaced or stopped container.
      await realClock.sleep(Math.min(waitMs, 1000), signal);
    }
  }

  private async probeOnce(probe: Probe, container: Container, c: ProbedContainer, timeoutMs: number): Promise<ProbeOutcome> {
    if (this.opts.probe) return this.opts.probe(probe, container, c);
    return runProbe(probe, { runtime: this.opts.runtime, containerId: c.id, container, podIP: c.podIP, timeoutMs });
  }
}
