// Decodes a watch response body (chunked, one JSON event per line) into typed events.
//
// Contract:
// - Lines may be split anywhere across chunks (even inside a UTF-8 sequence); blank lines
//   are skipped.
// - An ERROR event is not yielded: it is thrown as a StatusError carrying its Status, so a
//   410 is `isExpired(err)` and the caller relists. Garbage on the stream is thrown as a
//   plain Error (the caller re-watches).
// - A body that ends ends the iteration (a last line cut off mid-event is dropped); a
//   transport error while reading is thrown as it is. A reflector re-watches from its last
//   resourceVersion after either.

import type { KubeObject, Status, WatchEvent } from '../api/types.ts';
import { StatusError } from '../api/status-error.ts';

/** What a watch yields: ERROR events are thrown (as StatusError), never yielded. */
export type ObjectWatchEvent<T extends KubeObject = KubeObject> = Exclude<WatchEvent<T>, { type: 'ERROR' }>;

const EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

export function parseWatchLine<T extends KubeObject>(line: string): ObjectWatchEvent<T> {
  let ev: { type?: unknown; object?: unknown };
  try {
    ev = JSON.parse(line);
  } catch {
    throw new Error(`watch: undecodable event: ${line.slice(0, 200)}`);
  }
  if (typeof ev?.type !== 'string' || !EVENT_TYPES.has(ev.type) || typeof ev.object !== 'object' || ev.object === null) {
    throw new Error(`watch: malformed event: ${line.slice(0, 200)}`);
  }
  if (ev.type === 'ERROR') {
    const o = ev.object as Partial<Status>;
    const status: Status = o.kind === 'Status'
      ? (o as Status)
      : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: JSON.stringify(o), code: 500, reason: 'InternalError' };
    throw new StatusError(status);
  }
  return ev as ObjectWatchEvent<T>;
}

export async function* decodeWatchStream<T extends KubeObject>(
  chunks: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<ObjectWatchEvent<T>, void, undefined> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) yield parseWatchLine<T>(line);
    }
  }
  pending += decoder.decode();
  // A last line without its newline is a complete event only if it parses; a stream cut
  // mid-event ends without it (the caller re-watches from the last RV it saw).
  const last = pending.trim();
  if (last) {
    let ev: ObjectWatchEvent<T> | undefined;
    try {
      ev = parseWatchLine<T>(last);
    } catch (e) {
      if (e instanceof StatusError) throw e;
    }
    if (ev) yield ev;
  }
}
