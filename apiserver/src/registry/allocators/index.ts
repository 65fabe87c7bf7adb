// Cluster-wide pools a Service draws from (cluster IPs, node ports), kept in etcd.

export { AllocationBitmap } from './allocation-bitmap.ts';
export { ServiceCIDR } from './service-cidr.ts';
export { NodePortRange } from './node-port-range.ts';
export { RangeRegistry, RangeNotReadyError, type RangeChange, type RangeOutcome, type RangeSnapshot } from './range-registry.ts';
export {
  ServiceAllocators,
  DEFAULT_SERVICE_CLUSTER_IP_RANGE,
  DEFAULT_SERVICE_NODE_PORT_RANGE,
  serviceNodePorts,
  type ServiceAllocatorsOptions,
} from './service-allocators.ts';
export { AllocationRepair, DEFAULT_REPAIR_INTERVAL_MS, LEAK_RUNS_BEFORE_RELEASE, type AllocationRepairOptions } from './allocation-repair.ts';
export { withUpdateTransactions, enlistInUpdate, type Transaction } from './update-transactions.ts';
