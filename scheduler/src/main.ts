#!/usr/bin/env node
// kube-scheduler: assigns pending pods to nodes through pods/binding.
//
//   node scheduler/src/main.ts --master=http://127.0.0.1:8080 --port=10259 [--leader-elect=false]
//
// Flags are the shared component flags (kubeconfig/master, leader election on the Lease
// kube-system/kube-scheduler, health and metrics port, client QPS), with upstream's defaults.

import { commonOptions, componentCommand, runComponent } from '@minik8s/shared';
import { runScheduler } from './run.ts';

const cmd = componentCommand('kube-scheduler', { port: 10259 }).description(
  'The Kubernetes scheduler of minik8s: watches pods without a node and binds each to a node that fits it.',
);
cmd.action(async () => {
  await runComponent({ name: 'kube-scheduler', options: commonOptions(cmd), run: (ctx) => runScheduler(ctx) });
});
await cmd.parseAsync();
