// Workqueue metrics as a swappable provider (client-go's workqueue.MetricsProvider). Only
// named queues report; a component wires the provider to Prometheus (component/metrics.ts).

export interface WorkqueueMetrics {
  /** Current number of items waiting (workqueue_depth). */
  depth(queue: string, depth: number): void;
  /** An add that was not deduplicated away (workqueue_adds_total). */
  add(queue: string): void;
  /** A rate-limited re-add (workqueue_retries_total). */
  retry(queue: string): void;
  /** Time an item waited in the queue before a worker took it (workqueue_queue_duration_seconds). */
  queueLatency(queue: string, seconds: number): void;
  /** Time between get() and done() (workqueue_work_duration_seconds). */
  workDuration(queue: string, seconds: number): void;
}

const noop: WorkqueueMetrics = {
  depth() {},
  add() {},
  retry() {},
  queueLatency() {},
  workDuration() {},
};

let provider: WorkqueueMetrics = noop;

export function setWorkqueueMetrics(p: WorkqueueMetrics | undefined): void {
  provider = p ?? noop;
}

export function workqueueMetrics(): WorkqueueMetrics {
  return provider;
}
