// Manifests and polling helpers the controller tests share.

import type { KubeObject, RestClient } from '@minik8s/shared';
import { waitFor } from '@minik8s/shared/testing';

export function podTemplate(labels: Record<string, string>, image = 'busybox:v1', extra: { annotations?: Record<string, string>; ports?: object[] } = {}): object {
  return {
    metadata: { labels, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      containers: [{ name: 'app', image, command: ['sleep', '3600'], ...(extra.ports ? { ports: extra.ports } : {}) }],
      terminationGracePeriodSeconds: 1,
    },
  };
}

export function replicaSet(name: string, namespace: string, replicas: number, labels: Record<string, string>, extra: { minReadySeconds?: number } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace },
    spec: { replicas, selector: { matchLabels: labels }, template: podTemplate(labels), ...extra },
  };
}

export function deployment(name: string, namespace: string, replicas: number, labels: Record<string, string>, image: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { replicas, selector: { matchLabels: labels }, template: podTemplate(labels, image), ...spec },
  };
}

/** Pods of the namespace matching every label given, not being deleted. */
export async function activePods(client: RestClient, namespace: string, labels: Record<string, string>): Promise<KubeObject[]> {
  const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  const list = await client.list('pods', { namespace, labelSelector: selector });
  return list.items.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

export function isReady(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
}

/** Waits until exactly `n` active pods match, all Ready; resolves them. */
export async function waitForReadyPods(client: RestClient, namespace: string, labels: Record<string, string>, n: number, timeoutMs = 30_000): Promise<KubeObject[]> {
  return waitFor(
    async () => {
      const pods = await activePods(client, namespace, labels);
      return pods.length === n && pods.every(isReady) ? pods : undefined;
    },
    { timeoutMs, intervalMs: 100, message: `${n} ready pods with ${JSON.stringify(labels)} in ${namespace}` },
  );
}

export async function events(client: RestClient, namespace: string, involvedName?: string): Promise<KubeObject[]> {
  const list = await client.list('events', { namespace, ...(involvedName ? { fieldSelector: `involvedObject.name=${involvedName}` } : {}) });
  return list.items;
}
