// GET ...?watch=true: a chunked stream, one JSON event per line, served from the watch cache.
// Headers are flushed at once (kubectl and client-node wait for them). The stream stays open
// until timeoutSeconds (default: 30-60 minutes, as upstream's min-request-timeout) or the
// client goes away. A too-old resourceVersion is answered as a 200 stream whose only event is
// an ERROR Status 410, which is what clients expect.

import type { KubeObject } from '@minik8s/shared';
import { StatusError, groupVersion } from '@minik8s/shared';
import { toTable } from '../../printers/index.ts';
import type { CachedEvent, CacheWatcher } from '../../storage/watch-cache.ts';
import { listQuery, objectJson, qBool, qInt, withTypeMeta, type RequestScope } from '../scope.ts';
import { watchMetrics } from '../metrics.ts';

const BOOKMARK_INTERVAL_MS = 5_000;

export async function watchHandler(scope: RequestScope): Promise<void> {
  const { reply, info, store } = scope;
  const q = listQuery(scope);
  if (scope.path.name) {
    // GET .../pods/x?watch=true is a watch of one object.
    const byName = (get: (f: string) => string | undefined) => get('metadata.name') === scope.path.name;
    const prev = q.fieldSelector;
    q.fieldSelector = prev ? (get) => byName(get) && prev(get) : byName;
  }
  const bookmarks = qBool(scope.query, 'allowWatchBookmarks');
  const timeoutSeconds = qInt(scope.query, 'timeoutSeconds') ?? 1800 + Math.floor(Math.random() * 1800);

  let watcher: CacheWatcher | undefined;
  let startError: StatusError | undefined;
  try {
    watcher = store.watch(q);
  } catch (e) {
    if (e instanceof StatusError && e.code === 410) startError = e;
    else throw e;
  }

  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  if (startError || !watcher) {
    res.end(JSON.stringify({ type: 'ERROR', object: startError!.status }) + '\n');
    return;
  }
  const w = watcher;
  const gauge = watchMetrics.watchers.labels(info.group, info.resource);
  gauge.inc();
  const table = scope.table;
  const gv = groupVersion(info);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    clearInterval(bookmarkTimer);
    w.stop();
    gauge.dec();
  };
  const timer = setTimeout(() => {
    close();
  }, timeoutSeconds * 1000);
  // A bookmark goes through the watcher's own queue so it can never overtake an event.
  const bookmarkTimer = bookmarks
    ? setInterval(() => {
        const rv = Math.max(store.cache.resourceVersion, w.fromRevision);
        w.events.push({ type: 'BOOKMARK' as CachedEvent['type'], key: '', object: { kind: info.kind, apiVersion: gv, metadata: { resourceVersion: String(rv) } }, revision: rv });
      }, BOOKMARK_INTERVAL_MS)
    : undefined;
  res.on('close', close);

  let sentHeaders = false;
  const encode = (ev: CachedEvent): string => {
    if ((ev.type as string) === 'BOOKMARK') return JSON.stringify({ type: 'BOOKMARK', object: ev.object }) + '\n';
    if (table) {
      // Column definitions go with the first Table event only, as upstream.
      const t = toTable(info.group, info.resource, [withTypeMeta(info, ev.object)], { now: scope.now(), includeObject: table.includeObject, listMeta: { resourceVersion: String(ev.revision) }, noHeaders: sentHeaders });
      sentHeaders = true;
      return JSON.stringify({ type: ev.type, object: t }) + '\n';
    }
    // The same object goes to many watchers: its JSON is computed once (objectJson).
    const line = `{"type":"${ev.type}","object":${objectJson(info, ev.object as KubeObject)}}\n`;
    return line;
  };

  try {
    for await (const ev of w.events) {
      if (closed) break;
      if (!res.write(encode(ev))) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
  } catch (e) {
    // The cache was reset or the watcher fell too far behind: tell the client to relist.
    const status = e instanceof StatusError ? e.status : new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', code: 410, message: (e as Error).message }).status;
    if (!closed) res.write(JSON.stringify({ type: 'ERROR', object: { ...status, reason: 'Expired', code: 410 } }) + '\n');
  } finally {
    close();
    if (!res.writableEnded) res.end();
  }
}
