// One strategy per resource: the resources listed here differ from the base behaviour.

import type { ResourceInfo } from '@minik8s/shared';
import { baseStrategy } from '../base-strategy.ts';
import type { Strategy, StrategyFactory } from '../strategy.ts';
import type { ServiceAllocators } from '../allocators/service-allocators.ts';
import { controllerRevisionStrategy } from './controller-revisions.ts';
import { eventStrategy } from './events.ts';
import { namespaceStrategy } from './namespaces.ts';
import { nodeStrategy } from './nodes.ts';
import { podStrategy } from './pods.ts';
import { jobStrategy } from './jobs.ts';
import { serviceStrategy } from './services.ts';

/** What some strategies need from the apiserver besides their ResourceInfo. */
export interface StrategyDeps {
  /** The cluster IP and node port pools; without them Services are stored as sent. */
  serviceAllocators?: ServiceAllocators;
}

const createOnUpdate: StrategyFactory = (info) => baseStrategy(info, { allowCreateOnUpdate: true });

const FACTORIES: Record<string, (info: ResourceInfo, deps: StrategyDeps) => Strategy> = {
  '/pods': podStrategy,
  '/nodes': nodeStrategy,
  '/namespaces': namespaceStrategy,
  '/events': eventStrategy,
  '/endpoints': createOnUpdate,
  'coordination.k8s.io/leases': createOnUpdate,
  '/serviceaccounts': (info) => baseStrategy(info, { returnDeletedObject: true }),
  '/secrets': (info) => baseStrategy(info, { selectableFields: ['type'] }),
  'batch/jobs': jobStrategy,
  '/services': serviceStrategy,
  'apps/replicasets': (info) => baseStrategy(info, { selectableFields: ['status.replicas'] }),
  'apps/controllerrevisions': controllerRevisionStrategy,
};

export function strategyFor(info: ResourceInfo, deps: StrategyDeps = {}): Strategy {
  const f = FACTORIES[`${info.group}/${info.resource}`];
  return f ? f(info, deps) : baseStrategy(info);
}
