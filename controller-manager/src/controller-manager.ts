// What the leader runs: build every enabled controller (each registers its informers on the
// shared factory), start the informers, run the controllers until the signal aborts.

import type { ComponentContext } from '@minik8s/shared';
import { realClock } from '@minik8s/shared';
import type { ControllerContext } from './controller-context.ts';
import type { Runnable } from './controller.ts';
import { enabledControllers, type ControllerDescriptor } from './controller-descriptors.ts';
import type { ControllerManagerOptions } from './options.ts';

/** A ControllerContext over the component scaffold's context. */
export function controllerContextFrom(component: ComponentContext, options: ControllerManagerOptions): ControllerContext {
  return {
    client: component.client,
    informerFactory: component.informerFactory,
    options,
    logger: component.logger,
    clock: realClock,
    newQueue: (name) => component.newQueue<string>(name),
    eventRecorder: (source) => component.eventRecorder(source),
  };
}

/**
 * Builds the controllers `options.controllers` enables and runs them with `signal`; resolves
 * once they all stopped. `descriptors` lets tests run a subset or their own.
 */
export async function runControllers(ctx: ControllerContext, signal: AbortSignal, descriptors?: readonly ControllerDescriptor[]): Promise<void> {
  const runnables: Runnable[] = [];
  for (const d of enabledControllers(ctx.options.controllers, descriptors)) {
    const r = d.init(ctx);
    if (r) runnables.push(r);
    else ctx.logger.info({ controller: d.name }, 'controller is disabled by its options');
  }
  ctx.logger.info({ controllers: runnables.map((r) => r.name) }, 'starting controllers');
  ctx.informerFactory.start(signal);
  await Promise.all(
    runnables.map((r) =>
      r.run(signal).catch((err) => {
        ctx.logger.error({ err, controller: r.name }, 'controller failed');
        throw err;
      }),
    ),
  );
}
