// `kubectl exec` over WebSocket, the kubelet's side of the channel protocol
// (k8s.io/apimachinery remotecommand, API-WIRE.md section 6):
//
// - Subprotocols v5.channel.k8s.io (preferred), v4.channel.k8s.io and channel.k8s.io (v1).
// - Binary messages whose first byte is the channel: 0 stdin, 1 stdout, 2 stderr, 3 status,
//   4 resize. On connect an empty message goes to the lowest output channel asked for (so the
//   client knows the stream is up). v5 clients close stdin with [255, 0].
// - At the end, v4/v5 get channel 3 `{"metadata":{},"status":"Success"}` or a NonZeroExitCode
//   Failure carrying the exit code in details.causes; v1 gets the error text. Then a close frame.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { PassThrough, Writable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'] as const;

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE_STREAM = 255;

export interface ExecOptions {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Runs the command with the given streams; resolves its exit code, rejects when it cannot run. */
export type ExecRunner = (streams: { stdin?: PassThrough; stdout?: Writable; stderr?: Writable; tty: boolean; signal: AbortSignal }) => Promise<number>;

/** Picks the protocol: the first of ours the client offers. */
export function selectProtocol(offered: Set<string>): string | false {
  for (const p of EXEC_PROTOCOLS) if (offered.has(p)) return p;
  return false;
}

export function successStatus(): string {
  return JSON.stringify({ metadata: {}, status: 'Success' });
}

export function exitCodeStatus(command: string[], code: number): string {
  return JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  });
}

export function errorStatus(message: string): string {
  return JSON.stringify({ metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 });
}

function channelWriter(ws: WebSocket, channel: number): Writable {
  return new Writable({
    // ws queues frames in order itself: handing each chunk over at once keeps stdout ahead of
    // the status frame sent after the command ends.
    write(chunk: Buffer, _enc, cb) {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), chunk]), { binary: true });
      cb();
    },
  });
}

export class ExecWebSocketServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => selectProtocol(offered),
  });

  /** Completes the upgrade and runs the command; the socket closes when the command ends. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, opts: ExecOptions, run: ExecRunner): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.serve(ws, opts, run));
  }

  close(): void {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
  }

  private async serve(ws: WebSocket, opts: ExecOptions, run: ExecRunner): Promise<void> {
    const protocol = ws.protocol;
    const v4plus = protocol === 'v4.channel.k8s.io' || protocol === 'v5.channel.k8s.io';
    const abort = new AbortController();
    const stdin = opts.stdin ? new PassThrough() : undefined;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const buf = isBinary ? data : Buffer.from(data);
      if (buf.length === 0) return;
      if (buf[0] === CLOSE_STREAM && protocol === 'v5.channel.k8s.io') {
        if (buf[1] === STDIN) stdin?.end();
        return;
      }
      if (buf[0] === STDIN && stdin && !stdin.writableEnded) stdin.write(buf.subarray(1));
    });
    ws.on('close', () => {
      abort.abort();
      stdin?.end();
    });
    ws.on('error', () => abort.abort());

    // Tell the client the streams are up: an empty message on the lowest output channel.
    const first = opts.stdout ? STDOUT : opts.stderr ? STDERR : STATUS;
    ws.send(Buffer.from([first]), { binary: true });

    let status: string;
    try {
      const code = await run({
        stdin,
        stdout: opts.stdout ? channelWriter(ws, STDOUT) : undefined,
        stderr: opts.stderr ? channelWriter(ws, STDERR) : undefined,
        tty: opts.tty,
        signal: abort.signal,
      });
      status = code === 0 ? (v4plus ? successStatus() : '') : v4plus ? exitCodeStatus(opts.command, code) : `command terminated with non-zero exit code: exit code ${code}`;
    } catch (err) {
      status = v4plus ? errorStatus((err as Error).message) : (err as Error).message;
    }
    if (ws.readyState === ws.OPEN) {
      if (status) await new Promise<void>((resolve) => ws.send(Buffer.concat([Buffer.from([STATUS]), Buffer.from(status)]), { binary: true }, () => resolve()));
      ws.close(1000);
    }
  }
}
