// apps/v1 workloads: deployments, replicasets, daemonsets, statefulsets (upstream
// printDeployment, printReplicaSet, printDaemonSet, printStatefulSet).

import type { KubeObject } from '@minik8s/shared';
import { ageColumn, column, nameColumn, wideColumn, CONTAINERS_DESCRIPTION, IMAGES_DESCRIPTION } from './columns.ts';
import { formatLabels, formatLabelSelector, int, labelSelectorString, layoutContainerCells } from './format.ts';
import { translateTimestampSince } from './human-duration.ts';
import type { ResourcePrinter, TableRowCells } from './types.ts';

const SELECTOR_DESCRIPTION =
  'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template\'s labels.';

/** spec.replicas, which the API defaults to 1 for every apps/v1 workload. */
function desiredReplicas(obj: KubeObject): number {
  return typeof obj.spec?.replicas === 'number' ? obj.spec.replicas : 1;
}

function templateContainers(obj: KubeObject): { names: string; images: string } {
  return layoutContainerCells(obj.spec?.template?.spec?.containers);
}

function age(obj: KubeObject, now: Date): string {
  return translateTimestampSince(obj.metadata.creationTimestamp, now);
}

const deploymentColumns = [
  nameColumn(),
  column('Ready', 'string', 'Number of the pod with ready state'),
  column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
  column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
  ageColumn(),
  wideColumn('Containers', 'string', CONTAINERS_DESCRIPTION),
  wideColumn('Images', 'string', IMAGES_DESCRIPTION),
  wideColumn('Selector', 'string', SELECTOR_DESCRIPTION),
];

function printDeployment(d: KubeObject, now: Date): TableRowCells {
  const status = d.status ?? {};
  const { names, images } = templateContainers(d);
  // Unlike the other workloads, a Deployment prints the raw selector string: `` when empty.
  const selector = labelSelectorString(d.spec?.selector) ?? '<invalid>';
  return {
    cells: [d.metadata.name ?? '', `${int(status.readyReplicas)}/${desiredReplicas(d)}`, int(status.updatedReplicas), int(status.availableReplicas), age(d, now), names, images, selector],
  };
}

export const deploymentPrinter: ResourcePrinter = { columns: deploymentColumns, print: printDeployment };

const replicaSetColumns = [
  nameColumn(),
  column('Desired', 'integer', 'Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.'),
  column('Current', 'integer', 'Replicas is the most recently observed number of non-terminating pods.'),
  column('Ready', 'integer', 'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
  ageColumn(),
  wideColumn('Containers', 'string', CONTAINERS_DESCRIPTION),
  wideColumn('Images', 'string', IMAGES_DESCRIPTION),
  wideColumn('Selector', 'string', 'Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set.'),
];

function printReplicaSet(rs: KubeObject, now: Date): TableRowCells {
  const status = rs.status ?? {};
  const { names, images } = templateContainers(rs);
  return {
    cells: [rs.metadata.name ?? '', desiredReplicas(rs), int(status.replicas), int(status.readyReplicas), age(rs, now), names, images, formatLabelSelector(rs.spec?.selector)],
  };
}

export const replicaSetPrinter: ResourcePrinter = { columns: replicaSetColumns, print: printReplicaSet };

const daemonSetColumns = [
  nameColumn(),
  column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
  column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
  column('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
  column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
  column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
  column('Node Selector', 'string', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
  ageColumn(),
  wideColumn('Containers', 'string', CONTAINERS_DESCRIPTION),
  wideColumn('Images', 'string', IMAGES_DESCRIPTION),
  wideColumn('Selector', 'string', "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels."),
];

function printDaemonSet(ds: KubeObject, now: Date): TableRowCells {
  const status = ds.status ?? {};
  const { names, images } = templateContainers(ds);
  return {
    cells: [
      ds.metadata.name ?? '',
      int(status.desiredNumberScheduled),
      int(status.currentNumberScheduled),
      int(status.numberReady),
      int(status.updatedNumberScheduled),
      int(status.numberAvailable),
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      age(ds, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ],
  };
}

export const daemonSetPrinter: ResourcePrinter = { columns: daemonSetColumns, print: printDaemonSet };

const statefulSetColumns = [
  nameColumn(),
  column('Ready', 'string', 'Number of the pod with ready state'),
  ageColumn(),
  wideColumn('Containers', 'string', CONTAINERS_DESCRIPTION),
  wideColumn('Images', 'string', IMAGES_DESCRIPTION),
];

function printStatefulSet(sts: KubeObject, now: Date): TableRowCells {
  const { names, images } = templateContainers(sts);
  return { cells: [sts.metadata.name ?? '', `${int(sts.status?.readyReplicas)}/${desiredReplicas(sts)}`, age(sts, now), names, images] };
}

export const statefulSetPrinter: ResourcePrinter = { columns: statefulSetColumns, print: printStatefulSet };
