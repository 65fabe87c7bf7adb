// What a reflector lists and watches: client-go's cache.ListerWatcher. The REST client one is
// the production implementation; tests may hand a reflector any other.

import type { KubeList, KubeObject } from '../api/types.ts';
import type { ObjectWatchEvent } from '../client/watch-decoder.ts';
import type { ResourceRef, RestClient } from '../client/rest-client.ts';

export interface ListPageOptions {
  resourceVersion?: string;
  limit?: number;
  continue?: string;
  signal?: AbortSignal;
}

export interface WatchStartOptions {
  resourceVersion: string;
  allowWatchBookmarks: boolean;
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface ListerWatcher<T extends KubeObject = KubeObject> {
  list(opts: ListPageOptions): Promise<KubeList<T>>;
  /** Events after opts.resourceVersion; throws a StatusError (410 = expired) as RestClient.watch. */
  watch(opts: WatchStartOptions): AsyncIterable<ObjectWatchEvent<T>>;
}

export interface ListWatchScope {
  /** Only this namespace ('' or undefined: all namespaces). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export function listWatchFromClient<T extends KubeObject = KubeObject>(
  client: RestClient,
  resource: ResourceRef,
  scope: ListWatchScope = {},
): ListerWatcher<T> {
  const base = {
    namespace: scope.namespace || undefined,
    labelSelector: scope.labelSelector || undefined,
    fieldSelector: scope.fieldSelector || undefined,
  };
  return {
    list: (opts) => client.list<T>(resource, { ...base, ...opts }),
    // Reflectors back off and re-watch themselves: a failed watch start is not retried here.
    watch: (opts) => client.watch<T>(resource, { ...base, ...opts, maxRetries: 0 }),
  };
}
