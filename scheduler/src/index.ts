// @minik8s/scheduler: the kube-scheduler as a library (the process is src/main.ts).

export * from './types.ts';
export * from './framework/status.ts';
export * from './framework/interfaces.ts';
export * from './framework/cycle-state.ts';
export * from './framework/cluster-event.ts';
export * from './framework/node-info.ts';
export * from './framework/resource.ts';
export * from './framework/registry.ts';
export * from './framework/framework.ts';
export * from './framework/fit-error.ts';
export * from './framework/normalize.ts';
export { inTreeRegistry, defaultProfile } from './plugins/registry.ts';
export * as pluginNames from './plugins/names.ts';
export { SchedulerCache } from './cache/scheduler-cache.ts';
export { SchedulingQueue } from './queue/scheduling-queue.ts';
export type { QueuedPodInfo } from './queue/queued-pod-info.ts';
export { Scheduler, type SchedulerOptions, type SchedulerClient } from './scheduler.ts';
export { SchedulerEventHandlers, addAllEventHandlers } from './event-handlers.ts';
export { EventRecorder } from '@minik8s/shared';
export { SchedulerMetrics } from './metrics.ts';
export { runScheduler, PENDING_PODS_FIELD_SELECTOR, SCHEDULED_PODS_FIELD_SELECTOR } from './run.ts';
