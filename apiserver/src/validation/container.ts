// Containers: name, image, ports, env, mounts, probes, lifecycle, resources (core validation:
// validateContainerCommon, validateContainers, validateInitContainers and their helpers).

import type { FieldError } from '@minik8s/shared';
import {
  child,
  duplicate,
  forbidden,
  index,
  invalid,
  nonNegative,
  notFound,
  notSupported,
  required,
} from './field-error.ts';
import {
  isConfigMapKey,
  isDNS1123Label,
  isHTTPHeaderName,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from './names.ts';
import { validateLocalDescendingPath } from './paths.ts';
import { validateResourceRequirements } from './resources.ts';
import { validateContainerSecurityContext } from './security-context.ts';

type Obj = Record<string, any>;

export const SUPPORTED_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
].sort();
const RESOURCE_FIELD_PATHS = [
  'limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory',
];
const MOUNT_PROPAGATIONS = ['None', 'HostToContainer', 'Bidirectional'];

export function validateDNS1123Label(value: string, field: string): FieldError[] {
  return isDNS1123Label(value).map((m) => invalid(field, value, m));
}

/** A port given as a number (1-65535) or an IANA port name (IntOrString). */
export function validatePortNumOrName(port: unknown, field: string): FieldError[] {
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(field, port, m));
  const n = typeof port === 'number' ? port : 0;
  return isValidPortNum(n).map((m) => invalid(field, n, m));
}

function validateContainerPorts(ports: unknown, path: string): FieldError[] {
  if (!Array.isArray(ports)) return [];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p: Obj, i) => {
    const ip = index(path, i);
    if (p?.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length) for (const m of msgs) errs.push(invalid(child(ip, 'name'), p.name, m));
      else if (names.has(p.name)) errs.push(duplicate(child(ip, 'name'), p.name));
      else names.add(p.name);
    }
    if (!p?.containerPort) errs.push(required(child(ip, 'containerPort')));
    else for (const m of isValidPortNum(p.containerPort)) errs.push(invalid(child(ip, 'containerPort'), p.containerPort, m));
    if (p?.hostPort) for (const m of isValidPortNum(p.hostPort)) errs.push(invalid(child(ip, 'hostPort'), p.hostPort, m));
    if (!p?.protocol) errs.push(required(child(ip, 'protocol')));
    else if (!SUPPORTED_PROTOCOLS.includes(p.protocol)) errs.push(notSupported(child(ip, 'protocol'), p.protocol, SUPPORTED_PROTOCOLS));
  });
  return errs;
}

function validateObjectFieldSelector(fs: Obj, path: string): FieldError[] {
  if (!fs.apiVersion) return [required(child(path, 'apiVersion'))];
  if (!fs.fieldPath) return [required(child(path, 'fieldPath'))];
  const fp = String(fs.fieldPath);
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fp);
  if (sub) {
    const k = sub[1] === 'metadata.annotations' ? sub[2]!.toLowerCase() : sub[2]!;
    return isQualifiedName(k).map((m) => invalid(path, k, m));
  }
  if (!ENV_FIELD_PATHS.includes(fp)) return [notSupported(child(path, 'fieldPath'), fp, ENV_FIELD_PATHS)];
  return [];
}

function validateKeySelector(s: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = String(s.name ?? '');
  for (const m of nameIsDNSSubdomain(name, false)) errs.push(invalid(child(path, 'name'), name, m));
  if (!s.key) errs.push(required(child(path, 'key')));
  else for (const m of isConfigMapKey(s.key)) errs.push(invalid(child(path, 'key'), s.key, m));
  return errs;
}

export function validateEnv(env: unknown, path: string): FieldError[] {
  if (!Array.isArray(env)) return [];
  const errs: FieldError[] = [];
  env.forEach((ev: Obj, i) => {
    const ip = index(path, i);
    if (!ev?.name) errs.push(required(child(ip, 'name')));
    else for (const m of isRelaxedEnvVarName(ev.name)) errs.push(invalid(child(ip, 'name'), ev.name, m));
    const from = ev?.valueFrom;
    if (!from) return;
    const fp = child(ip, 'valueFrom');
    let sources = 0;
    if (from.fieldRef) {
      sources++;
      errs.push(...validateObjectFieldSelector(from.fieldRef, child(fp, 'fieldRef')));
    }
    if (from.resourceFieldRef) {
      sources++;
      const r = from.resourceFieldRef.resource;
      const rp = child(fp, 'resourceFieldRef');
      if (!r) errs.push(required(child(rp, 'resource')));
      else if (!RESOURCE_FIELD_PATHS.includes(r) && !/^(requests|limits)\.hugepages-/.test(r)) {
        errs.push(notSupported(child(rp, 'resource'), r, RESOURCE_FIELD_PATHS));
      }
    }
    if (from.configMapKeyRef) {
      sources++;
      errs.push(...validateKeySelector(from.configMapKeyRef, child(fp, 'configMapKeyRef')));
    }
    if (from.secretKeyRef) {
      sources++;
      errs.push(...validateKeySelector(from.secretKeyRef, child(fp, 'secretKeyRef')));
    }
    if (sources === 0) {
      errs.push(invalid(fp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    } else if (ev.value) {
      errs.push(invalid(fp, '', 'may not be specified when `value` is not empty'));
    } else if (sources > 1) {
      errs.push(invalid(fp, '', 'may not have more than one field specified at a time'));
    }
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: string): FieldError[] {
  if (!Array.isArray(envFrom)) return [];
  const errs: FieldError[] = [];
  envFrom.forEach((ef: Obj, i) => {
    const ip = index(path, i);
    if (ef?.prefix) for (const m of isRelaxedEnvVarName(ef.prefix)) errs.push(invalid(child(ip, 'prefix'), ef.prefix, m));
    let sources = 0;
    for (const k of ['configMapRef', 'secretRef']) {
      if (!ef?.[k]) continue;
      sources++;
      const name = ef[k].name;
      if (!name) errs.push(required(child(ip, k, 'name')));
      else for (const m of nameIsDNSSubdomain(name, true)) errs.push(invalid(child(ip, k, 'name'), name, m));
    }
    if (sources === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: ReadonlySet<string>, path: string): FieldError[] {
  if (!Array.isArray(mounts)) return [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  mounts.forEach((m: Obj, i) => {
    const ip = index(path, i);
    const name = String(m?.name ?? '');
    const mountPath = String(m?.mountPath ?? '');
    if (!name) errs.push(required(child(ip, 'name')));
    if (!volumes.has(name)) errs.push(notFound(child(ip, 'name'), name));
    if (!mountPath) errs.push(required(child(ip, 'mountPath')));
    if (seen.has(mountPath)) errs.push(invalid(child(ip, 'mountPath'), mountPath, 'must be unique'));
    seen.add(mountPath);
    if (m?.subPath) errs.push(...validateLocalDescendingPath(m.subPath, child(path, 'subPath')));
    if (m?.subPathExpr) {
      if (m.subPath) errs.push(invalid(child(ip, 'subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(m.subPathExpr, child(path, 'subPathExpr')));
    }
    if (m?.mountPropagation !== undefined && !MOUNT_PROPAGATIONS.includes(m.mountPropagation)) {
      errs.push(notSupported(child(path, 'mountPropagation'), m.mountPropagation, MOUNT_PROPAGATIONS));
    }
  });
  return errs;
}

/** One handler of exec, httpGet, tcpSocket, grpc (probes) or sleep (lifecycle). */
function validateHandler(h: Obj, gracePeriod: number | undefined, path: string, kinds: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const k of kinds) {
    if (h?.[k] === undefined || h[k] === null) continue;
    if (n > 0) {
      errs.push(forbidden(child(path, k), 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const v = h[k] as Obj;
    const p = child(path, k);
    if (k === 'exec' && !(Array.isArray(v.command) && v.command.length)) errs.push(required(child(p, 'command')));
    if (k === 'httpGet') {
      if (!v.path) errs.push(required(child(p, 'path')));
      errs.push(...validatePortNumOrName(v.port, child(p, 'port')));
      if (!['HTTP', 'HTTPS'].includes(v.scheme)) errs.push(notSupported(child(p, 'scheme'), v.scheme ?? '', ['HTTP', 'HTTPS']));
      for (const hd of (v.httpHeaders ?? []) as Obj[]) {
        for (const m of isHTTPHeaderName(String(hd?.name ?? ''))) errs.push(invalid(child(p, 'httpHeaders'), String(hd?.name ?? ''), m));
      }
    }
    if (k === 'tcpSocket') errs.push(...validatePortNumOrName(v.port, child(p, 'port')));
    if (k === 'grpc') errs.push(...validatePortNumOrName(typeof v.port === 'number' ? v.port : 0, child(p, 'port')));
    if (k === 'sleep' && gracePeriod !== undefined) {
      const s = Number(v.seconds ?? 0);
      if (s <= 0 || s > gracePeriod) {
        errs.push(
          invalid(
            p,
            s,
            `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
          ),
        );
      }
    }
  }
  if (n === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'];

function validateProbe(probe: Obj, gracePeriod: number | undefined, path: string, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  const errs = validateHandler(probe, gracePeriod, path, PROBE_HANDLERS);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(child(path, f), probe[f]));
  }
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if (kind !== 'readiness' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(invalid(child(path, 'successThreshold'), probe.successThreshold, 'must be 1'));
  }
  if (kind === 'readiness' && probe.terminationGracePeriodSeconds !== undefined) {
    errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return errs;
}

function validateProbesAndLifecycle(c: Obj, gracePeriod: number | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (c.lifecycle) {
    for (const h of ['postStart', 'preStop']) {
      if (c.lifecycle[h]) errs.push(...validateHandler(c.lifecycle[h], gracePeriod, child(path, 'lifecycle', h), LIFECYCLE_HANDLERS));
    }
  }
  if (c.livenessProbe) errs.push(...validateProbe(c.livenessProbe, gracePeriod, child(path, 'livenessProbe'), 'liveness'));
  if (c.readinessProbe) errs.push(...validateProbe(c.readinessProbe, gracePeriod, child(path, 'readinessProbe'), 'readiness'));
  if (c.startupProbe) errs.push(...validateProbe(c.startupProbe, gracePeriod, child(path, 'startupProbe'), 'startup'));
  return errs;
}

function validateContainerCommon(c: Obj, volumes: ReadonlySet<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(child(path, 'name')));
  else errs.push(...validateDNS1123Label(String(c.name), child(path, 'name')));
  if (!c.image) errs.push(required(child(path, 'image')));
  if (!c.terminationMessagePolicy) errs.push(required(child(path, 'terminationMessagePolicy')));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy)) {
    errs.push(notSupported(child(path, 'terminationMessagePolicy'), c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  errs.push(...validateContainerPorts(c.ports, child(path, 'ports')));
  errs.push(...validateEnv(c.env, child(path, 'env')));
  errs.push(...validateEnvFrom(c.envFrom, child(path, 'envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, child(path, 'volumeMounts')));
  if (!c.imagePullPolicy) errs.push(required(child(path, 'imagePullPolicy')));
  else if (!PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(notSupported(child(path, 'imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES));
  errs.push(...validateResourceRequirements(c.resources, child(path, 'resources')));
  errs.push(...validateContainerSecurityContext(c.securityContext, child(path, 'securityContext')));
  return errs;
}

/** Host ports may not collide (protocol/hostIP/port) within the list given. */
function checkHostPortConflicts(containers: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    (Array.isArray(c?.ports) ? c.ports : []).forEach((p: Obj, pi: number) => {
      if (!p?.hostPort) return;
      const k = `${p.protocol ?? ''}/${p.hostIP ?? ''}/${p.hostPort}`;
      if (seen.has(k)) errs.push(duplicate(child(index(child(index(path, ci), 'ports'), pi), 'hostPort'), k));
      else seen.add(k);
    });
  });
  return errs;
}

export function validateContainers(containers: unknown, volumes: ReadonlySet<string>, gracePeriod: number | undefined, path: string): FieldError[] {
  if (!Array.isArray(containers) || containers.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c: Obj, i) => {
    const p = index(path, i);
    const ctr = c ?? {};
    errs.push(...validateContainerCommon(ctr, volumes, p));
    if (names.has(ctr.name)) errs.push(duplicate(child(p, 'name'), ctr.name ?? ''));
    else names.add(ctr.name);
    errs.push(...validateProbesAndLifecycle(ctr, gracePeriod, p));
    if (ctr.restartPolicy !== undefined) errs.push(forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(containers, path));
  return errs;
}

export function validateInitContainers(
  inits: unknown,
  regular: unknown,
  volumes: ReadonlySet<string>,
  gracePeriod: number | undefined,
  path: string,
): FieldError[] {
  if (!Array.isArray(inits)) return [];
  const errs: FieldError[] = [];
  const names = new Set<string>((Array.isArray(regular) ? regular : []).map((c: Obj) => c?.name));
  inits.forEach((c: Obj, i) => {
    const p = index(path, i);
    const ctr = c ?? {};
    errs.push(...validateContainerCommon(ctr, volumes, p));
    let restartAlways = false;
    if (ctr.restartPolicy !== undefined) {
      if (ctr.restartPolicy !== 'Always') errs.push(notSupported(child(p, 'restartPolicy'), ctr.restartPolicy, ['Always']));
      restartAlways = ctr.restartPolicy === 'Always';
    }
    if (names.has(ctr.name)) errs.push(duplicate(child(p, 'name'), ctr.name ?? ''));
    else if (ctr.name) names.add(ctr.name);
    errs.push(...checkHostPortConflicts([ctr], path));
    if (restartAlways) {
      errs.push(...validateProbesAndLifecycle(ctr, gracePeriod, p));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (ctr[f]) errs.push(forbidden(child(p, f), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}

/** Pod-only (not template) container check: no whitespace around the image. */
export function validateContainersOnlyForPod(containers: unknown, path: string): FieldError[] {
  if (!Array.isArray(containers)) return [];
  const errs: FieldError[] = [];
  containers.forEach((c: Obj, i) => {
    const image = typeof c?.image === 'string' ? c.image : '';
    if (image.length !== image.trim().length) errs.push(invalid(child(index(path, i), 'image'), image, 'must not have leading or trailing whitespace'));
  });
  return errs;
}
