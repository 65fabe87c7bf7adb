#!/usr/bin/env node
// kube-proxy: one per node; makes Service node ports reach the Services' ready endpoints.
// Flags: see options.ts. `--cleanup` removes the iptables mode's rules and exits (upstream's
// CleanupAndExit): 0 when nothing is left, 1 when something could not be removed.

import { createLogger, runComponent } from '@minik8s/shared';
import { kubeProxyCommand, parseKubeProxyFlags } from './options.ts';
import { cleanupLeftovers } from './proxier/iptables/iptables-cleanup.ts';
import { iptablesPresent } from './proxier/iptables/iptables.ts';
import { runKubeProxy } from './proxy-server.ts';

const cmd = kubeProxyCommand();
cmd.action(async () => {
  const { common, proxy, cleanup } = parseKubeProxyFlags(cmd);
  if (cleanup) {
    const log = createLogger('kube-proxy', common.v);
    try {
      const done = await cleanupLeftovers();
      log.info({ chains: done.chains, jumps: done.jumps.filter.length + done.jumps.nat.length }, 'removed kube-proxy iptables rules');
      process.exit(0);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'encountered an error while tearing down rules');
      process.exit(1);
    }
  }
  if (proxy.proxyMode === 'iptables') {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) {
      process.stderr.write('kube-proxy: --proxy-mode=iptables needs root on Linux; use --proxy-mode=userspace\n');
      process.exit(1);
    }
    if (!(await iptablesPresent())) {
      process.stderr.write('kube-proxy: --proxy-mode=iptables: iptables is not available on this host (iptables-restore not found)\n');
      process.exit(1);
    }
  }
  await runComponent({ name: 'kube-proxy', options: common, run: (ctx) => runKubeProxy(ctx, proxy) });
});
await cmd.parseAsync();
