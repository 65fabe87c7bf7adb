// Pods: NAME READY STATUS RESTARTS AGE, wide IP NODE NOMINATED NODE READINESS GATES.
// STATUS is the one-word summary kubectl users know (Running, Init:0/1, CrashLoopBackOff,
// Completed, Terminating...), computed exactly as upstream printPod does.

import type { KubeObject } from '@minik8s/shared';
import { ageColumn, column, nameColumn, wideColumn } from './columns.ts';
import { humanDuration, parseTime, translateTimestampSince } from './human-duration.ts';
import type { ResourcePrinter, TableRowCells, TableRowCondition } from './types.ts';

interface ContainerStateTerminated {
  exitCode?: number;
  signal?: number;
  reason?: string;
  finishedAt?: string;
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; running?: object; terminated?: ContainerStateTerminated };
  lastState?: { terminated?: ContainerStateTerminated };
}

interface PodCondition {
  type: string;
  status: string;
  reason?: string;
}

/** The reason the node lifecycle controller gives pods on a lost node (util/node.NodeUnreachablePodReason). */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

const POD_SUCCEEDED_CONDITIONS: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const POD_FAILED_CONDITIONS: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

const columns = [
  nameColumn(),
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  ageColumn(),
  wideColumn('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
  wideColumn('Node', 'string', 'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.'),
  wideColumn('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.'),
  wideColumn('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True".'),
];

function isRestartableInitContainer(c: { restartPolicy?: string } | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function conditionTrue(conditions: PodCondition[], type: string): boolean {
  // Upstream looks at the first condition of the type only.
  const c = conditions.find((x) => x.type === type);
  return c !== undefined && c.status === 'True';
}

/** The terminated state's own words, or `<prefix>Signal:N` / `<prefix>ExitCode:N`. */
function terminatedReason(t: ContainerStateTerminated, prefix: string): string {
  if (t.reason) return prefix + t.reason;
  if (t.signal) return `${prefix}Signal:${t.signal}`;
  return `${prefix}ExitCode:${t.exitCode ?? 0}`;
}

/**
 * READY, STATUS and RESTARTS of a pod, and the row conditions. Steps as upstream printPod:
 * 1. start from status.reason or the phase (SchedulingGated wins while the gate holds);
 * 2. walk init containers in order: the first one not done decides `Init:...`;
 * 3. once initialized, walk app containers from the last to the first: a waiting or
 *    terminated container's reason wins (so the first container's reason is the one shown);
 * 4. a pod being deleted is `Terminating` unless already terminal (`Unknown` on a lost node).
 */
export function printPod(pod: KubeObject, now: Date): TableRowCells {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const podConditions: PodCondition[] = status.conditions ?? [];
  const specInit: { name: string; restartPolicy?: string }[] = spec.initContainers ?? [];
  const initStatuses: ContainerStatus[] = status.initContainerStatuses ?? [];
  const appStatuses: ContainerStatus[] = status.containerStatuses ?? [];

  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;
  const later = (current: number | undefined, t: ContainerStateTerminated | undefined): number | undefined => {
    const at = parseTime(t?.finishedAt);
    return at !== undefined && (current === undefined || current < at) ? at : current;
  };

  const phase: string = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of podConditions) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let conditions: TableRowCondition[] | undefined;
  if (phase === 'Succeeded') conditions = POD_SUCCEEDED_CONDITIONS;
  else if (phase === 'Failed') conditions = POD_FAILED_CONDITIONS;

  const initContainers = new Map<string, { restartPolicy?: string }>();
  for (const c of specInit) {
    initContainers.set(c.name, c);
    if (isRestartableInitContainer(c)) totalContainers++;
  }

  let initializing = false;
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    lastRestart = later(lastRestart, c.lastState?.terminated);
    const restartable = isRestartableInitContainer(initContainers.get(c.name));
    if (restartable) {
      restartableInitRestarts += c.restartCount ?? 0;
      lastRestartableInitRestart = later(lastRestartableInitRestart, c.lastState?.terminated);
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (restartable && c.started === true) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (terminated) reason = terminatedReason(terminated, 'Init:');
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${specInit.length}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(podConditions, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    for (let i = appStatuses.length - 1; i >= 0; i--) {
      const c = appStatuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, c.lastState?.terminated);
      const waiting = c.state?.waiting;
      const terminated = c.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated) reason = terminatedReason(terminated, '');
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A completed container beside a running one: the pod is still running.
    if (reason === 'Completed' && hasRunning) {
      reason = podConditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === NODE_UNREACHABLE_POD_REASON) reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsCell = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;
  }

  const cells: unknown[] = [
    pod.metadata.name ?? '',
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsCell,
    translateTimestampSince(pod.metadata.creationTimestamp, now),
    podIP(status) || '<none>',
    spec.nodeName || '<none>',
    status.nominatedNodeName || '<none>',
    readinessGates(spec.readinessGates ?? [], podConditions),
  ];
  return conditions ? { cells, conditions } : { cells };
}

/**
 * The pod's primary IP as the internal API sees it: v1 status.podIP wins over podIPs[0]
 * (upstream's v1 -> internal conversion keeps podIP authoritative for older kubelets).
 */
function podIP(status: { podIP?: string; podIPs?: { ip?: string }[] }): string {
  return status.podIP || status.podIPs?.[0]?.ip || '';
}

function readinessGates(gates: { conditionType: string }[], conditions: PodCondition[]): string {
  if (gates.length === 0) return '<none>';
  const trueCount = gates.filter((g) => conditionTrue(conditions, g.conditionType)).length;
  return `${trueCount}/${gates.length}`;
}

export const podPrinter: ResourcePrinter = { columns, print: printPod };
