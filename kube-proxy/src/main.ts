#!/usr/bin/env node
// kube-proxy: one per node; makes Service node ports reach the Services' ready endpoints.
// Flags: see options.ts.

import { runComponent } from '@minik8s/shared';
import { kubeProxyCommand, parseKubeProxyFlags } from './options.ts';
import { runKubeProxy } from './proxy-server.ts';

const cmd = kubeProxyCommand();
cmd.action(async () => {
  const { common, proxy } = parseKubeProxyFlags(cmd);
  if (proxy.proxyMode === 'iptables' && (process.platform !== 'linux' || process.getuid?.() !== 0)) {
    process.stderr.write('kube-proxy: --proxy-mode=iptables needs root on Linux; use --proxy-mode=userspace\n');
    process.exit(1);
  }
  await runComponent({ name: 'kube-proxy', options: common, run: (ctx) => runKubeProxy(ctx, proxy) });
});
await cmd.parseAsync();
