// What every controller is built from (upstream's ControllerContext): the API client, the
// process' shared informers, the parsed options, a logger, the clock, named queues and event
// recorders. main.ts builds one from the component scaffold; tests build one by hand.

import type { Logger } from 'pino';
import type { Clock, RateLimitingQueue, RestClient, SharedInformerFactory } from '@minik8s/shared';
import type { ControllerManagerOptions } from './options.ts';
import type { EventRecorder } from '@minik8s/shared';

export interface ControllerContext {
  client: RestClient;
  /** Shared by every controller: one watch per resource for the whole process. */
  informerFactory: SharedInformerFactory;
  options: ControllerManagerOptions;
  logger: Logger;
  clock: Clock;
  /**
   * A rate-limiting queue named `name` (its metrics carry the name). It is shut down when the
   * controllers must stop, and drained before the leader Lease is released.
   */
  newQueue(name: string): RateLimitingQueue<string>;
  /** The recorder whose events say source.component = `component` (e.g. replicaset-controller). */
  eventRecorder(component: string): EventRecorder;
}
