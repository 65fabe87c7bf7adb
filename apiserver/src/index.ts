export { ApiServer, SYSTEM_NAMESPACES, type ApiServerOptions } from './apiserver.ts';
export { EtcdStore } from './storage/etcd-store.ts';
export { WatchCache } from './storage/watch-cache.ts';
export type { Storage, StorageEvent } from './storage/interface.ts';
export { StorageError } from './storage/storage-error.ts';
