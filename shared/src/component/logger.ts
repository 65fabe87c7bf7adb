// The component logger: pino (JSON lines on stderr, as klog writes to stderr) whose level
// follows klog's --v: 0-3 info, 4-5 debug, 6 and above trace.

import { pino } from 'pino';
import type { Logger } from 'pino';

export function levelForVerbosity(v: number): 'info' | 'debug' | 'trace' {
  if (v >= 6) return 'trace';
  if (v >= 4) return 'debug';
  return 'info';
}

export function createLogger(component: string, verbosity = 0, destination: NodeJS.WritableStream | number = 2): Logger {
  const dest = typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination;
  return pino({ name: component, level: levelForVerbosity(verbosity), base: { component, pid: process.pid } }, dest);
}
