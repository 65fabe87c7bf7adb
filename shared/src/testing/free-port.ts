// A TCP port that is free on the loopback interface right now.

import { createServer } from 'node:net';

/**
 * Asks the kernel for an unused port on 127.0.0.1 and releases it. Nothing reserves it
 * afterwards: a caller that binds it later can (rarely) lose a race with another process.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((err) => (err ? reject(err) : port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
