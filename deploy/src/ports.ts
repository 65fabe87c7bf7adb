// Ports for the daemons: the well-known ones (shifted by 100 per extra instance), or free ones.

import { createServer } from 'node:net';

/** Resolves whether `port` can be bound on every interface right now (nothing reserves it). */
export function isPortFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel says is unused on `host` now (a later bind can still lose a race). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** How the launcher numbers the daemons' ports. */
export type PortMode = 'well-known' | 'free';

/**
 * Hands out ports: in 'well-known' mode instance i (1-based) of a daemon whose upstream port
 * is p gets p + 100 * (i - 1) (kube-scheduler-1 10259, kube-scheduler-2 10359), and a port
 * that is taken is an error naming who wanted it; in 'free' mode every port is a free one
 * (tests running side by side).
 */
export class PortPlan {
  readonly mode: PortMode;
  readonly #given = new Set<number>();

  constructor(mode: PortMode) {
    this.mode = mode;
  }

  /** Instance `instance` (1-based) of a daemon whose upstream port is `wellKnown`, by the mode. */
  port(wellKnown: number, instance: number, who: string): Promise<number> {
    return this.mode === 'free' ? this.free() : this.exact(wellKnown + 100 * (instance - 1), who);
  }

  /** A port the caller asked for: 0 is a free one, undefined the mode's choice for `wellKnown`. */
  requested(port: number | undefined, wellKnown: number, who: string): Promise<number> {
    if (port === 0) return this.free();
    if (port === undefined) return this.port(wellKnown, 1, who);
    return this.exact(port, who);
  }

  /** Any free port not handed out before. */
  async free(): Promise<number> {
    for (;;) {
      const p = await freePort();
      if (!this.#given.has(p)) {
        this.#given.add(p);
        return p;
      }
    }
  }

  /** Exactly `port`; an error naming `who` when it is taken. */
  async exact(port: number, who: string): Promise<number> {
    if (this.#given.has(port)) throw new Error(`port ${port} for ${who} is already given to another component`);
    if (!(await isPortFree(port))) {
      throw new Error(`port ${port} for ${who} is in use (another cluster still running? stop it, or pick free ports)`);
    }
    this.#given.add(port);
    return port;
  }
}
