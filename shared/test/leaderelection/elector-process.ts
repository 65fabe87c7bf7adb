// One leader election candidate as its own process, for the two-process integration test.
//
//   node shared/test/leaderelection/elector-process.ts <server> <identity> <log file> \
//        <leaseDurationMs> <renewDeadlineMs> <retryPeriodMs> <lease name>
//
// Appends one line per leadership edge to the shared log, synchronously so a line is on disk
// before anything else happens: "<epoch ms> start <id>" when it starts leading, "<epoch ms>
// stop <id>" when it stops, "<epoch ms> observed <id> <leader>" when it sees a new leader.
// SIGTERM stops it cleanly (the Lease is released after "stop"); it exits 0, or 1 if lost.

import { appendFileSync } from 'node:fs';
import { RestClient } from '../../src/client/rest-client.ts';
import { LeaderElector } from '../../src/leaderelection/leader-elector.ts';
import { LeaseLock } from '../../src/leaderelection/lease-lock.ts';
import { untilAborted } from '../../src/component/run-component.ts';

const [server, id, logFile, lease, renew, retry, leaseName] = process.argv.slice(2);
const log = (what: string) => appendFileSync(logFile, `${Date.now()} ${what}\n`);

const client = new RestClient({ config: { server }, component: 'elector-test', maxRetries: 0, timeoutMs: Number(renew) });
const stop = new AbortController();
process.on('SIGTERM', () => stop.abort());

const elector = new LeaderElector({
  lock: new LeaseLock(client, 'kube-system', leaseName, id),
  leaseDurationMs: Number(lease),
  renewDeadlineMs: Number(renew),
  retryPeriodMs: Number(retry),
  callbacks: {
    onStartedLeading: async (signal) => {
      log(`start ${id}`);
      await untilAborted(signal);
    },
    onStoppedLeading: () => log(`stop ${id}`),
    onNewLeader: (leader) => log(`observed ${id} ${leader}`),
  },
});

log(`campaigning ${id}`);
const result = await elector.run(stop.signal);
log(`${result} ${id}`);
await client.close();
process.exit(result === 'lost' ? 1 : 0);
