// kube-controller-manager:
//   node controller-manager/src/main.ts --master=http://127.0.0.1:8080 --port=10257 \
//     [--controllers=*,-foo] [--leader-elect ...] [--node-monitor-grace-period=40s] ...
// Campaigns for the Lease kube-system/kube-controller-manager (--leader-elect, default on);
// only the leader runs controllers. /healthz, /readyz and /metrics on --port.

import { commonOptions, runComponent } from '@minik8s/shared';
import { controllerManagerCommand, controllerManagerOptions, COMPONENT_NAME } from './options.ts';
import { validateControllers } from './controller-descriptors.ts';
import { controllerContextFrom, runControllers } from './controller-manager.ts';

const cmd = controllerManagerCommand();
cmd.action(async () => {
  let options;
  let common;
  try {
    common = commonOptions(cmd);
    options = controllerManagerOptions(cmd);
    validateControllers(options.controllers);
  } catch (err) {
    process.stderr.write(`${COMPONENT_NAME}: ${(err as Error).message}\n`);
    process.exit(1);
  }
  await runComponent({
    name: COMPONENT_NAME,
    options: common,
    run: (ctx) => runControllers(controllerContextFrom(ctx, options), ctx.signal),
  });
});
await cmd.parseAsync();
