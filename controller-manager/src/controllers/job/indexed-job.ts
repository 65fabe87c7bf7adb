// Indexed Jobs (upstream indexed_job_utils.go): each pod runs one completion index, carried in
// the batch.kubernetes.io/job-completion-index annotation and label and in the
// JOB_COMPLETION_INDEX env var; status.completedIndexes lists the succeeded ones as ordered
// intervals ("1,3-5").

import type { KubeObject } from '@minik8s/shared';
import { compareForDeletion } from '../replicaset/pods-to-delete.ts';
import { JOB_COMPLETION_INDEX_ANNOTATION, JOB_COMPLETION_INDEX_ENV, getCompletionIndex, hasJobTrackingFinalizer, isIndexedJob } from './job-util.ts';

export interface Interval {
  first: number;
  last: number;
}

/** Disjoint, sorted, non-adjacent intervals of indexes. */
export class OrderedIntervals {
  readonly intervals: readonly Interval[];

  constructor(intervals: Interval[] = []) {
    this.intervals = intervals;
  }

  /**
   * Parses "1,3-5" (upstream parseIndexesFromString); indexes at or past `completions` are
   * dropped, malformed parts are skipped.
   */
  static parse(text: string | undefined, completions: number): OrderedIntervals {
    const indexes: number[] = [];
    for (const part of (text ?? '').split(',')) {
      const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(part.trim());
      if (!m) continue;
      const first = Number(m[1]);
      const last = Math.min(m[2] === undefined ? first : Number(m[2]), completions - 1);
      for (let i = first; i <= last; i++) indexes.push(i);
    }
    return new OrderedIntervals().withOrderedIndexes([...new Set(indexes)].sort((a, b) => a - b));
  }

  total(): number {
    return this.intervals.reduce((n, iv) => n + iv.last - iv.first + 1, 0);
  }

  has(ix: number): boolean {
    return this.intervals.some((iv) => iv.first <= ix && ix <= iv.last);
  }

  /** These intervals plus `indexes` (sorted ascending), merged. */
  withOrderedIndexes(indexes: number[]): OrderedIntervals {
    const all: Interval[] = [...this.intervals.map((iv) => ({ ...iv })), ...indexes.map((i) => ({ first: i, last: i }))].sort((a, b) => a.first - b.first);
    const out: Interval[] = [];
    for (const iv of all) {
      const prev = out[out.length - 1];
      if (prev && iv.first <= prev.last + 1) prev.last = Math.max(prev.last, iv.last);
      else out.push({ ...iv });
    }
    return new OrderedIntervals(out);
  }

  toString(): string {
    return this.intervals.map((iv) => (iv.first === iv.last ? `${iv.first}` : `${iv.first}-${iv.last}`)).join(',');
  }
}

/**
 * The completed indexes before this sync (status.completedIndexes) and after it: plus the
 * indexes of succeeded pods still holding the tracking finalizer (not counted yet).
 */
export function calculateSucceededIndexes(job: KubeObject, pods: KubeObject[]): { prev: OrderedIntervals; succeeded: OrderedIntervals } {
  const completions: number = job.spec?.completions ?? 0;
  const prev = OrderedIntervals.parse(job.status?.completedIndexes, completions);
  const fresh = new Set<number>();
  for (const p of pods) {
    const ix = getCompletionIndex(p);
    if (p.status?.phase === 'Succeeded' && ix >= 0 && ix < completions && hasJobTrackingFinalizer(p)) fresh.add(ix);
  }
  return { prev, succeeded: prev.withOrderedIndexes([...fresh].sort((a, b) => a - b)) };
}

/** The first `count` indexes neither succeeded nor held by an active pod (upstream firstPendingIndexes). */
export function firstPendingIndexes(activePods: KubeObject[], succeeded: OrderedIntervals, count: number, completions: number): number[] {
  const active = new Set(activePods.map(getCompletionIndex));
  const out: number[] = [];
  for (let ix = 0; ix < completions && out.length < count; ix++) {
    if (!succeeded.has(ix) && !active.has(ix)) out.push(ix);
  }
  return out;
}

/**
 * Active pods to remove because their index is missing, out of range, or held by another
 * active pod (upstream appendDuplicatedIndexPodsForRemoval): of pods sharing an index the most
 * advanced one (running, ready, oldest) stays.
 */
export function duplicatedIndexPodsForRemoval(pods: KubeObject[], completions: number): { rm: KubeObject[]; left: KubeObject[] } {
  const rm: KubeObject[] = [];
  const left: KubeObject[] = [];
  const byIndex = new Map<number, KubeObject[]>();
  for (const p of pods) {
    const ix = getCompletionIndex(p);
    if (ix < 0 || ix >= completions) rm.push(p);
    else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
  }
  for (const group of byIndex.values()) {
    const sorted = [...group].sort((a, b) => compareForDeletion(a, b, () => 0));
    left.push(sorted[sorted.length - 1]!);
    rm.push(...sorted.slice(0, -1));
  }
  return { rm, left };
}

/**
 * The template of the pod for `index`: the annotation and label, JOB_COMPLETION_INDEX in every
 * container from that annotation, hostname <job>-<index> (upstream addCompletionIndex*).
 */
export function indexedPodTemplate(job: KubeObject, template: any, index: number): any {
  const t = structuredClone(template ?? {});
  t.metadata ??= {};
  t.metadata.annotations = { ...(t.metadata.annotations ?? {}), [JOB_COMPLETION_INDEX_ANNOTATION]: String(index) };
  t.metadata.labels = { ...(t.metadata.labels ?? {}), [JOB_COMPLETION_INDEX_ANNOTATION]: String(index) };
  t.spec ??= {};
  t.spec.hostname = `${job.metadata.name}-${index}`;
  const fieldPath = `metadata.annotations['${JOB_COMPLETION_INDEX_ANNOTATION}']`;
  for (const c of [...(t.spec.initContainers ?? []), ...(t.spec.containers ?? [])] as { env?: { name: string }[] }[]) {
    if ((c.env ?? []).some((e) => e.name === JOB_COMPLETION_INDEX_ENV)) continue;
    c.env = [...(c.env ?? []), { name: JOB_COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath } } } as { name: string }];
  }
  return t;
}

/**
 * Active pods to delete: for Indexed Jobs first duplicates and pods without a valid index,
 * then the least advanced pods until `rmAtLeast` (upstream activePodsForRemoval).
 */
export function activePodsForRemoval(job: KubeObject, pods: KubeObject[], rmAtLeast: number): KubeObject[] {
  let rm: KubeObject[] = [];
  let left = pods;
  if (isIndexedJob(job)) ({ rm, left } = duplicatedIndexPodsForRemoval(pods, job.spec?.completions ?? 0));
  if (rm.length < rmAtLeast) {
    const sorted = [...left].sort((a, b) => compareForDeletion(a, b, () => 0));
    rm = [...rm, ...sorted.slice(0, rmAtLeast - rm.length)];
  }
  return rm;
}
