// batch/v1: jobs (NAME STATUS COMPLETIONS DURATION AGE, the 1.32 columns) and cronjobs
// (upstream printJob, printCronJob).

import type { KubeObject } from '@minik8s/shared';
import { ageColumn, column, nameColumn, wideColumn, CONTAINERS_DESCRIPTION, IMAGES_DESCRIPTION } from './columns.ts';
import { formatLabelSelector, int, layoutContainerCells, printBoolPtr } from './format.ts';
import { humanDuration, parseTime, translateTimestampSince } from './human-duration.ts';
import type { ResourcePrinter, TableRowCells } from './types.ts';

const JOB_SELECTOR_DESCRIPTION =
  'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors';

const jobColumns = [
  nameColumn(),
  column('Status', 'string', 'Status of the job.'),
  column('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
  column('Duration', 'string', 'Time required to complete the job.'),
  ageColumn(),
  wideColumn('Containers', 'string', CONTAINERS_DESCRIPTION),
  wideColumn('Images', 'string', IMAGES_DESCRIPTION),
  wideColumn('Selector', 'string', JOB_SELECTOR_DESCRIPTION),
];

/** True when the FIRST condition of this type is True (upstream hasJobCondition). */
function hasJobCondition(job: KubeObject, type: string): boolean {
  const conditions: { type: string; status: string }[] = job.status?.conditions ?? [];
  const c = conditions.find((x) => x.type === type);
  return c !== undefined && c.status === 'True';
}

/** Complete, Failed, Terminating, Suspended, FailureTarget or Running, in this precedence. */
export function jobStatus(job: KubeObject): string {
  if (hasJobCondition(job, 'Complete')) return 'Complete';
  if (hasJobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasJobCondition(job, 'Suspended')) return 'Suspended';
  if (hasJobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** `succeeded/completions`; without completions `succeeded/1`, or `succeeded/1 of P` when parallel. */
export function jobCompletions(job: KubeObject): string {
  const succeeded = int(job.status?.succeeded);
  const completions = job.spec?.completions;
  if (typeof completions === 'number') return `${succeeded}/${completions}`;
  const parallelism = int(job.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** Empty before the job starts; running time so far; completionTime - startTime once done. */
export function jobDuration(job: KubeObject, now: Date): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTime(job.status?.completionTime);
  return humanDuration((end ?? now.getTime()) - start);
}

function printJob(job: KubeObject, now: Date): TableRowCells {
  const { names, images } = layoutContainerCells(job.spec?.template?.spec?.containers);
  return {
    cells: [
      job.metadata.name ?? '',
      jobStatus(job),
      jobCompletions(job),
      jobDuration(job, now),
      translateTimestampSince(job.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(job.spec?.selector),
    ],
  };
}

export const jobPrinter: ResourcePrinter = { columns: jobColumns, print: printJob };

const cronJobColumns = [
  nameColumn(),
  column('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
  column('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
  column('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions. Defaults to false.'),
  column('Active', 'integer', 'A list of pointers to currently running jobs.'),
  column('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
  ageColumn(),
  wideColumn('Containers', 'string', CONTAINERS_DESCRIPTION),
  wideColumn('Images', 'string', IMAGES_DESCRIPTION),
  wideColumn('Selector', 'string', JOB_SELECTOR_DESCRIPTION),
];

function printCronJob(cj: KubeObject, now: Date): TableRowCells {
  const jobSpec = cj.spec?.jobTemplate?.spec ?? {};
  const { names, images } = layoutContainerCells(jobSpec.template?.spec?.containers);
  const last = cj.status?.lastScheduleTime;
  return {
    cells: [
      cj.metadata.name ?? '',
      cj.spec?.schedule ?? '',
      cj.spec?.timeZone ?? '<none>',
      // A string despite the boolean column type, as upstream.
      printBoolPtr(cj.spec?.suspend),
      (cj.status?.active ?? []).length,
      last ? translateTimestampSince(last, now) : '<none>',
      translateTimestampSince(cj.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(jobSpec.selector),
    ],
  };
}

export const cronJobPrinter: ResourcePrinter = { columns: cronJobColumns, print: printCronJob };
