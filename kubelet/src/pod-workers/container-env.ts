// A container's environment as the kubelet computes it (kubelet_pods.go makeEnvironmentVariables):
// envFrom sources first (with their prefix), then env entries in order, each value expanded
// with the variables defined before it. valueFrom reads the pod (fieldRef), the container's
// resources (resourceFieldRef), ConfigMaps and Secrets (their keys, base64-decoded for Secrets).
//
// A missing ConfigMap/Secret/key that is not optional fails with ContainerConfigError, which
// the pod's status shows as CreateContainerConfigError with upstream's message.

import { parseQuantity, type KubeObject } from '@minik8s/shared';
import type { Container, EnvVar, Pod } from '../api/pod.ts';
import type { KeyValue } from '../runtime/interface.ts';
import { expand } from './expansion.ts';

export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** Reads ConfigMaps and Secrets of the pod's namespace; resolves undefined when there is none. */
export interface ConfigSource {
  getConfigMap(namespace: string, name: string): Promise<KubeObject | undefined>;
  getSecret(namespace: string, name: string): Promise<KubeObject | undefined>;
}

export interface EnvContext {
  pod: Pod;
  container: Container;
  hostIP: string;
  podIPs: string[];
  /** Node allocatable, for resourceFieldRef of a resource without limit. */
  nodeAllocatable: Record<string, string>;
  source: ConfigSource;
}

/** A valid environment variable name (C identifiers and the relaxed rule since 1.30: printable ASCII but '='). */
function isValidEnvName(name: string): boolean {
  return name.length > 0 && /^[ -<>-~]+$/.test(name);
}

function fieldValue(pod: Pod, path: string, ctx: EnvContext): string {
  const meta = pod.metadata;
  const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (sub) return (sub[1] === 'labels' ? meta.labels : meta.annotations)?.[sub[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
      return ctx.hostIP;
    case 'status.hostIPs':
      return ctx.hostIP;
    case 'status.podIP':
      return ctx.podIPs[0] ?? '';
    case 'status.podIPs':
      return ctx.podIPs.join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldRef path ${JSON.stringify(path)}`);
  }
}

function resourceValue(ctx: EnvContext, ref: NonNullable<NonNullable<EnvVar['valueFrom']>['resourceFieldRef']>): string {
  const target = ref.containerName
    ? [...ctx.pod.spec.containers, ...(ctx.pod.spec.initContainers ?? [])].find((c) => c.name === ref.containerName)
    : ctx.container;
  if (!target) throw new ContainerConfigError(`container ${ref.containerName} not found in pod`);
  const [kind, resource] = ref.resource.split('.', 2) as ['limits' | 'requests', string];
  let q = target.resources?.[kind]?.[resource];
  // No limit: the node's allocatable is the limit (as upstream's defaulting for downward API).
  if (q === undefined && kind === 'limits') q = ctx.nodeAllocatable[resource];
  if (q === undefined) q = 0;
  const divisor = ref.divisor !== undefined ? parseQuantity(ref.divisor) : 1;
  const value = parseQuantity(q);
  return String(Math.ceil(value / (divisor || 1)));
}

function decode(obj: KubeObject, key: string, secret: boolean): string | undefined {
  const data = (obj as { data?: Record<string, string> }).data;
  if (secret) {
    const v = data?.[key];
    if (v !== undefined) return Buffer.from(v, 'base64').toString('utf8');
    return (obj as { stringData?: Record<string, string> }).stringData?.[key];
  }
  if (data?.[key] !== undefined) return data[key];
  const bin = (obj as { binaryData?: Record<string, string> }).binaryData?.[key];
  return bin === undefined ? undefined : Buffer.from(bin, 'base64').toString('utf8');
}

function keysOf(obj: KubeObject, secret: boolean): string[] {
  const data = (obj as { data?: Record<string, string> }).data ?? {};
  if (secret) return Object.keys(data);
  return [...Object.keys(data), ...Object.keys((obj as { binaryData?: Record<string, string> }).binaryData ?? {})];
}

/** The container's environment, in definition order (a later definition of a name wins). */
export async function makeEnvironment(ctx: EnvContext): Promise<KeyValue[]> {
  const { pod, container, source } = ctx;
  const ns = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>();
  const configMaps = new Map<string, KubeObject | undefined>();
  const secrets = new Map<string, KubeObject | undefined>();
  const getCM = async (name: string) => {
    if (!configMaps.has(name)) configMaps.set(name, await source.getConfigMap(ns, name));
    return configMaps.get(name);
  };
  const getSecret = async (name: string) => {
    if (!secrets.has(name)) secrets.set(name, await source.getSecret(ns, name));
    return secrets.get(name);
  };

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      const cm = await getCM(name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      for (const k of keysOf(cm, false)) {
        const key = prefix + k;
        if (isValidEnvName(key)) env.set(key, decode(cm, k, false) ?? '');
      }
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      const s = await getSecret(name);
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      for (const k of keysOf(s, true)) {
        const key = prefix + k;
        if (isValidEnvName(key)) env.set(key, decode(s, k, true) ?? '');
      }
    }
  }

  for (const e of container.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      env.set(e.name, expand(e.value ?? '', (n) => env.get(n)));
      continue;
    }
    const vf = e.valueFrom;
    if (vf.fieldRef) env.set(e.name, fieldValue(pod, vf.fieldRef.fieldPath, ctx));
    else if (vf.resourceFieldRef) env.set(e.name, resourceValue(ctx, vf.resourceFieldRef));
    else if (vf.configMapKeyRef) {
      const { name = '', key, optional } = vf.configMapKeyRef;
      const cm = await getCM(name);
      if (!cm) {
        if (optional) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      const v = decode(cm, key, false);
      if (v === undefined) {
        if (optional) continue;
        throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
      }
      env.set(e.name, v);
    } else if (vf.secretKeyRef) {
      const { name = '', key, optional } = vf.secretKeyRef;
      const s = await getSecret(name);
      if (!s) {
        if (optional) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      const v = decode(s, key, true);
      if (v === undefined) {
        if (optional) continue;
        throw new ContainerConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`);
      }
      env.set(e.name, v);
    }
  }
  return [...env].map(([key, value]) => ({ key, value }));
}

/** command and args with $(VAR) references expanded from the container's environment. */
export function expandCommand(container: Container, env: KeyValue[]): { command: string[]; args: string[] } {
  const map = new Map(env.map((e) => [e.key, e.value]));
  const lookup = (n: string) => map.get(n);
  return {
    command: (container.command ?? []).map((c) => expand(c, lookup)),
    args: (container.args ?? []).map((a) => expand(a, lookup)),
  };
}
