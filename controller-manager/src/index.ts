// @minik8s/controller-manager: the controller shape and the core controllers, for the
// process (main.ts) and for tests or other packages that run controllers in-process.

export { Controller, errorText, type ControllerOptions, type ReconcileResult, type Runnable } from './controller.ts';
export type { ControllerContext } from './controller-context.ts';
export {
  CONTROLLER_DESCRIPTORS,
  enabledControllers,
  isControllerEnabled,
  validateControllers,
  type ControllerDescriptor,
} from './controller-descriptors.ts';
export { controllerContextFrom, runControllers } from './controller-manager.ts';
export { EventRecorder, objectReference, rfc3339, type EventType, type ObjectReference } from '@minik8s/shared';
export {
  COMPONENT_NAME,
  DEFAULT_PORT,
  controllerManagerCommand,
  controllerManagerOptions,
  defaultControllerManagerOptions,
  type ControllerManagerOptions,
} from './options.ts';
export { ControllerExpectations } from './util/expectations.ts';
export { ControllerRefManager, getControllerOf, newControllerRef, recheckDeletionTimestamp } from './util/controller-ref.ts';
export { computeHash, safeEncodeString } from './util/hash.ts';
export { slowStartBatch } from './util/slow-start.ts';
export { isPodActive, isPodAvailable, isPodReady } from './util/pod-util.ts';
export { scaledValueFromIntOrPercent } from './util/int-or-string.ts';
