// Which printer serves which group/resource. A resource missing here gets the default
// NAME / CREATED AT table, as upstream's default table convertor gives.

import { controllerRevisionPrinter } from './controller-revision-printer.ts';
import { defaultPrinter } from './default-printer.ts';
import { endpointSlicePrinter, endpointsPrinter } from './endpoints-printers.ts';
import { eventPrinter } from './event-printer.ts';
import { cronJobPrinter, jobPrinter } from './job-printers.ts';
import { nodePrinter } from './node-printer.ts';
import { podPrinter } from './pod-printer.ts';
import { servicePrinter } from './service-printer.ts';
import { componentStatusPrinter, configMapPrinter, leasePrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './simple-printers.ts';
import type { ResourcePrinter } from './types.ts';
import { daemonSetPrinter, deploymentPrinter, replicaSetPrinter, statefulSetPrinter } from './workload-printers.ts';

/** Keyed by `<resource>.<group>` (`pods.` for the core group). */
const PRINTERS = new Map<string, ResourcePrinter>([
  ['namespaces.', namespacePrinter],
  ['pods.', podPrinter],
  ['nodes.', nodePrinter],
  ['services.', servicePrinter],
  ['endpoints.', endpointsPrinter],
  ['events.', eventPrinter],
  ['configmaps.', configMapPrinter],
  ['secrets.', secretPrinter],
  ['serviceaccounts.', serviceAccountPrinter],
  ['componentstatuses.', componentStatusPrinter],
  ['deployments.apps', deploymentPrinter],
  ['replicasets.apps', replicaSetPrinter],
  ['daemonsets.apps', daemonSetPrinter],
  ['statefulsets.apps', statefulSetPrinter],
  ['controllerrevisions.apps', controllerRevisionPrinter],
  ['jobs.batch', jobPrinter],
  ['cronjobs.batch', cronJobPrinter],
  ['leases.coordination.k8s.io', leasePrinter],
  ['endpointslices.discovery.k8s.io', endpointSlicePrinter],
]);

/** The printer for a resource; never undefined (the default printer is the fallback). */
export function printerFor(group: string, resource: string): ResourcePrinter {
  return PRINTERS.get(`${resource}.${group}`) ?? defaultPrinter;
}

/** True when the resource has its own printer rather than the default NAME / CREATED AT. */
export function hasPrinter(group: string, resource: string): boolean {
  return PRINTERS.has(`${resource}.${group}`);
}
