import { runStorageConformance } from './conformance.ts';
import { EtcdStore } from '../../src/storage/etcd-store.ts';
import { startEtcd } from '@minik8s/shared/testing';

runStorageConformance('etcd', async () => {
  const etcd = await startEtcd();
  const storage = new EtcdStore({ endpoints: etcd.endpoints });
  return {
    storage,
    compact: async (revision) => {
      await storage.client.kv.compact({ revision, physical: true });
    },
    close: async () => {
      await storage.close();
      await etcd.stop();
    },
  };
});
