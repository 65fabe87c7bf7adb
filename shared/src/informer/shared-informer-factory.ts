// One informer per (resource, namespace, selectors) in a process (client-go's
// SharedInformerFactory): the scheduler's and every controller's pod handlers share one
// pod watch and one cache.
//
//   const factory = new SharedInformerFactory(client);
//   const pods = factory.informerFor<Pod>('pods', { indexers: { [NODE_NAME_INDEX]: nodeNameIndexFunc } });
//   pods.addEventHandler({ onAdd: (p) => queue.add(metaNamespaceKey(p)) });
//   factory.start(signal);
//   await factory.waitForCacheSync(signal);

import type { Logger } from 'pino';
import type { KubeObject } from '../api/types.ts';
import type { Clock } from '../clock/clock.ts';
import type { ResourceRef, RestClient } from '../client/rest-client.ts';
import { resolveResource } from '../client/rest-client.ts';
import type { Indexers } from './indexer.ts';
import { NAMESPACE_INDEX, namespaceIndexFunc } from './index-funcs.ts';
import type { ListWatchScope } from './list-watch.ts';
import { listWatchFromClient } from './list-watch.ts';
import { SharedIndexInformer } from './shared-informer.ts';
import type { SharedInformerOptions } from './shared-informer.ts';

export interface SharedInformerFactoryOptions {
  /** Default resync period of handlers (0 = none, the default). */
  defaultResyncPeriodMs?: number;
  /** Restrict every informer to one namespace (client-go's WithNamespace). */
  namespace?: string;
  clock?: Clock;
  logger?: Logger;
  reflector?: SharedInformerOptions<KubeObject>['reflector'];
}

export interface InformerForOptions<T> extends ListWatchScope {
  /** Added to the informer's indexers (the namespace index is always there). */
  indexers?: Indexers<T>;
}

export class SharedInformerFactory {
  private readonly client: RestClient;
  private readonly opts: SharedInformerFactoryOptions;
  private readonly informers = new Map<string, SharedIndexInformer<KubeObject>>();
  private readonly runs: Promise<void>[] = [];

  constructor(client: RestClient, opts: SharedInformerFactoryOptions = {}) {
    this.client = client;
    this.opts = opts;
  }

  /** The process' informer for this resource and scope, created on first use (not started). */
  informerFor<T extends KubeObject = KubeObject>(resource: ResourceRef, opts: InformerForOptions<T> = {}): SharedIndexInformer<T> {
    const info = resolveResource(resource);
    const scope: ListWatchScope = {
      namespace: (info.namespaced ? opts.namespace ?? this.opts.namespace : undefined) || undefined,
      labelSelector: opts.labelSelector || undefined,
      fieldSelector: opts.fieldSelector || undefined,
    };
    const gr = info.group ? `${info.resource}.${info.group}` : info.resource;
    const key = JSON.stringify([gr, scope.namespace ?? '', scope.labelSelector ?? '', scope.fieldSelector ?? '']);
    let inf = this.informers.get(key) as SharedIndexInformer<T> | undefined;
    if (!inf) {
      const name = [gr, scope.namespace, scope.labelSelector, scope.fieldSelector].filter(Boolean).join('/');
      inf = new SharedIndexInformer<T>({
        name,
        listerWatcher: listWatchFromClient<T>(this.client, info, scope),
        indexers: { [NAMESPACE_INDEX]: namespaceIndexFunc } as Indexers<T>,
        defaultResyncPeriodMs: this.opts.defaultResyncPeriodMs,
        clock: this.opts.clock,
        logger: this.opts.logger?.child({ informer: name }),
        reflector: this.opts.reflector,
      });
      this.informers.set(key, inf as unknown as SharedIndexInformer<KubeObject>);
    }
    if (opts.indexers) inf.addIndexers(opts.indexers);
    return inf;
  }

  /** Starts every informer not yet running; call again after asking for more informers. */
  start(signal: AbortSignal): void {
    for (const inf of this.informers.values()) {
      if (!inf.isRunning()) this.runs.push(inf.run(signal));
    }
  }

  /** Resolves true once every informer asked for so far has synced; false if `signal` aborts. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForCacheSync(signal)));
    return results.every(Boolean);
  }

  /** Resolves once every started informer has stopped (after the start signal aborted). */
  async shutdown(): Promise<void> {
    await Promise.all(this.runs);
  }
}
