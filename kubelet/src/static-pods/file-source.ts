// Static pods from --pod-manifest-path (config/file.go + config/common.go): every *.yaml,
// *.yml or *.json file in the directory holds one Pod, run by this kubelet without the
// apiserver. The directory is read again every --file-check-frequency (20 s).
//
// Each pod gets upstream's defaults for file pods: name `<name>-<node>`, namespace `default`,
// spec.nodeName = the node, a uid that is a hash of the manifest, the node and the file (so an
// edited manifest is a new pod and the old one is stopped), annotations
// kubernetes.io/config.hash|source|seen, and a toleration of every NoExecute taint.

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { parseAllDocuments } from 'yaml';
import type { Pod } from '../api/pod.ts';
import { rfc3339 } from '../api/pod.ts';

export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
export const CONFIG_SEEN_ANNOTATION = 'kubernetes.io/config.seen';
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export function isMirrorPod(pod: Pod): boolean {
  return !!pod.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION];
}

export function isStaticPod(pod: Pod): boolean {
  const src = pod.metadata.annotations?.[CONFIG_SOURCE_ANNOTATION];
  return src !== undefined && src !== 'api';
}

function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = stable((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Applies the file-source defaults to a manifest's pod; throws when it is not a usable Pod. */
export function staticPodFromManifest(doc: unknown, file: string, nodeName: string, now: number): Pod {
  const obj = doc as Partial<Pod> | null;
  if (!obj || typeof obj !== 'object') throw new Error('not an object');
  if (obj.kind !== undefined && obj.kind !== 'Pod') throw new Error(`kind ${JSON.stringify(obj.kind)} is not Pod`);
  if (obj.apiVersion !== undefined && obj.apiVersion !== 'v1') throw new Error(`apiVersion ${JSON.stringify(obj.apiVersion)} is not v1`);
  const name = obj.metadata?.name;
  if (!name) throw new Error('metadata.name is required');
  if (!Array.isArray(obj.spec?.containers) || obj.spec!.containers.length === 0) throw new Error('spec.containers is required');
  const pod: Pod = structuredClone(obj) as Pod;
  pod.apiVersion = 'v1';
  pod.kind = 'Pod';
  const uid = createHash('md5')
    .update(JSON.stringify(stable(obj)))
    .update(`host:${nodeName}`)
    .update(`file:${file}`)
    .digest('hex');
  pod.metadata = {
    ...pod.metadata,
    name: `${name}-${nodeName.toLowerCase()}`,
    namespace: pod.metadata.namespace || 'default',
    uid,
    annotations: {
      ...(pod.metadata.annotations ?? {}),
      [CONFIG_HASH_ANNOTATION]: uid,
      [CONFIG_SOURCE_ANNOTATION]: 'file',
      [CONFIG_SEEN_ANNOTATION]: rfc3339(now),
    },
  };
  delete pod.metadata.resourceVersion;
  delete pod.metadata.creationTimestamp;
  pod.spec.nodeName = nodeName;
  const tolerations = [...((pod.spec.tolerations as unknown[] | undefined) ?? [])];
  tolerations.push({ operator: 'Exists', effect: 'NoExecute' });
  pod.spec.tolerations = tolerations;
  delete pod.status;
  return pod;
}

/** Reads every manifest of the directory; unreadable or invalid files are logged and skipped. */
export async function readStaticPods(dir: string, nodeName: string, logger?: Logger, now: number = Date.now()): Promise<Pod[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/i.test(f) && !f.startsWith('.')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger?.warn({ err: (err as Error).message, dir }, 'cannot read the static pod directory');
    return [];
  }
  const pods: Pod[] = [];
  for (const f of files) {
    const path = join(dir, f);
    try {
      const text = await readFile(path, 'utf8');
      const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
      if (docs.length !== 1) throw new Error(`expected one Pod, found ${docs.length} documents`);
      if (docs[0].errors.length) throw new Error(docs[0].errors[0].message);
      pods.push(staticPodFromManifest(docs[0].toJS(), path, nodeName, now));
    } catch (err) {
      logger?.warn({ err: (err as Error).message, file: path }, 'cannot use static pod manifest');
    }
  }
  return pods;
}
