// A ControllerContext in the test process, against a test apiserver: for controllers whose
// timings have no flag (tests build them with short ones) and for driving one pass by hand.

import { pino } from 'pino';
import { RateLimitingQueue, RestClient, SharedInformerFactory, realClock, type Clock } from '@minik8s/shared';
import type { ControllerContext } from '../../src/controller-context.ts';
import { EventRecorder } from '@minik8s/shared';
import { defaultControllerManagerOptions, type ControllerManagerOptions } from '../../src/options.ts';

export function inProcessContext(url: string, options: Partial<ControllerManagerOptions> = {}, clock: Clock = realClock): ControllerContext & { close(): Promise<void> } {
  const client = new RestClient({ config: { server: url }, component: 'kcm-in-process-test', qps: 0 });
  return {
    client,
    informerFactory: new SharedInformerFactory(client, { clock }),
    options: { ...defaultControllerManagerOptions(), ...options },
    logger: pino({ level: process.env.KCM_TEST_LOG ?? 'silent' }),
    clock,
    newQueue: (name) => new RateLimitingQueue<string>({ name, clock }),
    eventRecorder: (component) => new EventRecorder({ client, component }),
    close: () => client.close(),
  };
}
