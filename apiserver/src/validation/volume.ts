// Pod volumes: unique DNS-1123 names and exactly one source, with the checks of the sources
// this cluster can serve (core validation: ValidateVolumes, validateVolumeSource). Sources for
// cloud disks and network filesystems are accepted as a source without deeper checks.

import type { FieldError } from '@minik8s/shared';
import { child, duplicate, forbidden, index, invalid, notSupported, required } from './field-error.ts';
import { validateDNS1123Label } from './container.ts';
import { validateLocalDescendingPath, validateLocalNonReservedPath, validatePathNoBacksteps } from './paths.ts';
import { isQuantity, parseQuantity } from './quantity.ts';

type Obj = Record<string, any>;

const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap',
  'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO',
  'csi', 'ephemeral', 'image',
];
const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

function validMode(mode: unknown, field: string): FieldError[] {
  return typeof mode === 'number' && (mode < 0 || mode > 0o777) ? [invalid(field, mode, FILE_MODE_ERROR)] : [];
}

function validateItems(items: unknown, path: string): FieldError[] {
  if (!Array.isArray(items)) return [];
  const errs: FieldError[] = [];
  items.forEach((kp: Obj, i) => {
    const p = index(path, i);
    if (!kp?.key) errs.push(required(child(p, 'key')));
    if (!kp?.path) errs.push(required(child(p, 'path')));
    errs.push(...validateLocalNonReservedPath(String(kp?.path ?? ''), child(p, 'path')));
    errs.push(...validMode(kp?.mode, child(p, 'mode')));
  });
  return errs;
}

function validateDownwardAPIFiles(items: unknown, path: string): FieldError[] {
  if (!Array.isArray(items)) return [];
  const errs: FieldError[] = [];
  for (const f of items as Obj[]) {
    if (!f?.path) errs.push(required(child(path, 'path')));
    errs.push(...validateLocalNonReservedPath(String(f?.path ?? ''), child(path, 'path')));
    if (f?.fieldRef) {
      const fp = String(f.fieldRef.fieldPath ?? '').replace(/\[.*\]$/, '');
      if (!f.fieldRef.fieldPath) errs.push(required(child(path, 'fieldRef', 'fieldPath')));
      else if (!VOLUME_FIELD_PATHS.includes(fp)) errs.push(notSupported(child(path, 'fieldRef', 'fieldPath'), fp, VOLUME_FIELD_PATHS));
      if (f.resourceFieldRef) errs.push(invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    } else if (f?.resourceFieldRef) {
      if (!f.resourceFieldRef.containerName) errs.push(required(child(path, 'resourceFieldRef', 'containerName')));
    } else {
      errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
    }
    errs.push(...validMode(f?.mode, child(path, 'mode')));
  }
  return errs;
}

function validateSource(kind: string, src: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (kind) {
    case 'emptyDir':
      if (src.sizeLimit !== undefined && isQuantity(src.sizeLimit) && parseQuantity(src.sizeLimit) < 0) {
        errs.push(forbidden(child(path, 'sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
      }
      break;
    case 'hostPath':
      if (!src.path) return [required(child(path, 'path'))];
      errs.push(...validatePathNoBacksteps(src.path, child(path, 'path')));
      if (src.type !== undefined && !HOST_PATH_TYPES.includes(src.type)) errs.push(notSupported(child(path, 'type'), src.type, HOST_PATH_TYPES));
      break;
    case 'secret':
      if (!src.secretName) errs.push(required(child(path, 'secretName')));
      errs.push(...validMode(src.defaultMode, child(path, 'defaultMode')));
      errs.push(...validateItems(src.items, child(path, 'items')));
      break;
    case 'configMap':
      if (!src.name) errs.push(required(child(path, 'name')));
      errs.push(...validMode(src.defaultMode, child(path, 'defaultMode')));
      errs.push(...validateItems(src.items, child(path, 'items')));
      break;
    case 'persistentVolumeClaim':
      if (!src.claimName) errs.push(required(child(path, 'claimName')));
      break;
    case 'nfs':
      if (!src.server) errs.push(required(child(path, 'server')));
      if (!src.path) errs.push(required(child(path, 'path')));
      if (!String(src.path ?? '').startsWith('/')) errs.push(invalid(child(path, 'path'), String(src.path ?? ''), 'must be an absolute path'));
      break;
    case 'gitRepo':
      if (!src.repository) errs.push(required(child(path, 'repository')));
      errs.push(...validateLocalDescendingPath(String(src.directory ?? ''), child(path, 'directory')));
      break;
    case 'downwardAPI':
      errs.push(...validMode(src.defaultMode, child(path, 'defaultMode')));
      errs.push(...validateDownwardAPIFiles(src.items, path));
      break;
    case 'projected': {
      errs.push(...validMode(src.defaultMode, child(path, 'defaultMode')));
      (Array.isArray(src.sources) ? src.sources : []).forEach((s: Obj, i: number) => {
        const sp = index(child(path, 'sources'), i);
        let n = 0;
        for (const k of ['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle']) {
          if (!s?.[k]) continue;
          n++;
          if (n > 1) errs.push(forbidden(child(sp, k), 'may not specify more than 1 volume type per source'));
          if ((k === 'secret' || k === 'configMap') && !s[k].name) errs.push(required(child(sp, k, 'name')));
          if (k === 'secret' || k === 'configMap') errs.push(...validateItems(s[k].items, child(sp, k, 'items')));
          if (k === 'serviceAccountToken') {
            if (!s[k].path) errs.push(required(child(sp, k, 'path')));
            if (s[k].expirationSeconds !== undefined && s[k].expirationSeconds < 600) {
              errs.push(invalid(child(sp, k, 'expirationSeconds'), s[k].expirationSeconds, 'may not specify a duration less than 10 minutes'));
            }
          }
        }
        if (n === 0) errs.push(required(sp, 'must specify exactly 1 volume type'));
      });
      break;
    }
    case 'ephemeral':
      if (!src.volumeClaimTemplate) errs.push(required(child(path, 'volumeClaimTemplate')));
      break;
    case 'csi':
      if (!src.driver) errs.push(required(child(path, 'driver')));
      break;
    case 'image':
      if (!src.reference) errs.push(required(child(path, 'reference')));
      break;
    default:
      break;
  }
  return errs;
}

/** Validates the volumes; returns the names of the valid ones for volumeMounts to refer to. */
export function validateVolumes(volumes: unknown, path: string): { names: Set<string>; errs: FieldError[] } {
  const names = new Set<string>();
  const errs: FieldError[] = [];
  if (!Array.isArray(volumes)) return { names, errs };
  volumes.forEach((v: Obj, i) => {
    const p = index(path, i);
    const el: FieldError[] = [];
    let count = 0;
    for (const kind of VOLUME_SOURCES) {
      if (v?.[kind] === undefined || v[kind] === null) continue;
      if (count > 0) {
        el.push(forbidden(child(p, kind), 'may not specify more than 1 volume type'));
        continue;
      }
      count++;
      el.push(...validateSource(kind, v[kind] as Obj, child(p, kind)));
    }
    if (count === 0) el.push(required(p, 'must specify a volume type'));
    const name = String(v?.name ?? '');
    if (!name) el.push(required(child(p, 'name')));
    else el.push(...validateDNS1123Label(name, child(p, 'name')));
    if (names.has(name)) el.push(duplicate(child(p, 'name'), name));
    if (el.length === 0) names.add(name);
    else errs.push(...el);
  });
  return { names, errs };
}
