// Hollow nodes (kubemark's hollow kubelet): many kubelets in one process, each registering its
// own Node, renewing its own Lease and running its pods on the fake runtime, so a scale test of
// the control plane needs hundreds of nodes, not hundreds of processes.
//
//   node kubelet/src/hollow-nodes.ts --master=http://127.0.0.1:8080 --nodes=100 \
//     --node-name-prefix=hollow-node- --root-dir=/tmp/hollow
//
// Every hollow kubelet serves its API on a port of its own (picked free), and they share one
// API client (its --kube-api-qps/--kube-api-burst are for all of them together).

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commonOptions, componentCommand, parseDurationFlag, parseIntFlag, runComponent } from '@minik8s/shared';
import { DEFAULT_CONFIG, type KubeletConfig } from './config.ts';
import { Kubelet } from './kubelet.ts';
import { FakeRuntime } from './runtime/fake/fake-runtime.ts';

const D = DEFAULT_CONFIG;
const cmd = componentCommand('hollow-kubelets', { port: 0, leaderElect: false })
  .option('--nodes <n>', 'How many hollow nodes to run.', parseIntFlag, 10)
  .option('--node-name-prefix <prefix>', 'Node names are <prefix><index>.', 'hollow-node-')
  .option('--root-dir <dir>', 'Where the hollow kubelets keep their files.', join(tmpdir(), 'minik8s-hollow'))
  .option('--node-status-update-frequency <duration>', 'How often each kubelet computes its node status.', parseDurationFlag, D.nodeStatusUpdateFrequencyMs)
  .option('--node-lease-duration-seconds <n>', 'The duration of each node Lease.', parseIntFlag, D.nodeLeaseDurationSeconds)
  .option('--max-pods <n>', 'Pods per hollow node.', parseIntFlag, D.maxPods);

cmd.action(async () => {
  const o = cmd.opts();
  const common = commonOptions(cmd);
  await runComponent({
    name: 'hollow-kubelets',
    options: { ...common, leaderElect: false },
    async run(ctx) {
      const kubelets: Kubelet[] = [];
      for (let i = 0; i < (o.nodes as number); i++) {
        const nodeName = `${o.nodeNamePrefix}${i}`;
        const rootDir = join(o.rootDir as string, nodeName);
        const config: KubeletConfig = {
          ...D,
          nodeName,
          hostname: nodeName,
          // Fake pods have their own IPs; the node's address only has to be unique-looking.
          nodeIP: `10.${64 + Math.floor((i + 1) / 65_536)}.${Math.floor((i + 1) / 256) % 256}.${(i + 1) % 256}`,
          containerRuntime: 'fake',
          rootDir,
          podLogsDir: join(rootDir, 'logs'),
          address: '127.0.0.1',
          port: 0,
          maxPods: o.maxPods,
          nodeStatusUpdateFrequencyMs: o.nodeStatusUpdateFrequency,
          nodeLeaseDurationSeconds: o.nodeLeaseDurationSeconds,
          nodeCapacity: { cpu: '4', memory: '16Gi' },
        };
        // Each hollow node hands out pod IPs from a /24 of its own (10.128.0.0/9).
        const podIP = (n: number) => `10.${128 + Math.floor(i / 256)}.${i % 256}.${(n % 250) + 2}`;
        kubelets.push(new Kubelet({ config, client: ctx.client, runtime: new FakeRuntime({ podIP }), logger: ctx.logger.child({ node: nodeName }) }));
      }
      ctx.logger.info({ nodes: kubelets.length }, 'starting hollow kubelets');
      await Promise.all(kubelets.map((k) => k.run(ctx.signal)));
    },
  });
});

await cmd.parseAsync();
