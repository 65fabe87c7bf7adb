// The Kubernetes API packages the protobuf tables cover, and the messages decoded by hand.

/** Short aliases used in the notation for the packages' full (OpenAPI style) names. */
export const PACKAGE_ALIASES: Record<string, string> = {
  core: 'io.k8s.api.core.v1',
  apps: 'io.k8s.api.apps.v1',
  batch: 'io.k8s.api.batch.v1',
  coordination: 'io.k8s.api.coordination.v1',
  discovery: 'io.k8s.api.discovery.v1',
  policy: 'io.k8s.api.policy.v1',
  autoscaling: 'io.k8s.api.autoscaling.v1',
  scheduling: 'io.k8s.api.scheduling.v1',
  rbac: 'io.k8s.api.rbac.v1',
  networking: 'io.k8s.api.networking.v1',
  meta: 'io.k8s.apimachinery.pkg.apis.meta.v1',
  resource: 'io.k8s.apimachinery.pkg.api.resource',
  intstr: 'io.k8s.apimachinery.pkg.util.intstr',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
};

/** The apiVersion of an object -> the alias of the package holding its message. */
export const API_VERSION_PACKAGES: Record<string, string> = {
  v1: 'core',
  'apps/v1': 'apps',
  'batch/v1': 'batch',
  'coordination.k8s.io/v1': 'coordination',
  'discovery.k8s.io/v1': 'discovery',
  'policy/v1': 'policy',
  'autoscaling/v1': 'autoscaling',
  'scheduling.k8s.io/v1': 'scheduling',
  'rbac.authorization.k8s.io/v1': 'rbac',
  'networking.k8s.io/v1': 'networking',
};

/** Messages with a JSON form of their own (a string, a number, raw JSON): decoded by hand. */
export const SPECIAL_TYPES = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': 'intOrString',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': 'time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': 'microTime',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Duration': 'duration',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': 'fieldsV1',
  'io.k8s.apimachinery.pkg.runtime.RawExtension': 'rawExtension',
} as const satisfies Record<string, string>;
export type SpecialType = (typeof SPECIAL_TYPES)[keyof typeof SPECIAL_TYPES];
