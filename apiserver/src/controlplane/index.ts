// What the apiserver keeps in the cluster by itself (upstream's pkg/controlplane/controller):
// the `kubernetes` Service and its endpoints.

export {
  KubernetesServiceController,
  KUBERNETES_SERVICE_NAME,
  KUBERNETES_SERVICE_NAMESPACE,
  KUBERNETES_SERVICE_PORT,
  DEFAULT_KUBERNETES_SERVICE_INTERVAL_MS,
  DEFAULT_SECURE_PORT,
  type KubernetesServiceControllerOptions,
  type SecureServing,
} from './kubernetes-service-controller.ts';
export { EndpointReconciler, SKIP_MIRROR_LABEL, SERVICE_NAME_LABEL, type ApiserverEndpoint, type EndpointReconcilerOptions, type Write } from './endpoint-reconciler.ts';
export { defaultAdvertiseAddress, unusableAdvertiseAddress } from './advertise-address.ts';
