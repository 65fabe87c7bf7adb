// Plugin names, as upstream's pkg/scheduler/framework/plugins/names (NodeReady is ours).

export const PrioritySort = 'PrioritySort';
export const DefaultBinder = 'DefaultBinder';
export const DefaultPreemption = 'DefaultPreemption';
export const NodeUnschedulable = 'NodeUnschedulable';
export const NodeName = 'NodeName';
export const NodeReady = 'NodeReady';
export const TaintToleration = 'TaintToleration';
export const NodeAffinity = 'NodeAffinity';
export const NodePorts = 'NodePorts';
export const NodeResourcesFit = 'NodeResourcesFit';
export const NodeResourcesBalancedAllocation = 'NodeResourcesBalancedAllocation';
export const PodTopologySpread = 'PodTopologySpread';
