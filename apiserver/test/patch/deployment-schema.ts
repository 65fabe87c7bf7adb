// A hand-written slice of the apps/v1 and core/v1 OpenAPI v3 schemas, shaped as the real
// /openapi/v3 documents are (`allOf: [{$ref}]` wrappers, extensions on the property), with the
// patch metadata Kubernetes declares on these fields (k8s.io/api core/v1 and apps/v1 types):
// containers/initContainers/env/volumes/imagePullSecrets by name, ports by containerPort,
// volumeMounts by mountPath, ownerReferences by uid, conditions by type, finalizers as a
// merged set, volumes and the Deployment strategy with retainKeys, tolerations and args atomic.

import type { PatchSchema } from '../../src/patch/index.ts';

const ref = (name: string): PatchSchema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });
const list = (item: PatchSchema, mergeKey?: string, strategy?: string): PatchSchema => ({
  type: 'array',
  items: item,
  ...(mergeKey ? { 'x-kubernetes-patch-merge-key': mergeKey } : {}),
  ...(strategy ? { 'x-kubernetes-patch-strategy': strategy } : {}),
});
const str: PatchSchema = { type: 'string' };
const int: PatchSchema = { type: 'integer' };
const stringMap: PatchSchema = { type: 'object', additionalProperties: str };

export const schemas: Record<string, PatchSchema> = {
  'io.k8s.api.apps.v1.Deployment': {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.apps.v1.DeploymentSpec'),
      status: ref('io.k8s.api.apps.v1.DeploymentStatus'),
    },
  },
  'io.k8s.api.apps.v1.DeploymentSpec': {
    type: 'object',
    properties: {
      replicas: int,
      selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      strategy: { ...ref('io.k8s.api.apps.v1.DeploymentStrategy'), 'x-kubernetes-patch-strategy': 'retainKeys' },
      template: ref('io.k8s.api.core.v1.PodTemplateSpec'),
    },
  },
  'io.k8s.api.apps.v1.DeploymentStrategy': {
    type: 'object',
    properties: { type: str, rollingUpdate: ref('io.k8s.api.apps.v1.RollingUpdateDeployment') },
  },
  'io.k8s.api.apps.v1.RollingUpdateDeployment': { type: 'object', properties: { maxSurge: {}, maxUnavailable: {} } },
  'io.k8s.api.apps.v1.DeploymentStatus': {
    type: 'object',
    properties: {
      replicas: int,
      observedGeneration: int,
      conditions: list(ref('io.k8s.api.apps.v1.DeploymentCondition'), 'type', 'merge'),
    },
  },
  'io.k8s.api.apps.v1.DeploymentCondition': {
    type: 'object',
    properties: { type: str, status: str, reason: str, message: str, lastUpdateTime: str },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': {
    type: 'object',
    properties: { matchLabels: stringMap, matchExpressions: list({ type: 'object' }) },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    type: 'object',
    properties: {
      name: str,
      namespace: str,
      uid: str,
      resourceVersion: str,
      generation: int,
      labels: stringMap,
      annotations: stringMap,
      finalizers: list(str, undefined, 'merge'),
      ownerReferences: list(ref('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference'), 'uid', 'merge'),
    },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference': {
    type: 'object',
    properties: { apiVersion: str, kind: str, name: str, uid: str, controller: { type: 'boolean' } },
  },
  'io.k8s.api.core.v1.PodTemplateSpec': {
    type: 'object',
    properties: { metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), spec: ref('io.k8s.api.core.v1.PodSpec') },
  },
  'io.k8s.api.core.v1.PodSpec': {
    type: 'object',
    properties: {
      containers: list(ref('io.k8s.api.core.v1.Container'), 'name', 'merge'),
      initContainers: list(ref('io.k8s.api.core.v1.Container'), 'name', 'merge'),
      volumes: list(ref('io.k8s.api.core.v1.Volume'), 'name', 'merge,retainKeys'),
      tolerations: list(ref('io.k8s.api.core.v1.Toleration')),
      nodeSelector: stringMap,
      restartPolicy: str,
    },
  },
  'io.k8s.api.core.v1.Container': {
    type: 'object',
    properties: {
      name: str,
      image: str,
      imagePullPolicy: str,
      command: list(str),
      args: list(str),
      env: list(ref('io.k8s.api.core.v1.EnvVar'), 'name', 'merge'),
      ports: list(ref('io.k8s.api.core.v1.ContainerPort'), 'containerPort', 'merge'),
      volumeMounts: list(ref('io.k8s.api.core.v1.VolumeMount'), 'mountPath', 'merge'),
      resources: { type: 'object', properties: { limits: stringMap, requests: stringMap } },
      terminationMessagePath: str,
    },
  },
  'io.k8s.api.core.v1.EnvVar': { type: 'object', properties: { name: str, value: str, valueFrom: { type: 'object' } } },
  'io.k8s.api.core.v1.ContainerPort': { type: 'object', properties: { containerPort: int, name: str, protocol: str } },
  'io.k8s.api.core.v1.VolumeMount': { type: 'object', properties: { name: str, mountPath: str, readOnly: { type: 'boolean' } } },
  'io.k8s.api.core.v1.Volume': {
    type: 'object',
    properties: { name: str, emptyDir: { type: 'object' }, configMap: { type: 'object' }, hostPath: { type: 'object' } },
  },
  'io.k8s.api.core.v1.Toleration': { type: 'object', properties: { key: str, operator: str, effect: str, tolerationSeconds: int } },
};

export const deploymentSchema = schemas['io.k8s.api.apps.v1.Deployment'];

export function resolve(r: string): PatchSchema | undefined {
  const prefix = '#/components/schemas/';
  return r.startsWith(prefix) ? schemas[r.slice(prefix.length)] : undefined;
}
