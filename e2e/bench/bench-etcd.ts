// Where a benchmark's etcd comes from (its --etcd flag): the tests' choice, an etcd binary, or a container.

import { findEtcdBinary, startEtcd, startEtcdContainer, startEtcdProcess, type EtcdHandle } from '@minik8s/shared/testing';

export type BenchEtcdSource = 'auto' | 'process' | 'container';

export async function startBenchEtcd(how: BenchEtcdSource): Promise<EtcdHandle> {
  if (how === 'container') return startEtcdContainer();
  if (how === 'process') {
    const bin = findEtcdBinary();
    if (!bin) throw new Error('--etcd=process: no etcd binary on PATH (or ETCD_BIN)');
    return startEtcdProcess({ bin });
  }
  return startEtcd();
}
