// kube-scheduler's own metrics, with upstream's names and labels, on the component's registry
// (the shared scaffold serves them on /metrics beside the client machinery's).

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QueueMetrics, QueueName } from './queue/scheduling-queue.ts';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

const DURATION_BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];
const EXTENSION_BUCKETS = [0.0001, 0.0002, 0.0004, 0.0008, 0.0016, 0.0032, 0.0064, 0.0128, 0.0256, 0.0512, 0.1024, 0.2048];

export class SchedulerMetrics implements QueueMetrics {
  readonly scheduleAttempts: Counter<'result' | 'profile'>;
  readonly schedulingAttemptDuration: Histogram<'result' | 'profile'>;
  readonly schedulingAlgorithmDuration: Histogram<string>;
  readonly podSchedulingAttempts: Histogram<string>;
  readonly podSchedulingSLIDuration: Histogram<'attempts'>;
  readonly pendingPodsGauge: Gauge<'queue'>;
  readonly queueIncomingPods: Counter<'queue' | 'event'>;
  readonly extensionPointDuration: Histogram<'extension_point' | 'status' | 'profile'>;
  readonly preemptionAttempts: Counter<string>;
  readonly unschedulablePods: Gauge<'plugin' | 'profile'>;

  private readonly profile: string;

  constructor(registry: Registry, profile = 'default-scheduler') {
    this.profile = profile;
    const registers = [registry];
    this.scheduleAttempts = new Counter({
      name: 'scheduler_schedule_attempts_total',
      help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.',
      labelNames: ['result', 'profile'],
      registers,
    });
    this.schedulingAttemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      labelNames: ['result', 'profile'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.schedulingAlgorithmDuration = new Histogram({
      name: 'scheduler_scheduling_algorithm_duration_seconds',
      help: 'Scheduling algorithm latency in seconds',
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.podSchedulingAttempts = new Histogram({
      name: 'scheduler_pod_scheduling_attempts',
      help: 'Number of attempts to successfully schedule a pod.',
      buckets: [1, 2, 4, 8, 16],
      registers,
    });
    this.podSchedulingSLIDuration = new Histogram({
      name: 'scheduler_pod_scheduling_sli_duration_seconds',
      help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.',
      labelNames: ['attempts'],
      buckets: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68, 655.36],
      registers,
    });
    this.pendingPodsGauge = new Gauge({
      name: 'scheduler_pending_pods',
      help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods.",
      labelNames: ['queue'],
      registers,
    });
    this.queueIncomingPods = new Counter({
      name: 'scheduler_queue_incoming_pods_total',
      help: 'Number of pods added to scheduling queues by event and queue type.',
      labelNames: ['queue', 'event'],
      registers,
    });
    this.extensionPointDuration = new Histogram({
      name: 'scheduler_framework_extension_point_duration_seconds',
      help: 'Latency for running all plugins of a specific extension point.',
      labelNames: ['extension_point', 'status', 'profile'],
      buckets: EXTENSION_BUCKETS,
      registers,
    });
    this.preemptionAttempts = new Counter({
      name: 'scheduler_preemption_attempts_total',
      help: 'Total preemption attempts in the cluster till now',
      registers,
    });
    this.unschedulablePods = new Gauge({
      name: 'scheduler_unschedulable_pods',
      help: 'The number of unschedulable pods broken down by plugin name. A pod will increment the gauge for all plugins that caused it to not schedule and so this metric have meaning only when broken down by plugin.',
      labelNames: ['plugin', 'profile'],
      registers,
    });
    for (const q of ['active', 'backoff', 'unschedulable', 'gated']) this.pendingPodsGauge.set({ queue: q }, 0);
  }

  pendingPods(queue: QueueName, n: number): void {
    this.pendingPodsGauge.set({ queue }, n);
  }

  incomingPod(queue: QueueName, event: string): void {
    this.queueIncomingPods.inc({ queue, event });
  }

  unschedulablePlugins(plugins: Iterable<string>, delta: 1 | -1): void {
    for (const plugin of plugins) this.unschedulablePods.inc({ plugin, profile: this.profile }, delta);
  }

  attempt(result: AttemptResult, profile: string, seconds: number): void {
    this.scheduleAttempts.inc({ result, profile });
    this.schedulingAttemptDuration.observe({ result, profile }, seconds);
  }
}
