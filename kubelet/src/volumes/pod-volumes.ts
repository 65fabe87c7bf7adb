// A pod's volumes as host directories under the pod's directory, in upstream's layout
// (`<root>/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>`): emptyDir (shared by the pod's
// containers, removed with the pod), configMap and secret (their keys as files, rewritten when
// they change), hostPath (the host's path). Runtimes that mount (docker) bind these paths into
// containers at each volumeMount's mountPath.
//
// A missing ConfigMap/Secret that is not optional is a VolumeError: the pod stays in
// ContainerCreating with a FailedMount event, and the next sync tries again.

import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { Container, Pod, Volume } from '../api/pod.ts';
import type { Mount } from '../runtime/interface.ts';
import type { ConfigSource } from '../pod-workers/container-env.ts';

export class VolumeError extends Error {
  readonly volume: string;

  constructor(volume: string, message: string) {
    super(message);
    this.name = 'VolumeError';
    this.volume = volume;
  }
}

const PLUGIN_DIR: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
};

/** Writes a file only when its content or mode differ (so a sync touches nothing that did not change). */
async function writeIfChanged(path: string, data: Buffer, mode: number): Promise<void> {
  try {
    const cur = await readFile(path);
    if (cur.equals(data)) {
      await chmod(path, mode);
      return;
    }
  } catch {
    // new file
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data, { mode });
  await chmod(path, mode);
}

function safeRelative(p: string): boolean {
  const n = normalize(p);
  return !n.startsWith('..') && !n.startsWith('/') && n !== '.';
}

async function projectKeys(
  dir: string,
  volume: string,
  data: Record<string, Buffer>,
  items: { key: string; path: string; mode?: number }[] | undefined,
  defaultMode: number,
  optional: boolean,
  what: string,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const files: { path: string; data: Buffer; mode: number }[] = [];
  if (items && items.length) {
    for (const it of items) {
      const v = data[it.key];
      if (v === undefined) {
        if (optional) continue;
        throw new VolumeError(volume, `configmap references non-existent config key: ${it.key}`.replace('configmap', what));
      }
      if (!safeRelative(it.path)) throw new VolumeError(volume, `invalid path ${JSON.stringify(it.path)}`);
      files.push({ path: it.path, data: v, mode: it.mode ?? defaultMode });
    }
  } else {
    for (const [k, v] of Object.entries(data)) files.push({ path: k, data: v, mode: defaultMode });
  }
  for (const f of files) await writeIfChanged(join(dir, f.path), f.data, f.mode);
}

export interface PreparedVolumes {
  /** volume name -> host path. */
  paths: Map<string, string>;
}

/** Creates or refreshes the pod's volumes under `podDir`; throws VolumeError when one cannot be set up. */
export async function preparePodVolumes(pod: Pod, podDir: string, source: ConfigSource): Promise<PreparedVolumes> {
  const ns = pod.metadata.namespace ?? 'default';
  const paths = new Map<string, string>();
  for (const v of pod.spec.volumes ?? []) {
    paths.set(v.name, await prepareVolume(v, ns, podDir, source));
  }
  return { paths };
}

async function prepareVolume(v: Volume, ns: string, podDir: string, source: ConfigSource): Promise<string> {
  if (v.emptyDir) {
    const dir = join(podDir, 'volumes', PLUGIN_DIR.emptyDir, v.name);
    await mkdir(dir, { recursive: true, mode: 0o777 });
    await chmod(dir, 0o777);
    return dir;
  }
  if (v.configMap) {
    const dir = join(podDir, 'volumes', PLUGIN_DIR.configMap, v.name);
    const name = v.configMap.name ?? '';
    const cm = await source.getConfigMap(ns, name);
    if (!cm) {
      if (v.configMap.optional) {
        await mkdir(dir, { recursive: true });
        return dir;
      }
      throw new VolumeError(v.name, `configmap "${name}" not found`);
    }
    const data: Record<string, Buffer> = {};
    for (const [k, s] of Object.entries((cm as { data?: Record<string, string> }).data ?? {})) data[k] = Buffer.from(s, 'utf8');
    for (const [k, s] of Object.entries((cm as { binaryData?: Record<string, string> }).binaryData ?? {})) data[k] = Buffer.from(s, 'base64');
    await projectKeys(dir, v.name, data, v.configMap.items, v.configMap.defaultMode ?? 0o644, !!v.configMap.optional, 'configmap');
    return dir;
  }
  if (v.secret) {
    const dir = join(podDir, 'volumes', PLUGIN_DIR.secret, v.name);
    const name = v.secret.secretName ?? '';
    const s = await source.getSecret(ns, name);
    if (!s) {
      if (v.secret.optional) {
        await mkdir(dir, { recursive: true });
        return dir;
      }
      throw new VolumeError(v.name, `secret "${name}" not found`);
    }
    const data: Record<string, Buffer> = {};
    for (const [k, b64] of Object.entries((s as { data?: Record<string, string> }).data ?? {})) data[k] = Buffer.from(b64, 'base64');
    await projectKeys(dir, v.name, data, v.secret.items, v.secret.defaultMode ?? 0o644, !!v.secret.optional, 'secret');
    return dir;
  }
  if (v.hostPath) {
    if (v.hostPath.type === 'DirectoryOrCreate') await mkdir(v.hostPath.path, { recursive: true });
    return v.hostPath.path;
  }
  const kind = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
  throw new VolumeError(v.name, `volume type ${kind} is not supported by this kubelet`);
}

/** The container's mounts: each volumeMount at its mountPath, from the prepared host path (+ subPath). */
export function containerMounts(container: Container, volumes: PreparedVolumes): Mount[] {
  const mounts: Mount[] = [];
  for (const m of container.volumeMounts ?? []) {
    const base = volumes.paths.get(m.name);
    if (!base) throw new VolumeError(m.name, `volume "${m.name}" not found in pod`);
    let hostPath = base;
    if (m.subPath) {
      if (!safeRelative(m.subPath)) throw new VolumeError(m.name, `invalid subPath ${JSON.stringify(m.subPath)}`);
      hostPath = join(base, m.subPath);
    }
    mounts.push({ containerPath: m.mountPath, hostPath, readonly: !!m.readOnly });
  }
  return mounts;
}

/** Removes the pod's volume directories (not hostPath ones). */
export async function removePodVolumes(podDir: string): Promise<void> {
  await rm(join(podDir, 'volumes'), { recursive: true, force: true });
}
