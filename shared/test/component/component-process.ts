// A minimal component built on the scaffold, run as its own process by component.test.ts:
// it leads (or not) and, while leading, appends "<epoch ms> leading <pid>" to $LEAD_LOG.

import { appendFileSync } from 'node:fs';
import { commonOptions, componentCommand } from '../../src/component/flags.ts';
import { runComponent, untilAborted } from '../../src/component/run-component.ts';

const cmd = componentCommand('test-daemon', { port: 10999 });
cmd.action(async () => {
  await runComponent({
    name: 'test-daemon',
    options: commonOptions(cmd),
    run: async (ctx) => {
      if (process.env.LEAD_LOG) appendFileSync(process.env.LEAD_LOG, `${Date.now()} leading ${process.pid}\n`);
      await untilAborted(ctx.signal);
    },
  });
});
await cmd.parseAsync();
