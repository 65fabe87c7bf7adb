// Container logs in the CRI format (what containerd and CRI-O write and the kubelet reads):
// one line per record, `<RFC 3339 nano timestamp> <stdout|stderr> <F|P> <content>`, where P
// marks a partial line (split because it was too long) continued by the next record.
//
// The writer turns a container's stdout/stderr byte streams into records; the reader serves
// `kubectl logs` options (tailLines, sinceTime, timestamps, limitBytes, follow) from a file.

import { createWriteStream, type WriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { realClock } from '@minik8s/shared';
import type { ContainerLogOptions } from '../interface.ts';

export type LogStream = 'stdout' | 'stderr';

/** A line longer than this is cut into partial records (containerd uses 16 KiB too). */
export const MAX_LINE_BYTES = 16 * 1024;

/** RFC 3339 with nanoseconds, as Go's time.RFC3339Nano prints UTC (trailing zeros kept for sorting). */
export function criTimestamp(ms: number, nanoOffset = 0): string {
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.123Z
  const nanos = (Math.floor(ms % 1000) * 1_000_000 + nanoOffset).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${nanos}Z`;
}

export interface CriRecord {
  /** ms since the epoch. */
  time: number;
  /** The timestamp as written (RFC 3339 nano). */
  timestamp: string;
  stream: LogStream;
  partial: boolean;
  content: Buffer;
}

/** Parses one record line (without its newline); undefined if it is not one. */
export function parseCriLine(line: Buffer): CriRecord | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const s3 = line.indexOf(0x20, s2 + 1);
  const timestamp = line.subarray(0, s1).toString();
  const stream = line.subarray(s1 + 1, s2).toString();
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = (s3 < 0 ? line.subarray(s2 + 1) : line.subarray(s2 + 1, s3)).toString();
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return undefined;
  return {
    time,
    timestamp,
    stream,
    partial: tag.split(':')[0] === 'P',
    content: s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1),
  };
}

/**
 * Writes one container's output to a CRI log file. Each stream is split into lines on its own;
 * end() flushes what is left of a line without its newline and closes the file.
 */
export class CriLogWriter {
  private readonly file: WriteStream;
  private readonly pending: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  private readonly pendingBytes: Record<LogStream, number> = { stdout: 0, stderr: 0 };
  private readonly now: () => number;
  private lastMs = 0;
  private seq = 0;
  private closed = false;

  constructor(path: string, now: () => number = Date.now) {
    this.file = createWriteStream(path, { flags: 'a' });
    this.file.on('error', () => {
      // A log that cannot be written must not take the container down: output is dropped.
    });
    this.now = now;
  }

  write(stream: LogStream, chunk: Buffer): void {
    if (this.closed) return;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      this.append(stream, chunk.subarray(start, nl));
      this.flushLine(stream, false);
      start = nl + 1;
    }
    if (start < chunk.length) this.append(stream, chunk.subarray(start));
  }

  /** Flushes partial lines and closes the file; resolves once everything is on disk. */
  end(): Promise<void> {
    if (this.closed) return Promise.resolve();
    for (const s of ['stdout', 'stderr'] as const) if (this.pendingBytes[s] > 0) this.flushLine(s, false);
    this.closed = true;
    return new Promise((resolve) => this.file.end(() => resolve()));
  }

  private append(stream: LogStream, part: Buffer): void {
    let rest = part;
    while (this.pendingBytes[stream] + rest.length > MAX_LINE_BYTES) {
      const room = MAX_LINE_BYTES - this.pendingBytes[stream];
      this.pending[stream].push(rest.subarray(0, room));
      this.pendingBytes[stream] += room;
      this.flushLine(stream, true);
      rest = rest.subarray(room);
    }
    if (rest.length > 0) {
      this.pending[stream].push(Buffer.from(rest));
      this.pendingBytes[stream] += rest.length;
    }
  }

  private flushLine(stream: LogStream, partial: boolean): void {
    const content = Buffer.concat(this.pending[stream]);
    this.pending[stream] = [];
    this.pendingBytes[stream] = 0;
    // Records of one millisecond get increasing nanoseconds so their order survives a sort.
    const ms = this.now();
    this.seq = ms === this.lastMs ? this.seq + 1 : 0;
    this.lastMs = ms;
    const head = `${criTimestamp(ms, this.seq % 1_000_000)} ${stream} ${partial ? 'P' : 'F'} `;
    this.file.write(Buffer.concat([Buffer.from(head), content, Buffer.from('\n')]));
  }
}

export interface ReadCriLogOptions extends ContainerLogOptions {
  /** Asked while following, once everything written so far was sent: false ends the stream. */
  isRunning?: () => boolean | Promise<boolean>;
  /** How often a followed file is checked for new records (default 200 ms). */
  pollIntervalMs?: number;
  signal?: AbortSignal;
}

/** Where the last `n` lines of the file start (byte offset), reading backwards in blocks. */
async function tailOffset(path: string, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  const fh = await open(path, 'r');
  try {
    const block = 64 * 1024;
    let pos = size;
    let newlines = 0;
    // The file ends with a newline: the last record's own newline does not start a line.
    let skipFirst = true;
    while (pos > 0) {
      const len = Math.min(block, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, pos);
      for (let i = len - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) continue;
        if (skipFirst && pos + i === size - 1) {
          skipFirst = false;
          continue;
        }
        newlines++;
        if (newlines === n) return pos + i + 1;
      }
    }
    return 0;
  } finally {
    await fh.close();
  }
}

/**
 * Writes the log at `path` to `out` as kubectl logs asks. tailLines counts records (as the
 * kubelet does), limitBytes cuts the output, timestamps prefixes each line with its record's
 * time. With follow, it keeps polling the file until isRunning() says the container stopped
 * and everything was read, the limit is reached, or the signal aborts.
 */
export async function readCriLog(path: string, opts: ReadCriLogOptions, out: Writable): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  let offset = opts.tailLines !== undefined ? await tailOffset(path, size, opts.tailLines) : 0;
  let remaining = opts.limitBytes ?? Infinity;
  let carry = Buffer.alloc(0);
  let stop = false;
  const interval = opts.pollIntervalMs ?? 200;

  const emit = (line: Buffer): void => {
    const rec = parseCriLine(line);
    if (!rec) return;
    if (opts.sinceTime !== undefined && rec.time < opts.sinceTime) return;
    let text = rec.partial ? rec.content : Buffer.concat([rec.content, Buffer.from('\n')]);
    if (opts.timestamps) text = Buffer.concat([Buffer.from(`${rec.timestamp} `), text]);
    if (text.length >= remaining) {
      text = text.subarray(0, remaining);
      stop = true;
    }
    remaining -= text.length;
    if (text.length) out.write(text);
  };

  const fh = await open(path, 'r');
  try {
    for (;;) {
      const cur = (await fh.stat()).size;
      if (cur < offset) offset = 0; // truncated: start over
      while (offset < cur && !stop) {
        const len = Math.min(256 * 1024, cur - offset);
        const buf = Buffer.alloc(len);
        const { bytesRead } = await fh.read(buf, 0, len, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        let data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        let start = 0;
        for (;;) {
          const nl = data.indexOf(0x0a, start);
          if (nl < 0) break;
          emit(data.subarray(start, nl));
          if (stop) break;
          start = nl + 1;
        }
        carry = Buffer.from(data.subarray(start));
        data = Buffer.alloc(0);
      }
      if (stop || !opts.follow || opts.signal?.aborted) return;
      // Everything written so far is out: stop once the writer is gone and nothing new came.
      const running = opts.isRunning ? await opts.isRunning() : false;
      const after = (await fh.stat()).size;
      if (!running && after === offset) return;
      if (after === offset) {
        if (!(await realClock.sleep(interval, opts.signal))) return;
      }
    }
  } finally {
    await fh.close();
  }
}
