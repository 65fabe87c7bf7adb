// Pod and pod template defaults (core/v1 defaults.go: SetDefaults_Pod, SetDefaults_PodSpec,
// SetDefaults_Container, SetDefaults_Probe, SetDefaults_Volume and friends), plus what the
// Priority admission plugin sets on every pod without a priority class (priority 0,
// preemptionPolicy PreemptLowerPriority). Tolerations are admission's business, not here.

import { canonicalizeQuantityField, canonicalizeResourceList } from './quantities.ts';

type Obj = Record<string, any>;

const DEFAULT_FILE_MODE = 0o644; // 420

export function setIfMissing(obj: Obj, field: string, value: unknown): void {
  if (obj[field] === undefined || obj[field] === null) obj[field] = value;
}

/**
 * The pull policy a container gets when it names none: Always for `:latest` or an image with
 * neither tag nor digest, IfNotPresent otherwise (parsers.ParseImageName's reading of the tag).
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  let name = image;
  let digest = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
  }
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  const tag = colon >= 0 ? name.slice(colon + 1) : '';
  if (!tag && !digest) return 'Always';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(h: Obj | undefined): void {
  if (!h) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function defaultProbe(p: Obj | undefined): void {
  if (!p) return;
  setIfMissing(p, 'timeoutSeconds', 1);
  setIfMissing(p, 'periodSeconds', 10);
  setIfMissing(p, 'successThreshold', 1);
  setIfMissing(p, 'failureThreshold', 3);
  defaultHTTPGet(p.httpGet);
}

function defaultFieldRef(ref: Obj | undefined): void {
  if (ref && !ref.apiVersion) ref.apiVersion = 'v1';
}

export function defaultContainer(c: Obj): void {
  if (!c || typeof c !== 'object') return;
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(String(c.image ?? ''));
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of Array.isArray(c.ports) ? c.ports : []) if (p && !p.protocol) p.protocol = 'TCP';
  if (!c.resources || typeof c.resources !== 'object') c.resources = {};
  canonicalizeResourceList(c.resources.limits);
  canonicalizeResourceList(c.resources.requests);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHTTPGet(c.lifecycle?.postStart?.httpGet);
  defaultHTTPGet(c.lifecycle?.preStop?.httpGet);
  for (const e of Array.isArray(c.env) ? c.env : []) {
    defaultFieldRef(e?.valueFrom?.fieldRef);
    if (e?.valueFrom?.resourceFieldRef) {
      setIfMissing(e.valueFrom.resourceFieldRef, 'divisor', '0');
      canonicalizeQuantityField(e.valueFrom.resourceFieldRef, 'divisor');
    }
  }
}

const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap',
  'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO',
  'csi', 'ephemeral', 'image',
];

function defaultDownwardItems(items: unknown): void {
  for (const f of Array.isArray(items) ? items : []) {
    defaultFieldRef(f?.fieldRef);
    if (f?.resourceFieldRef) {
      setIfMissing(f.resourceFieldRef, 'divisor', '0');
      canonicalizeQuantityField(f.resourceFieldRef, 'divisor');
    }
  }
}

/** A PersistentVolumeClaim's spec defaults (claim templates, ephemeral volumes). */
export function defaultPersistentVolumeClaimSpec(spec: Obj | undefined): void {
  if (!spec) return;
  setIfMissing(spec, 'volumeMode', 'Filesystem');
  canonicalizeResourceList(spec.resources?.requests);
  canonicalizeResourceList(spec.resources?.limits);
}

export function defaultVolume(v: Obj): void {
  if (!v || typeof v !== 'object') return;
  if (!VOLUME_SOURCES.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  if (v.emptyDir) canonicalizeQuantityField(v.emptyDir, 'sizeLimit');
  if (v.hostPath) setIfMissing(v.hostPath, 'type', '');
  if (v.secret) setIfMissing(v.secret, 'defaultMode', DEFAULT_FILE_MODE);
  if (v.configMap) setIfMissing(v.configMap, 'defaultMode', DEFAULT_FILE_MODE);
  if (v.downwardAPI) {
    setIfMissing(v.downwardAPI, 'defaultMode', DEFAULT_FILE_MODE);
    defaultDownwardItems(v.downwardAPI.items);
  }
  if (v.projected) {
    setIfMissing(v.projected, 'defaultMode', DEFAULT_FILE_MODE);
    for (const s of Array.isArray(v.projected.sources) ? v.projected.sources : []) {
      if (s?.serviceAccountToken) setIfMissing(s.serviceAccountToken, 'expirationSeconds', 3600);
      if (s?.downwardAPI) defaultDownwardItems(s.downwardAPI.items);
    }
  }
  if (v.ephemeral?.volumeClaimTemplate) defaultPersistentVolumeClaimSpec(v.ephemeral.volumeClaimTemplate.spec);
}

/** SetDefaults_PodSpec and everything it contains; shared by pods and templates. */
export function defaultPodSpec(spec: Obj): void {
  if (!spec || typeof spec !== 'object') return;
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!spec.securityContext || typeof spec.securityContext !== 'object') spec.securityContext = {};
  setIfMissing(spec, 'terminationGracePeriodSeconds', 30);
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  const containers: Obj[] = [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])];
  for (const c of [...containers, ...(Array.isArray(spec.ephemeralContainers) ? spec.ephemeralContainers : [])]) defaultContainer(c);
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) defaultVolume(v);
  canonicalizeResourceList(spec.overhead);
  canonicalizeResourceList(spec.resources?.requests);
  canonicalizeResourceList(spec.resources?.limits);
}

/** A pod template inside a workload: the same spec defaults, nothing pod-only. */
export function defaultPodTemplate(template: Obj | undefined): void {
  if (!template || typeof template !== 'object') return;
  if (!template.spec || typeof template.spec !== 'object') template.spec = {};
  defaultPodSpec(template.spec);
}

/** SetDefaults_Pod: requests default to limits, host network ports, service links on, and admission's priority. */
export function defaultPod(pod: Obj): void {
  if (!pod.spec || typeof pod.spec !== 'object') pod.spec = {};
  const spec = pod.spec as Obj;
  for (const c of [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])]) {
    const limits = c?.resources?.limits;
    if (!limits || typeof limits !== 'object') continue;
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(limits)) if (c.resources.requests[k] === undefined) c.resources.requests[k] = v;
  }
  defaultPodSpec(spec);
  if (spec.hostNetwork === true) {
    // On the host network a port is the host's port. Pods only: since 1.28 templates keep 0
    // (DefaultHostNetworkHostPortsInPodTemplates is off).
    for (const c of [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])]) {
      for (const p of Array.isArray(c?.ports) ? c.ports : []) if (p && !p.hostPort) p.hostPort = p.containerPort;
    }
  }
  setIfMissing(spec, 'enableServiceLinks', true);
  if (!spec.priorityClassName) setIfMissing(spec, 'priority', 0);
  if (!spec.preemptionPolicy) spec.preemptionPolicy = 'PreemptLowerPriority';
}
