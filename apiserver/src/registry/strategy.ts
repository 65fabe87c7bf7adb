// A strategy holds everything that differs between resources: defaults, validation, what an
// update may change, graceful deletion, the fields a field selector may use. The generic store
// (generic-store.ts) holds the rest. Handlers never branch on the kind.

import type { FieldError, KubeObject, ResourceInfo } from '@minik8s/shared';

export interface DeleteRequest {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
}

export interface Strategy {
  readonly info: ResourceInfo;
  /** PUT on a missing object creates it (Lease, Endpoints, Event...). */
  readonly allowCreateOnUpdate: boolean;
  /** PUT without metadata.resourceVersion overwrites (true for most resources). */
  readonly allowUnconditionalUpdate: boolean;
  /** A finished DELETE answers with the deleted object (pods, services...) rather than a Status. */
  readonly returnDeletedObject: boolean;
  /** Field labels a field selector may use besides metadata.name and metadata.namespace. */
  readonly selectableFields: readonly string[];

  /** Clear what a client may not set on create (status, ...) and fill server-owned fields. */
  prepareForCreate(obj: KubeObject): void;
  /** Keep what a client may not change through the main resource (status, ...); bump generation. */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
  /** Fill defaulted fields (the same on create and update). */
  applyDefaults(obj: KubeObject): void;
  validate(obj: KubeObject): FieldError[];
  validateUpdate(obj: KubeObject, old: KubeObject): FieldError[];
  /** Rules for a write through /status. */
  validateStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[];
  /** Value of a selectable field (e.g. spec.nodeName), or undefined when the object lacks it. */
  fieldValue(obj: KubeObject, field: string): string | undefined;
  /** Grace period for a delete: > 0 means set deletionTimestamp and let a node finish it. */
  gracePeriodSeconds?(obj: KubeObject, req: DeleteRequest): number;
  /** Called when a delete would start (namespaces: move to Terminating instead). */
  beforeDelete?(obj: KubeObject): void;
  /**
   * Whether something must still happen before the object may go: metadata.finalizers, and for
   * namespaces also spec.finalizers (the namespace controller's "kubernetes").
   */
  hasPendingFinalizers(obj: KubeObject): boolean;
  /**
   * Allocation hooks for resources that hold cluster-wide resources (a Service's clusterIP and
   * nodePorts). allocate runs after validation and before storage; release undoes it when the
   * write failed, and runs after the object is gone for good.
   */
  allocate?(obj: KubeObject, old: KubeObject | undefined): Promise<void>;
  release?(obj: KubeObject, old: KubeObject | undefined, outcome: 'failed' | 'deleted'): Promise<void>;
}

export type StrategyFactory = (info: ResourceInfo) => Strategy;
